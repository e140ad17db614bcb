"""The hot paths load what they need up front: no lazy load while booking, cancelling or
signing up for a shift (issue 17). A lazy load is one more round trip per object, hidden in an
attribute access; this test turns each into a failure that names the attribute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session

from digicoach.extensions import db
from digicoach.helpdesk.models import Shift
from tests.api.test_statement_count import TOKEN, _body, book_and_cancel
from tests.bookings.factories import in_days, make_bookable_session
from tests.conftest import sign_in


@contextmanager
def lazy_loads_refused() -> Iterator[list[str]]:
    """Record every lazy load (an attribute of a loaded object fetched on access)."""
    seen: list[str] = []

    def refuse(state: ORMExecuteState) -> None:
        if state.is_select and state.lazy_loaded_from is not None:
            mapper = state.lazy_loaded_from.mapper.class_.__name__
            seen.append(f"{mapper}: {state.statement}")

    event.listen(Session, "do_orm_execute", refuse)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", refuse)


def test_booking_and_cancelling_through_the_api_load_nothing_lazily(client: Any, world: Any):
    coach = world.coach()
    warm_up = make_bookable_session(world.location, [coach], starts_at=in_days(4))
    session = make_bookable_session(world.location, [coach])
    db.session.commit()
    book_and_cancel(client, warm_up)
    body = _body(session)
    db.session.close()  # as in production, each request starts with nothing loaded
    with lazy_loads_refused() as lazy:
        created = client.post("/api/v1/bookings", json=body)
        assert created.status_code == 201, created.json
        response = client.delete(
            f"/api/v1/bookings/{created.json['reference']}",
            headers={TOKEN: created.json["manage_token"]},
        )
        assert response.status_code == 200, response.json
    assert lazy == []


def test_signing_up_for_a_shift_loads_nothing_lazily(client: Any, world: Any):
    coach = world.coach()
    warm_up = make_bookable_session(world.location, [], starts_at=in_days(4))
    session = make_bookable_session(world.location, [])
    db.session.commit()
    sign_in(client, coach.user)
    assert client.post(f"/helpdesk/sessions/{warm_up.id}/sign-up").status_code == 302
    session_id, coach_id = session.id, coach.id
    db.session.close()  # as in production, each request starts with nothing loaded
    with lazy_loads_refused() as lazy:
        response = client.post(f"/helpdesk/sessions/{session_id}/sign-up")
    assert response.headers["Location"].endswith("/helpdesk/my-shifts")
    assert (
        db.session.scalar(
            select(func.count()).where(Shift.session_id == session_id, Shift.coach_id == coach_id)
        )
        == 1
    )
    assert lazy == []
