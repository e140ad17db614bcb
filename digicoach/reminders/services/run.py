"""One run of the reminders (every 5 minutes): skip what no longer applies, then plan each kind
of reminder that is due by `now` and not queued yet.

Each kind is planned in its own savepoint. A kind that fails (a broken template, a bad row)
rolls back only its own messages: the other kinds still go out, the failure is logged in one
line and kept in `reminder_planning_failure` for the outbox page, and the next run tries the
kind again; everything still ahead is queued then (nothing was queued, so no key is taken).
A kind that plans again clears its failure.

Services only flush; the task's unit of work commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select

from digicoach.core.db import insert_for_dialect
from digicoach.extensions import db
from digicoach.reminders.models import PlanningFailure
from digicoach.reminders.services import citizens, coaches, coordinators, stale
from digicoach.reminders.services.settings import ProgrammeSettings, Settings

log = logging.getLogger("digicoach.reminders")

Step = Callable[[datetime, ProgrammeSettings], int]

# The kinds of a run, in order: stale reminders are skipped before anything new is queued.
STEPS: dict[str, Step] = {
    "skipped": lambda now, _programmes: stale.skip_stale(now=now),
    "appointments": lambda now, programmes: citizens.queue_appointment_reminders(
        now=now, settings=programmes
    ),
    "shifts": lambda now, programmes: coaches.queue_shift_reminders(now=now, settings=programmes),
    "training": lambda now, programmes: coaches.queue_training_reminders(
        now=now, settings=programmes
    ),
    "understaffed": lambda now, programmes: coordinators.queue_understaffed_alerts(
        now=now, settings=programmes
    ),
    "help_log": lambda now, programmes: coaches.queue_help_log_nudges(now=now, settings=programmes),
    "dormancy": lambda now, _programmes: coaches.queue_dormancy_nudges(now=now),
}


def queue_due(*, now: datetime, settings: Settings) -> dict[str, int]:
    """Queue every reminder that is due by `now` and not queued yet; skip stale ones first.
    `settings` are the app-wide defaults; a programme's own settings replace them for the
    events it covers. Returns counts per kind (for the log); a kind that failed has none."""
    programmes = ProgrammeSettings.load(settings)
    failed_before = set(db.session.scalars(select(PlanningFailure.kind)))
    counts: dict[str, int] = {}
    for kind, step in STEPS.items():
        try:
            with db.session.begin_nested():
                counts[kind] = step(now, programmes)
        except Exception as error:
            log.error("reminders of kind %s could not be planned: %s", kind, type(error).__name__)
            log.debug("reminders of kind %s failed", kind, exc_info=True)
            _record_failure(kind, now, error)
        else:
            if kind in failed_before:
                db.session.execute(delete(PlanningFailure).where(PlanningFailure.kind == kind))
    return counts


def _record_failure(kind: str, now: datetime, error: Exception) -> None:
    # One statement that inserts or updates: a failure must never fail the run that records it.
    values = {"kind": kind, "failed_at": now, "error": type(error).__name__[:120]}
    db.session.execute(
        insert_for_dialect(PlanningFailure)
        .values(values)
        .on_conflict_do_update(
            index_elements=["kind"], set_={"failed_at": now, "error": values["error"]}
        )
    )
