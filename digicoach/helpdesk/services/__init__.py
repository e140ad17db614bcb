"""Helpdesk use cases, one module per capability:

- `planning`: plan one help session or a weekly series;
- `editing`: change planned sessions (and, through a signal, their appointments);
- `cancelling`: cancel a session, its shifts and (through a signal) its appointments;
- `shifts`: sign a coach up (also as a shadow) and off;
- `invitations`: use an invitation link (the inviting is in helpdesk.invitations);
- `calendar_feeds`: a coach's secret calendar address;
- `common`: the refusals, the session row lock and the e-mail to a coach they share.

Every function takes the acting user, checks permission and scope and the rules in rules.py
(and training.rules for shadows), changes, flushes and audits field names. The caller's unit
of work commits; mail leaves through the outbox after that. Validation problems raise
ValidationFailed with messages per field, named like the form fields; refusals raise Conflict
(SessionFull when the last coach place is gone).
"""
