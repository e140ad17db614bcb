"""Factories for coaches: the smallest valid coach in any status, and a complete application."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from digicoach.accounts.models import Role
from digicoach.coaches.models import (
    Coach,
    CoachLanguage,
    CoachStatus,
    CoachStatusChange,
    ScreeningCheck,
    ScreeningItem,
)
from digicoach.coaches.services import applications
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Municipality
from tests.factories import DEFAULT_PASSWORD, make_municipality, make_user

_numbers = itertools.count(1)


def make_coach(
    municipality: Municipality | None = None,
    *,
    status: CoachStatus = CoachStatus.APPLIED,
    screened: bool = False,
    **values: Any,
) -> Coach:
    """A coach in `status` (history included). `screened` completes the screening checklist."""
    municipality = municipality or make_municipality()
    n = next(_numbers)
    first = values.pop("first_name", f"Voornaam{n}")
    last = values.pop("last_name", f"Achternaam{n}")
    user = values.pop("user", None) or make_user(
        roles=(Role.COACH,),
        name=f"{first} {last}",
        email=values.pop("email", f"coach{n}@example.org"),
        language=values.pop("language", "en"),
    )
    now = clock.now()
    coach = Coach(
        user=user,
        municipality_id=municipality.id,
        first_name=first,
        last_name=last,
        status=status,
        phone=values.pop("phone", f"+3247{n % 10}{n:06d}"[:12]),
        motivation=values.pop("motivation", "Ik help graag."),
        applied_at=values.pop("applied_at", now - timedelta(days=30)),
        status_changed_at=values.pop("status_changed_at", now - timedelta(days=10)),
        **values,
    )
    coach.language_rows = [CoachLanguage(code="nl")]
    coach.history.append(
        CoachStatusChange(from_status=None, to_status=status, changed_at=coach.applied_at)
    )
    if screened:
        for item in ScreeningItem:
            coach.screening_checks.append(
                ScreeningCheck(item=item.value, checked_on=date(2026, 1, 5), recorded_at=now)
            )
    db.session.add(coach)
    db.session.flush()
    return coach


def application(municipality: Municipality, /, **overrides: Any) -> applications.ApplicationInput:
    """A complete, valid application; override a field to make it wrong."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "first_name": "Zerlinde",
        "last_name": f"Vanhoorebeke{n}",
        "email": f"zerlinde{n}@example.org",
        "phone": "0470 12 34 56",
        "password": DEFAULT_PASSWORD,
        "municipality_id": municipality.id,
        "neighbourhood_ids": [n.id for n in municipality.neighbourhoods[:1]],
        "languages": ["nl", "ar"],
        "topics": ["eid_itsme", "email"],
        "availability": {(1, "morning"), (3, "evening")},
        "motivation": "Ik help mijn buren graag met hun gsm.",
        "heard_from": "library",
        "heard_from_other": "",
        "notify_email": True,
        "notify_sms": True,
        "accepts_privacy": True,
        "acknowledges_volunteer_note": True,
        "language": "nl",
    }
    values.update(overrides)
    return applications.ApplicationInput(**values)


def application_form(place: Municipality, /, **overrides: Any) -> dict[str, Any]:
    """The same application as posted by the browser form."""
    n = next(_numbers)
    form: dict[str, Any] = {
        "first_name": "Zerlinde",
        "last_name": f"Vanhoorebeke{n}",
        "email": f"zerlinde{n}@example.org",
        "phone": "0470 12 34 56",
        "password": DEFAULT_PASSWORD,
        "municipality": str(place.id),
        "neighbourhoods": [str(n.id) for n in place.neighbourhoods[:1]],
        "languages": ["nl", "fr"],
        "topics": ["email"],
        "availability": ["1-morning", "5-afternoon"],
        "motivation": "Ik wil graag helpen.",
        "heard_from": "friend",
        "heard_from_other": "",
        "notify_email": "y",
        "accepts_privacy": "y",
        "acknowledges_volunteer_note": "y",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}
