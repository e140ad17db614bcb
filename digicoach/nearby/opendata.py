"""`GET /api/v1/offers.csv`: the digipunten and partner offers as one CSV in the columns of the
French open data standard for digital inclusion places (see `listing` for the mapping).

One row per active digipunt (its services and hours from its help sessions of the coming week)
and one per active offer. A few queries in all: the locations, their organisations, the week's
sessions, the offers.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

from flask import url_for
from sqlalchemy import select

from digicoach.core import clock, installation, phones
from digicoach.extensions import db
from digicoach.nearby import listing, queries
from digicoach.partners.models import Organisation


def csv_body(filters: queries.Filters, *, now: datetime) -> str:
    source = installation.branding().name
    today = clock.local(now).date()
    booking_url = url_for("bookings.book", _external=True)
    locations = queries.locations(filters)
    organisation_ids = {loc.organisation_id for loc in locations if loc.organisation_id}
    organisations = {
        organisation.id: organisation
        for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(sorted(organisation_ids)))
        )
    }
    by_location = defaultdict(list)
    every_topic = queries.Filters(
        municipality_id=filters.municipality_id, neighbourhood_id=filters.neighbourhood_id
    )
    for session in queries.sessions(every_topic, now=now, days=7, limit=None):
        by_location[session.location_id].append(session)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=listing.OPEN_DATA_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for location in locations:
        writer.writerow(
            listing.location_record(
                location,
                organisations.get(location.organisation_id or 0),
                by_location.get(location.id, []),
                phone=phones.front_desk_phone(location),
                booking_url=booking_url,
                source=source,
                today=today,
            )
        )
    for row in listing.offer_rows(queries.offers(filters), now=now):
        writer.writerow(listing.offer_record(row, source=source))
    return out.getvalue()
