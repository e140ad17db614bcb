"""Reminders and the outbox page: messages that arrive once, on time, in the right language."""
