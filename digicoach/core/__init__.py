"""Infrastructure every feature builds on: database helpers, time, errors, permissions, mail."""
