"""Read models for progress: the figures of a programme (or some of its municipalities) over a
period, computed in a fixed number of SQL statements whatever the amount of data.

The counting rule for distinct citizens is written down in `progress.rules` (module docstring):
one per citizen key, plus every walk-in citizen on a first visit.

Coaches are counted in the municipalities they volunteer in. The funnel is "ever reached, up
to the end of the period" (from the status history), except "in training" (now) and "active"
(a shift or a help log in the 90 days before the end of the period). "Certified" also needs a
certificate issued by then (`has_certificate`): a status set by hand is not an attest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, select, union
from sqlalchemy.orm import aliased

from digicoach.coaches.models import Coach, CoachStatus, CoachStatusChange
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.progress import rules
from digicoach.progress.queries import coach_rollups, definitions, rollups
from digicoach.progress.queries.coach_rollups import APPROVED_OR_LATER, CERTIFIED_OR_LATER
from digicoach.progress.queries.selection import Selection, _in, _remembered
from digicoach.training.models import Certification


def has_certificate(coach_id: Any, by: Any) -> Any:
    """The coach holds a certificate issued by `by`. Of any programme: the status the figures
    read is the coach's own, not a programme's, so the certificate is too."""
    return (
        select(Certification.id)
        .where(Certification.coach_id == coach_id, Certification.issued_at <= by)
        .exists()
    )


@dataclass(frozen=True)
class CoachFigures:
    applied: int
    approved: int
    in_training: int
    certified: int
    active: int


@dataclass(frozen=True)
class HelpFigures:
    citizens_supported: int
    distinct_keys: int
    walk_in_first_visits: int
    contacts: int
    logs: int
    minutes: int
    did_it_themselves: int
    follow_up: int


@dataclass(frozen=True)
class SessionFigures:
    """Help sessions that took place (`held_condition`) and the help logged against them."""

    held: int
    fully_staffed: int
    # Help contacts logged against the sessions held (walk-in help without a session is not).
    contacts: int = 0

    @property
    def staffing_rate(self) -> float | None:
        return rules.rate(self.fully_staffed, self.held)


@dataclass(frozen=True)
class LoanFigures:
    """Device loans lent in the selection (`definitions.loan_sums`)."""

    loans: int = 0
    devices_lent: int = 0
    citizens_reached: int = 0


@dataclass(frozen=True)
class Figures:
    selection: Selection
    coaches: CoachFigures
    help: HelpFigures
    sessions: SessionFigures


def coach_figures(selection: Selection) -> CoachFigures:
    """The coach funnel, in two statements: from the per-coach rollups (`coach_rollups`) once
    the nightly job has made them, live from the status history, the certificates, the
    shifts and the help logs before that (`live_coach_funnel`)."""
    funnel = coach_rollups.funnel(selection) or live_coach_funnel(selection)
    active = coach_rollups.active_coaches(selection, _recent_activity)
    if active is None:
        active = live_active_coaches(selection)
    applied, approved, certified, in_training = funnel
    return CoachFigures(
        applied=applied,
        approved=approved,
        in_training=in_training,
        certified=certified,
        active=active,
    )


def live_coach_funnel(selection: Selection) -> tuple[int, int, int, int]:
    """(applied, approved, certified, in training), counted from the status history and the
    certificates: the definition the rollups keep per coach."""
    ids = selection.municipality_ids
    end = selection.end_moment
    change = aliased(CoachStatusChange)
    funnel = db.session.execute(
        select(
            func.count(distinct(Coach.id)),
            func.count(
                distinct(case((change.to_status.in_(APPROVED_OR_LATER), Coach.id), else_=None))
            ),
            func.count(
                distinct(
                    case(
                        (
                            and_(
                                change.to_status.in_(CERTIFIED_OR_LATER),
                                has_certificate(Coach.id, end),
                            ),
                            Coach.id,
                        ),
                        else_=None,
                    )
                )
            ),
            func.count(
                distinct(case((Coach.status == CoachStatus.IN_TRAINING, Coach.id), else_=None))
            ),
        )
        .select_from(Coach)
        .outerjoin(change, and_(change.coach_id == Coach.id, change.changed_at <= end))
        .where(_in(Coach.municipality_id, ids), Coach.applied_at <= end)
    ).one()
    return int(funnel[0]), int(funnel[1]), int(funnel[2]), int(funnel[3])


def live_active_coaches(selection: Selection) -> int:
    """Coaches of the selection with a shift or a help log in the 90 days before its end."""
    since = selection.end_moment - timedelta(days=rules.ACTIVE_DAYS)
    counted = union(*_recent_activity(selection, since, clock.local(since).date())).subquery()
    return int(db.session.scalar(select(func.count()).select_from(counted)) or 0)


def _recent_activity(selection: Selection, since: datetime, since_day: date) -> list[Any]:
    """The coaches of the selection with a shift starting from `since`, and with a help log
    from `since_day`, up to the end of the selection: two SELECTs of `coach_id` to unite."""
    end = selection.end_moment
    on_shift = (
        select(Shift.coach_id.label("coach_id"))
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Coach, Coach.id == Shift.coach_id)
        .where(
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at >= since,
            HelpSession.starts_at < end,
            _in(Coach.municipality_id, selection.municipality_ids),
        )
        # Distinct per branch: hashing ~10,000 coaches beats sorting ~350,000 rows for UNION.
        .distinct()
    )
    logged = (
        select(HelpLog.coach_id.label("coach_id"))
        .join(Coach, Coach.id == HelpLog.coach_id)
        .where(
            HelpLog.helped_on >= since_day,
            HelpLog.helped_on <= clock.local(end).date(),
            _in(Coach.municipality_id, selection.municipality_ids),
        )
        .distinct()
    )
    return [on_shift, logged]


def help_figures(selection: Selection) -> HelpFigures:
    """Citizens, contacts and minutes (the counting rule: progress.rules): the additive sums
    from the daily rollups and today live, distinct citizen keys as the sum of the days they
    were first seen (`rollups`)."""
    logs, contacts, minutes, walk_ins, themselves, follow_up = rollups.help_sums(
        rollups.split(selection)
    )
    keys = sum(rollups.key_first_days(selection).values())
    return HelpFigures(
        citizens_supported=rules.citizens_supported(keys, walk_ins),
        distinct_keys=keys,
        walk_in_first_visits=walk_ins,
        contacts=contacts,
        logs=logs,
        minutes=minutes,
        did_it_themselves=themselves,
        follow_up=follow_up,
    )


def session_figures(selection: Selection) -> SessionFigures:
    """Sessions held (`definitions.held_condition`), how many had the coaches their mode needs
    (helpdesk.rules.staffing) and the help contacts logged against them: rolled-up days from
    the rollups, the rest live (`rollups.session_sums`)."""
    held, staffed, contacts = rollups.session_sums(rollups.split(selection))
    return SessionFigures(held=held, fully_staffed=staffed, contacts=contacts)


def figures(selection: Selection) -> Figures:
    """Every headline figure of a selection, in about ten statements."""
    return Figures(
        selection=selection,
        coaches=_remembered(selection, "coaches", lambda: coach_figures(selection)),
        help=_remembered(selection, "help", lambda: help_figures(selection)),
        sessions=_remembered(selection, "sessions", lambda: session_figures(selection)),
    )


def loan_figures(selection: Selection) -> LoanFigures:
    """Loans lent, devices lent and citizens reached by loans, in one statement (cached)."""

    def compute() -> LoanFigures:
        loans, devices, citizens = db.session.execute(definitions.loan_sums(selection)).one()
        return LoanFigures(int(loans or 0), int(devices or 0), int(citizens or 0))

    return _remembered(selection, "loans", compute)
