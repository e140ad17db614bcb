"""One front-desk number per digipunt, the same on every page, e-mail, SMS, calendar and slip.

A digipunt's number is its own where set; else its programme's (the programme of its
municipality that runs today, else the first by id, among those with a number); else the
FRONT_DESK_PHONE setting. Without a digipunt (the page footer, an e-mail about an account) it
is the default programme's number, chosen the same way among all programmes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Programme, programme_municipality


def front_desk_phone(location: Location | None = None, *, today: date | None = None) -> str:
    """The number a citizen calls about `location`, in national format ("09 323 68 00")."""
    if isinstance(location, Location) and location.front_desk_phone:
        return location.front_desk_phone
    municipality_id = location.municipality_id if isinstance(location, Location) else None
    phone = programme_phone(municipality_id, today=today)
    return phone or current_app.config["FRONT_DESK_PHONE"]


def resolve(location: Any = None) -> str:
    """For core.phones (templates, e-mails): anything that is not a Location means none."""
    return front_desk_phone(location if isinstance(location, Location) else None)


def programme_phone(municipality_id: int | None, *, today: date | None = None) -> str:
    """The front-desk number of the programme running `today` (else the first by id) that
    has one, among the programmes of this municipality (None: all programmes). '' if none."""
    today = today or clock.local_today()
    running = and_(Programme.starts_on <= today, Programme.ends_on >= today)
    query = (
        select(Programme.front_desk_phone)
        .where(Programme.front_desk_phone != "")
        .order_by(case((running, 0), else_=1), Programme.id)
        .limit(1)
    )
    if municipality_id is not None:
        query = query.join(
            programme_municipality, programme_municipality.c.programme_id == Programme.id
        ).where(programme_municipality.c.municipality_id == municipality_id)
    return db.session.scalar(query) or ""
