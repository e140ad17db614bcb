"""Pure decisions about training: enrolment, the waitlist, check-in, certification, shadowing.

No database, no Flask: the services load the facts, ask these functions, and act on the answer.
Fractions, never floats, so 80 % is exactly 80 % (4 of 5 sessions passes; 0.7999… does not).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

# Cohort statuses and the moves between them. A cancelled or finished cohort never reopens:
# certificates and attendance hang off it.
PLANNED = "planned"
OPEN = "open"
RUNNING = "running"
FINISHED = "finished"
CANCELLED = "cancelled"
COHORT_STATUSES = (PLANNED, OPEN, RUNNING, FINISHED, CANCELLED)
COHORT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    PLANNED: frozenset({OPEN, RUNNING, CANCELLED}),
    OPEN: frozenset({PLANNED, RUNNING, CANCELLED}),
    RUNNING: frozenset({FINISHED, CANCELLED}),
    FINISHED: frozenset(),
    CANCELLED: frozenset(),
}
# Coaches may enrol while the cohort is open, and still join once it runs (until the deadline).
ENROLLABLE_STATUSES = frozenset({OPEN, RUNNING})
# Cohorts whose details (sessions, capacity) may still change.
EDITABLE_STATUSES = frozenset({PLANNED, OPEN, RUNNING})

# Enrolment statuses.
ENROLLED = "enrolled"
WAITLISTED = "waitlisted"
WITHDRAWN = "withdrawn"
COMPLETED = "completed"
ACTIVE_ENROLMENT_STATUSES = frozenset({ENROLLED, WAITLISTED})

# Training session statuses: "held" is set when attendance is recorded (or a coach checks in).
SCHEDULED = "scheduled"
HELD = "held"
SESSION_CANCELLED = "cancelled"

# Attendance marks.
PRESENT = "present"
EXCUSED = "excused"
ABSENT = "absent"
ATTENDANCE_MARKS = (PRESENT, EXCUSED, ABSENT)

# Coach statuses (the coaches feature owns the pipeline; these are its codes).
COACH_APPROVED = "approved"
COACH_IN_TRAINING = "in_training"
COACH_CERTIFIED = "certified"
COACH_ACTIVE = "active"
# Approved coaches start training; coaches in training may enrol again to re-take it.
MAY_ENROL_STATUSES = frozenset({COACH_APPROVED, COACH_IN_TRAINING})
WORKING_STATUSES = frozenset({COACH_CERTIFIED, COACH_ACTIVE})

CHECK_IN_MARGIN = timedelta(minutes=30)
CHECK_IN_CODE_LENGTH = 6
# No 0/O, 1/I/L, 5/S or 2/Z: a code read aloud or from a projector is typed right first time.
CHECK_IN_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"


def may_change_cohort_status(current: str, target: str) -> bool:
    return target in COHORT_TRANSITIONS.get(current, frozenset())


def coach_may_enrol(coach_status: str) -> bool:
    """Approved coaches enrol for their training; coaches in training may enrol for a re-take."""
    return coach_status in MAY_ENROL_STATUSES


def enrolment_is_open(*, cohort_status: str, deadline: datetime, now: datetime) -> bool:
    """Open while the cohort takes enrolments and until the deadline (the deadline moment
    itself is already closed: "until Friday 17:00" means before 17:00)."""
    return cohort_status in ENROLLABLE_STATUSES and now < deadline


def check_in_is_open(*, starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Self check-in works from 30 minutes before the start to 30 minutes after the end."""
    return starts_at - CHECK_IN_MARGIN <= now <= ends_at + CHECK_IN_MARGIN


def normalise_check_in_code(raw: str) -> str:
    """What a coach typed, as a code: upper case, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def needs_low_enrolment_warning(
    *,
    cohort_status: str,
    enrolled: int,
    minimum: int,
    first_session_at: datetime | None,
    now: datetime,
    warning_days: int,
) -> bool:
    """A planned or open cohort with fewer enrolments than its minimum, whose first session
    starts within `warning_days` days (and has not started yet), needs its coordinators' eye."""
    if cohort_status not in (PLANNED, OPEN) or first_session_at is None:
        return False
    if enrolled >= minimum:
        return False
    return now < first_session_at <= now + timedelta(days=warning_days)


