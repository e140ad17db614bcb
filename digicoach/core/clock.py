"""The one source of the current time. Code asks `clock.now()` so tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Brussels")


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """A moment as the wall-clock time in Brussels."""
    return moment.astimezone(LOCAL_ZONE)


def local_today() -> date:
    return local(now()).date()
