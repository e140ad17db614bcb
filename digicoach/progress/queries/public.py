"""The programme as a whole, as the public JSON API gives it (GET /api/v1/progress)."""

from __future__ import annotations

from datetime import datetime

from digicoach.core import clock
from digicoach.progress.queries.figures import figures
from digicoach.progress.queries.selection import whole_programme


def programme_progress(programme_id: int, *, now: datetime) -> dict:
    """The programme's progress toward its targets, for the JSON API (GET /api/v1/progress).

    Counts every municipality of the programme over its whole period, as of
    `figures_moment(now)` (which `as_of` gives); anonymous totals only. Raises NotFound for
    an unknown programme. A fixed number of statements.
    """
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
