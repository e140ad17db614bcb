"""Training use cases, one module per sub-capability:

- `curriculum`: a programme's modules and certification threshold;
- `cohorts`: planning cohorts and moving them through their statuses;
- `sessions`: a cohort's sessions, one at a time or a weekly series;
- `enrolment`: enrolment with a waitlist, under the cohort's row lock;
- `attendance`: the trainer's marks and the coach's self check-in;
- `certification`: certificates, the only path to a coach's `certified` status;
- `low_enrolment`: the warning to coordinators about cohorts below their minimum.

Every function takes the acting user (or none, for jobs), checks permission and scope, checks
the rules in rules.py, changes, flushes and audits field names. The caller's unit of work
commits; mail leaves through the outbox after that. Validation problems raise ValidationFailed
with messages per field, named like the form fields; refusals raise Conflict.
"""
