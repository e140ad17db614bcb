"""Which digipunten's free places a transaction changed, for the kept slot lists (issue 17).

Taking or giving back a place is a Core UPDATE of `booking_slot`, which the ORM's flush events
never see, so the booking services name the location here. The set rides on the session and
is read by whoever keeps free-place answers (api.lists drops its kept `GET /api/v1/slots`
answers for these locations after the commit); a rollback forgets it.
"""

from __future__ import annotations

from digicoach.extensions import db

CHANGED_KEY = "digicoach_free_places_changed"


def changed(location_id: int) -> None:
    """Note that this transaction took or gave back a place at `location_id`."""
    db.session.info.setdefault(CHANGED_KEY, set()).add(location_id)
