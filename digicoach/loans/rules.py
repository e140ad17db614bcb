"""Pure decisions about devices and loans: no database, no Flask.

Reminders: "N days before the due date" and "N days after it" are calendar days in Brussels,
at the same local wall-clock time (`send_at`), so a daylight-saving change moves nothing. The
overdue notices come on the due date + `first_after_days`, then every 7 days, `notices` in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from digicoach.core import clock
from digicoach.loans.models import Condition, DeviceStatus

SMS = "sms"
EMAIL = "email"
OVERDUE_INTERVAL_DAYS = 7

# Which status a staff member may put a device in, from which (lending and returning move it
# to and from `on_loan`; nobody sets that by hand). A retired device stays retired.
MANUAL_TRANSITIONS: dict[str, frozenset[str]] = {
    DeviceStatus.AVAILABLE: frozenset({DeviceStatus.IN_REPAIR, DeviceStatus.RETIRED}),
    DeviceStatus.IN_REPAIR: frozenset({DeviceStatus.AVAILABLE, DeviceStatus.RETIRED}),
    DeviceStatus.ON_LOAN: frozenset(),
    DeviceStatus.RETIRED: frozenset(),
}


def may_set_status(current: str, target: str) -> bool:
    """Whether staff may move a device from `current` to `target` by hand."""
    return target in MANUAL_TRANSITIONS.get(current, frozenset())


def status_after_return(condition: str) -> str:
    """A device that comes back damaged goes for repair; otherwise it can be lent again."""
    return DeviceStatus.IN_REPAIR if condition == Condition.DAMAGED else DeviceStatus.AVAILABLE


def due_date_problem(due_on: date, *, today: date, max_days: int) -> str | None:
    """None for a due date from tomorrow up to `max_days` after today; else why not
    ("past" or "too_far")."""
    if due_on <= today:
        return "past"
    if due_on > today + timedelta(days=max_days):
        return "too_far"
    return None


def extension_problem(
    new_due_on: date, *, current_due_on: date, today: date, max_days: int
) -> str | None:
    """An extension moves the due date later than it was, and not past `max_days` from today."""
    if new_due_on <= current_due_on:
        return "not_later"
    return due_date_problem(new_due_on, today=today, max_days=max_days)


def days_overdue(due_on: date, today: date) -> int:
    """0 on and before the due date; 1 the day after it, and so on."""
    return max(0, (today - due_on).days)


def contact_channel(phone_can_text: bool, email: str | None) -> str | None:
    """SMS to a mobile number, else e-mail; None when neither (a landline: the desk calls)."""
    if phone_can_text:
        return SMS
    if email:
        return EMAIL
    return None


def send_at(day: date, at: time) -> datetime:
    """`at` local time on `day`, as an aware UTC moment."""
    return datetime.combine(day, at, tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Notice:
    """One planned message about a loan: `what` ("due_soon", "overdue_1", ...), when it is due
    and until when it is still worth sending."""

    what: str
    due_at: datetime
    send_not_after: datetime


@dataclass(frozen=True)
class ReminderPlan:
    days_before: int
    first_after_days: int
    notices: int
    at: time


def planned_notices(due_on: date, plan: ReminderPlan) -> list[Notice]:
    """Every message a loan due on `due_on` gets, in order. The reminder before is worth
    sending until the end of the due date; each overdue notice until the next one is due (the
    last for a week), so a scheduler that was down sends only the latest, never a pile."""
    notices: list[Notice] = []
    if plan.days_before > 0:
        notices.append(
            Notice(
                "due_soon",
                send_at(due_on - timedelta(days=plan.days_before), plan.at),
                send_at(due_on + timedelta(days=1), time(0, 0)),
            )
        )
    moments = [
        send_at(due_on + timedelta(days=plan.first_after_days + OVERDUE_INTERVAL_DAYS * n), plan.at)
        for n in range(max(0, plan.notices) + 1)
    ]
    for number in range(1, max(0, plan.notices) + 1):
        notices.append(Notice(f"overdue_{number}", moments[number - 1], moments[number]))
    return notices


def due_notices(notices: list[Notice], *, now: datetime, lent_at: datetime) -> list[Notice]:
    """The notices to queue at `now`: due, still worth sending, and planned after the loan
    began (a loan lent the day before its due date gets no reminder 'in two days')."""
    return [
        notice
        for notice in notices
        if notice.due_at <= now < notice.send_not_after and notice.due_at >= lent_at
    ]
