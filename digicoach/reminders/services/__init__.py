"""Reminders: what is due and not yet queued, queued once in the recipient's language.

Every module here asks the same question: which reminders are due by `now` (rules.py says
when), for things that still hold, and have no outbox row yet? Each is queued with a dedupe key
of (subject, kind, channel) that also names the event's start, so

- a run that was missed heals itself at the next run (everything still ahead is queued),
- a run that is doubled, or two schedulers at once, queue nothing twice (the unique key),
- a moved appointment or shift gets a new key (its new time); the old row, and the row of a
  cancelled one, becomes `skipped` if it is still pending.

The modules, in the order of a run:

- `run`: one run, each kind in its own savepoint so one failing kind does not stop the others;
- `settings`: which lead times and switches apply to an event (defaults or its programme's);
- `keys`: the kinds, the dedupe keys and the batch that queues each key once;
- `stale`: skipping reminders that no longer apply (also called by receivers.py);
- `citizens`, `coaches`, `coordinators`: what each of them is reminded of;
- `programme_settings`: a programme's own settings, saved from its settings page;
- `retry`: the outbox page's "send again".
"""
