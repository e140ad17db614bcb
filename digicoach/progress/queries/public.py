"""The programme as a whole, as the public JSON API gives it (GET /api/v1/progress), with
small numbers hidden by the one rule every public figure follows (`rules.public_count`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from digicoach.core import clock
from digicoach.progress import rules
from digicoach.progress.queries.figures import figures
from digicoach.progress.queries.selection import whole_programme

# The counts the public API publishes, by their path in the answer. Targets are not counts of
# people and are never hidden.
PUBLIC_COUNTS = (
    "coaches.applied",
    "coaches.approved",
    "coaches.in_training",
    "coaches.certified",
    "coaches.active",
    "citizens.supported",
    "citizens.contacts",
    "sessions_held",
)


def programme_figures(programme_id: int, *, now: datetime) -> dict[str, Any]:
    """The programme's figures in the API's shape, every count as it is (not for the public:
    `programme_progress` hides the small ones). Counts every municipality of the programme
    over its whole period, as of `figures_moment(now)` (which `as_of` gives). Raises NotFound
    for an unknown programme. A fixed number of statements."""
    selection = whole_programme(programme_id, now=now)
    result = figures(selection)
    programme = selection.programme
    return {
        "programme": {"id": programme.id, "name": programme.name},
        "period": {"start": programme.starts_on.isoformat(), "end": programme.ends_on.isoformat()},
        "as_of": clock.local(selection.now).isoformat(timespec="seconds"),
        "coaches": {
            "applied": result.coaches.applied,
            "approved": result.coaches.approved,
            "in_training": result.coaches.in_training,
            "certified": result.coaches.certified,
            "active": result.coaches.active,
            "target": programme.coach_target,
        },
        "citizens": {
            "supported": result.help.citizens_supported,
            "contacts": result.help.contacts,
            "target": programme.citizen_target,
        },
        "help_minutes": result.help.minutes,
        "sessions_held": result.sessions.held,
    }


def programme_progress(programme_id: int, *, now: datetime) -> dict[str, Any]:
    """The programme's progress toward its targets, for the JSON API (GET /api/v1/progress):
    `programme_figures` with every count of PUBLIC_COUNTS under rules.SUPPRESS_BELOW published
    as null and its path listed in `suppressed` (so is `help_minutes` when the help contacts
    are: minutes of help to a few people point to them). Existing members keep their names."""
    answer = programme_figures(programme_id, now=now)
    hidden: list[str] = []
    for path in PUBLIC_COUNTS:
        *parents, name = path.split(".")
        holder = answer
        for parent in parents:
            holder = holder[parent]
        shown = rules.public_count(holder[name])
        if shown is None:
            holder[name] = None
            hidden.append(path)
    if "citizens.contacts" in hidden:
        answer["help_minutes"] = None
        hidden.append("help_minutes")
    answer["suppressed_below"] = rules.SUPPRESS_BELOW
    answer["suppressed"] = hidden
    return answer
