"""The front desk's home: today per digipunt of their municipalities (appointments, checked
in, no-shows, walk-ins waiting), the call list, and booking for a caller."""

from __future__ import annotations

from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.factories import in_days
from tests.helpdesk.factories import make_help_session
from tests.workspace.conftest import count_of, figure_of, home_page
from tests.workspace.factories import make_appointment_at, make_walk_in


def test_today_per_digipunt_counts_what_the_desk_lists(client, world):
    today = make_help_session(world.location, starts_at=in_days(0, 9), hours=5, mode="hybrid")
    for status in ("booked", "booked", "attended", "no_show", "cancelled"):
        make_appointment_at(today, status=status)
    tomorrow = make_help_session(world.location, starts_at=in_days(1, 9), mode="appointment")
    make_appointment_at(tomorrow)  # not today
    kortrijk = make_help_session(world.kortrijk_location, starts_at=in_days(0, 9), hours=5)
    make_appointment_at(kortrijk)  # not the desk's municipality
    for status in ("waiting", "waiting", "called", "helped"):
        make_walk_in(world.location, status=status)
    db.session.commit()

    page = home_page(client, world.desk)
    card = f"digipunt-{world.location.id}"
    assert figure_of(page, card, "appointments") == 4  # the cancelled one is not expected
    assert figure_of(page, card, "checked-in") == 1
    assert figure_of(page, card, "no-shows") == 1
    assert figure_of(page, card, "waiting") == 2
    # Quiet digipunten are left out; Kortrijk is not the desk's.
    assert f"digipunt-{world.other_location.id}" not in page
    assert f"digipunt-{world.kortrijk_location.id}" not in page
    assert f'href="/desk?location_id={world.location.id}"' in page
    assert f'href="/desk/walk-ins?location_id={world.location.id}"' in page

    listed = client.get(f"/desk?location_id={world.location.id}").get_data(as_text=True)
    assert "5 appointments" in listed  # the desk's list shows the cancelled one too


def test_a_digipunt_with_only_walk_ins_leaves_the_home_once_they_are_called(client, world):
    waiting = [make_walk_in(world.other_location) for _ in range(3)]
    db.session.commit()

    page = home_page(client, world.desk)
    assert figure_of(page, f"digipunt-{world.other_location.id}", "waiting") == 3
    assert "3 things need you now." in page

    for walk_in in waiting:
        walk_in.status = "called"
        walk_in.called_at = clock.now()
    db.session.commit()
    page = client.get("/work").get_data(as_text=True)
    assert f"digipunt-{world.other_location.id}" not in page
    assert "No appointments and nobody waiting at your digipunten today." in page
    assert "Everything is handled" in page


def test_citizens_to_call_are_the_call_list(client, world):
    coming = make_help_session(world.location, starts_at=in_days(2, 14), mode="appointment")
    to_call = make_appointment_at(coming, status="cancelled_by_organiser", email=None)
    make_appointment_at(coming, status="cancelled_by_organiser", email="an@example.org")
    db.session.commit()

    page = home_page(client, world.desk)
    assert count_of(page, "call-list") == 1
    call_list = client.get("/desk/call-list").get_data(as_text=True)
    assert to_call.reference in call_list

    to_call.called_at = clock.now()
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "call-list") is None


def test_the_desk_can_book_for_a_caller_from_the_home(client, world):
    page = home_page(client, world.desk)
    assert 'href="/desk/book"' in page
    assert 'data-section="coordinator"' not in page
    assert 'data-section="programme"' not in page
    assert 'data-section="coach"' not in page