def close_gap(positions: Mapping[int, int], removed: int) -> dict[int, int]:
    """The waitlist after the entry at position `removed` left: everyone behind moves up one.

    `positions` maps an enrolment id to its position (1..n, distinct, no gaps). The answer
    maps every remaining id to its new position, again 1..n-1 without gaps.
    """
    return {
        key: position - 1 if position > removed else position
        for key, position in positions.items()
        if position != removed
    }


def threshold_fraction(percent: int) -> Fraction:
    """A whole percentage as an exact fraction (80 → 4/5). Raises ValueError outside 1..100."""
    if not 1 <= percent <= 100:
        raise ValueError("a threshold is a percentage from 1 to 100")
    return Fraction(percent, 100)


@dataclass(frozen=True)
class SessionFacts:
    """One training session of the coach's cohort, seen from that coach.

    `status` is scheduled, held or cancelled; `mark` is the coach's attendance (present,
    excused, absent) or None when nothing was recorded.
    """

    status: str
    module_ids: frozenset[int] = frozenset()
    mark: str | None = None


@dataclass(frozen=True)
class Assessment:
    """Where a coach stands toward their certificate."""

    held: int
    attended: int
    excused: int
    threshold: Fraction
    missing_module_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def share(self) -> Fraction:
        """Attended sessions as a share of the sessions held (0 when none was held)."""
        return Fraction(self.attended, self.held) if self.held else Fraction(0)

    @property
    def attendance_ok(self) -> bool:
        return self.held > 0 and self.share >= self.threshold

    @property
    def eligible(self) -> bool:
        return self.attendance_ok and not self.missing_module_ids

    @property
    def sessions_still_needed(self) -> int:
        """How many more attended sessions reach the threshold if the coming ones are held.

        Each new session raises both the attended count and the held count by one.
        """
        if self.attendance_ok:
            return 0
        needed = 0
        attended, held = self.attended, self.held
        while held == 0 or Fraction(attended, held) < self.threshold:
            attended += 1
            held += 1
            needed += 1
        return needed


def assess(
    sessions: Iterable[SessionFacts],
    *,
    required_module_ids: Iterable[int],
    threshold: Fraction,
) -> Assessment:
    """The certification rule of a programme, applied to one coach's sessions.

    A coach is eligible when both hold:

    1. they attended (present) at least `threshold` of the sessions actually HELD. Cancelled
       and not-yet-held sessions count for nothing. With no session held, nobody is eligible.
    2. every REQUIRED module was covered by at least one session they attended (present).

    Excused absences: an excused session counts as NOT attended and stays in the denominator.
    The certificate says the coach followed the training; an excuse explains an absence but
    does not replace the lesson. The margin below 100 % is there for illness and the like, and
    excused sessions are shown separately so the coach and the coordinator see them.
    """
    held = attended = excused = 0
    covered: set[int] = set()
    for session in sessions:
        if session.status != HELD:
            continue
        held += 1
        if session.mark == PRESENT:
            attended += 1
            covered |= session.module_ids
        elif session.mark == EXCUSED:
            excused += 1
    return Assessment(
        held=held,
        attended=attended,
        excused=excused,
        threshold=threshold,
        missing_module_ids=frozenset(set(required_module_ids) - covered),
    )


def is_certifiable(attended: int, held: int, threshold: Fraction) -> bool:
    """Attendance alone: at least `threshold` of the sessions held, and at least one held."""
    return held > 0 and Fraction(attended, held) >= threshold


def may_join_help_session(coach_status: str, *, as_shadow: bool, mentor_status: str | None) -> bool:
    """Who may take a place in a help session.

    Certified and active coaches join normally (as a shadow too, if they like to learn from a
    colleague). A coach in training joins only as a shadow, beside a mentor on the same session
    who is certified or active. Everyone else (applied, approved, dormant, left, ...) does not.
    """
    if coach_status in WORKING_STATUSES:
        return True
    if coach_status == COACH_IN_TRAINING:
        return as_shadow and mentor_status in WORKING_STATUSES
    return False


def certificate_number(year: int, serial: int) -> str:
    """'DC-2026-000123': the year of issue and a serial that never repeats."""
    return f"DC-{year:04d}-{serial:06d}"
