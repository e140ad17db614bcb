"""The coach pool: a coach of a programme that spans municipalities chooses where else they help.

The home municipality (Coach.municipality_id) stays: it decides who screens and trains the
coach and where they are counted in the programme's figures. The extra municipalities, chosen
by the coach among those sharing a programme with the home one, let them take shifts, be
invited and be seen by the coordinators there (coaches.queries.serves_in).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from digicoach.accounts.models import User
from digicoach.coaches import permissions, queries
from digicoach.coaches.models import Coach, CoachMunicipality
from digicoach.core import audit
from digicoach.core.errors import FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db


def choose_municipalities(
    *, actor: User, coach: Coach, municipality_ids: Iterable[int | None]
) -> Coach:
    """Set the municipalities where the coach also helps, besides their home municipality.

    Only municipalities of a programme the coach's home municipality belongs to may be
    chosen; the home municipality itself is implied. Shifts already taken elsewhere stay
    (the coach cancels them as usual). Raises PermissionDenied or ValidationFailed
    ("municipalities").
    """
    ensure(permissions.can_edit_own_profile(actor, coach))
    wanted = set(municipality_ids)
    allowed = {municipality.id for municipality in queries.pool_municipalities(coach)}
    errors = FieldErrors()
    if not wanted <= allowed:
        errors.add(
            "municipalities",
            _("Choose municipalities from the list: those of your programme."),
        )
    errors.raise_if_any()
    before = set(coach.also_serves_ids)
    if wanted == before:
        return coach
    for row in [row for row in coach.serves_rows if row.municipality_id not in wanted]:
        coach.serves_rows.remove(row)
    for municipality_id in sorted(wanted - before):
        coach.serves_rows.append(CoachMunicipality(municipality_id=municipality_id))
    db.session.flush()
    audit.record(actor, "coach.choose_municipalities", coach, ["municipalities"])
    return coach
