"""The staffing status tells the truth for the session's mode: a hybrid session with one
digicoach (who keeps the door open for walk-ins) is not "fully staffed" while no citizen can
book, whatever its planned minimum says."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from digicoach.bookings import rules as booking_rules
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk import queries, rules
from digicoach.helpdesk.models import HelpSession
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift

# --- the rule, per mode -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "kind", "short_by", "walk_in_missing"),
    [(0, "empty", 2, 1), (1, "short", 1, 0), (2, "staffed", 0, 0), (3, "staffed", 0, 0)],
)
def test_a_walk_in_session_needs_its_minimum_and_takes_no_appointments(
    taken, kind, short_by, walk_in_missing
):
    staff = rules.staffing(mode="walk_in", taken=taken, minimum=2, maximum=3)
    assert (staff.kind, staff.short_by, staff.needed) == (kind, short_by, 2)
    assert (staff.booking, staff.walk_in) == (0, taken)
    assert staff.missing_walk_in == walk_in_missing
    assert staff.missing_booking == 0 and not staff.no_appointments_yet


@pytest.mark.parametrize(
    ("taken", "kind", "booking_missing"),
    [(0, "empty", 1), (1, "staffed", 0), (2, "staffed", 0)],
)
def test_in_an_appointment_session_every_coach_takes_appointments(taken, kind, booking_missing):
    staff = rules.staffing(mode="appointment", taken=taken, minimum=1, maximum=3)
    assert staff.kind == kind
    assert (staff.booking, staff.walk_in) == (taken, 0)
    assert staff.missing_booking == booking_missing
    assert staff.no_appointments_yet == (taken == 0)
    assert staff.missing_walk_in == 0  # nobody walks in


def test_a_hybrid_session_with_one_coach_is_short_and_takes_no_appointment_yet():
    """The reported case: minimum 1, maximum 3, one coach signed up."""
    staff = rules.staffing(mode="hybrid", taken=1, minimum=1, maximum=3)
    assert staff.kind == "short"
    assert staff.needed == 2 and staff.short_by == 1
    assert (staff.booking, staff.walk_in) == (0, 1)
    assert staff.no_appointments_yet and staff.missing_booking == 1
    assert staff.needs_coaches


@pytest.mark.parametrize(
    ("taken", "minimum", "kind", "booking", "walk_in", "booking_missing"),
    [
        (0, 1, "empty", 0, 0, 2),
        (2, 1, "staffed", 1, 1, 0),
        (3, 1, "staffed", 1, 2, 0),
        (4, 1, "staffed", 2, 2, 0),
        (2, 3, "short", 1, 1, 0),  # appointments possible, but below the planned minimum
        (3, 3, "staffed", 1, 2, 0),
    ],
)
def test_a_hybrid_session_needs_someone_for_appointments_and_someone_at_the_door(
    taken, minimum, kind, booking, walk_in, booking_missing
):
    staff = rules.staffing(mode="hybrid", taken=taken, minimum=minimum, maximum=4)
    assert staff.kind == kind
    assert staff.needed == max(minimum, 2)
    assert (staff.booking, staff.walk_in) == (booking, walk_in)
    assert staff.missing_booking == booking_missing


def test_a_hybrid_session_for_at_most_one_coach_can_never_be_staffed():
    staff = rules.staffing(mode="hybrid", taken=1, minimum=1, maximum=1)
    assert staff.cannot_be_met and staff.kind == "short" and staff.places_left == 0


@pytest.mark.parametrize("mode", rules.MODES)
@pytest.mark.parametrize("coaches", range(6))
def test_the_booking_engine_and_the_staffing_status_split_coaches_alike(mode, coaches):
    staff = rules.staffing(mode=mode, taken=coaches, minimum=1, maximum=6)
    assert booking_rules.booking_coaches(mode, coaches) == staff.booking
    assert staff.booking + staff.walk_in == coaches


# --- the pages --------------------------------------------------------------------------------


def _row(page: str, session: HelpSession) -> str:
    match = re.search(rf'<tr id="session-{session.id}">(.*?)</tr>', page, re.S)
    return match.group(1) if match else ""


def test_the_board_does_not_call_a_hybrid_session_with_one_coach_fully_staffed(client, world):
    hybrid = make_help_session(world.location, mode="hybrid", coaches_min=1, coaches_max=3)
    make_shift(hybrid, world.coach())
    walk_in = make_help_session(
        world.location, starts_at=hybrid.starts_at + timedelta(hours=3), coaches_min=1
    )
    make_shift(walk_in, world.coach())
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get("/helpdesk/board").get_data(as_text=True)

    row = _row(page, hybrid)
    assert "Fully staffed" not in row
    assert "Short by 1 digicoach" in row and "no appointments possible yet" in row
    assert "1 of 2 digicoaches (0 for appointments, 1 for walk-ins), at most 3" in row
    assert "Fully staffed" in _row(page, walk_in)
    assert "no appointments" not in _row(page, walk_in)


def test_the_session_page_says_what_is_missing(client, world):
    hybrid = make_help_session(world.location, mode="hybrid", coaches_min=1, coaches_max=3)
    make_shift(hybrid, world.coach())
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get(f"/helpdesk/sessions/{hybrid.id}").get_data(as_text=True)
    assert "no appointments possible yet" in page
    assert "Add 1 digicoach before citizens can book an appointment." in page


def test_the_week_summary_counts_the_hybrid_session_as_needing_coaches(world):
    hybrid = make_help_session(world.location, mode="hybrid", coaches_min=1, coaches_max=3)
    make_shift(hybrid, world.coach())
    db.session.commit()
    board = queries.board(world.coordinator, now=clock.now())
    assert board.weeks[0].short == 1


@pytest.mark.parametrize("mode", rules.MODES)
@pytest.mark.parametrize(("minimum", "taken"), [(1, 0), (1, 1), (1, 2), (2, 1), (3, 2), (3, 3)])
def test_the_sql_staffing_agrees_with_the_rule(world, mode, minimum, taken):
    session = make_help_session(world.location, mode=mode, coaches_min=minimum, coaches_max=4)
    session.coaches_taken = taken
    db.session.flush()
    needed, short = db.session.execute(
        select(queries.coaches_needed_sql(), queries.understaffed_sql()).where(
            HelpSession.id == session.id
        )
    ).one()
    staff = queries.staffing_of(session)
    assert needed == staff.needed
    assert bool(short) == staff.needs_coaches
