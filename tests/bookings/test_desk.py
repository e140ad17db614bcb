"""The front desk books in one pass: the slot table says what each help session takes, the
desk filters by topic (and language) first, "no phone" needs a note, the slip prints."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from digicoach.bookings import services
from digicoach.bookings.models import Appointment, BookingChannel, Slot
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from tests.bookings.factories import booking_input, in_days, make_bookable_session
from tests.conftest import sign_in


def _stored(model=Appointment) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _count(model=Appointment) -> int:
    """What the requests committed (a fresh read)."""
    db.session.rollback()
    return _stored(model)


def _slot(session, start=None) -> str:
    return f"{session.id}@{(start or session.starts_at).isoformat()}"


def _row(html: str, session) -> str:
    """The slot table's row of one help session."""
    match = re.search(rf'<th scope="row" id="session-{session.id}">.*?</tr>', html, re.S)
    assert match, f"no row for session {session.id}"
    return match.group(0)


@pytest.fixture
def sessions(world):
    """Three sessions at the desk's digipunt: e-mail in Dutch and French, banking in Dutch,
    and one that lists nothing (takes any topic and language)."""
    email = make_bookable_session(
        world.location,
        [world.coach()],
        starts_at=in_days(2, 9),
        topics=("email",),
        languages=("nl", "fr"),
    )
    banking = make_bookable_session(
        world.location,
        [world.coach()],
        starts_at=in_days(3, 9),
        topics=("online_banking",),
        languages=("nl",),
    )
    anything = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(4, 9), languages=()
    )
    db.session.commit()
    return email, banking, anything


# --- the rule, in the service --------------------------------------------------------------


def _desk_input(session, **values):
    values = {
        "channel": BookingChannel.PHONE,
        "phone": "",
        "no_phone": True,
        "staff_note": "",
        "consent": None,
        **values,
    }
    return booking_input(session, **values)


@pytest.mark.parametrize("note", ["", "   "])
def test_no_phone_without_a_note_is_refused_on_the_note_and_nothing_is_written(
    world, sessions, note
):
    email, _banking, _anything = sessions

    with pytest.raises(ValidationFailed) as refused:
        services.book(actor=world.desk, data=_desk_input(email, staff_note=note), now=in_days(0, 8))

    assert list(refused.value.errors) == ["staff_note"]
    assert refused.value.errors["staff_note"] == [
        "Write how we can reach this person, or what to tell them."
    ]
    assert _stored() == 0
    assert _stored(Slot) == 0  # not even the lazy slot row


def test_no_phone_with_a_note_books(world, sessions):
    email, _banking, _anything = sessions

    booking = services.book(
        actor=world.desk,
        data=_desk_input(email, staff_note="Comes to the counter on Monday"),
        now=in_days(0, 8),
    )

    assert booking.appointment.phone is None
    assert booking.appointment.staff_note == "Comes to the counter on Monday"


def test_a_note_is_not_needed_with_a_phone_or_online(world, sessions):
    email, banking, _anything = sessions
    with_phone = _desk_input(email, phone="0470 12 34 56", no_phone=False)
    services.book(actor=world.desk, data=with_phone, now=in_days(0, 8))
    # Online the box does not exist: a stray no_phone never asks for a staff note.
    services.book(
        actor=None,
        data=booking_input(banking, topic="online_banking", no_phone=True),
        now=in_days(0, 8),
    )
    assert _stored() == 2


# --- the slot table ------------------------------------------------------------------------


def test_the_slot_table_says_per_session_which_topics_and_languages_it_takes(
    client, world, sessions
):
    email, banking, anything = sessions
    sign_in(client, world.desk)

    html = client.get(f"/desk/book?location_id={world.location.id}").get_data(as_text=True)

    email_row = _row(html, email)
    assert "E-mail" in email_row and "Dutch, French" in email_row
    assert "Something else" in email_row  # every session takes "other"
    assert "Online banking" not in email_row
    banking_row = _row(html, banking)
    assert "Online banking" in banking_row and "Dutch" in banking_row
    assert "French" not in banking_row
    anything_row = _row(html, anything)
    assert "all topics" in anything_row and "all languages" in anything_row
    # Four 30-minute times per two-hour session, each a radio button with its places left.
    assert email_row.count('type="radio"') == 4
    assert _slot(email) in email_row
    assert "(1 free)" in email_row
    assert "12 free times in the next 2 weeks." in html


def test_choosing_a_topic_first_narrows_the_table_to_sessions_that_take_it(client, world, sessions):
    email, banking, anything = sessions
    sign_in(client, world.desk)

    page = client.get(f"/desk/book?location_id={world.location.id}&topic=online_banking")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _slot(banking) in html and _slot(anything) in html
    assert _slot(email) not in html
    assert "8 free times in the next 2 weeks." in html
    assert "Only for: Online banking." in html
    # The booking form below starts with the chosen topic, and keeps the filter when sent.
    assert re.search(r'<option selected value="online_banking">', html)
    assert "topic=online_banking" in re.search(r'action="([^"]*)"[^>]*class="desk-book"', html)[1]


def test_the_language_filter_narrows_too_and_both_combine(client, world, sessions):
    email, banking, anything = sessions
    sign_in(client, world.desk)
    base = f"/desk/book?location_id={world.location.id}"

    french = client.get(f"{base}&language=fr").get_data(as_text=True)
    french_email = client.get(f"{base}&language=fr&topic=email").get_data(as_text=True)

    assert _slot(email) in french and _slot(anything) in french
    assert _slot(banking) not in french
    assert _slot(email) in french_email and _slot(anything) in french_email
    assert _slot(banking) not in french_email
    assert "Only for: E-mail, French." in french_email


def test_nothing_free_for_the_topic_says_so_and_points_to_other_digipunten(client, world):
    make_bookable_session(world.location, [world.coach()], topics=("email",))
    make_bookable_session(world.other_location, [world.coach()], topics=("health_apps",))
    db.session.commit()
    sign_in(client, world.desk)

    html = client.get(f"/desk/book?location_id={world.location.id}&topic=health_apps").get_data(
        as_text=True
    )

    assert 'name="slot"' not in html and ">Book</button>" not in html  # no form that must fail
    assert "No free time for Health apps at Dienstencentrum Ledeberg" in html
    assert "Free elsewhere" in html
    assert f"location_id={world.other_location.id}&amp;topic=health_apps" in html
    assert "Bibliotheek Rabot (Gent)</a>: 4 free times" in html


@pytest.mark.parametrize(
    "query", ["topic=nonsense", "language=xx", "topic=&language=", "topic=%00x", "location_id=x"]
)
def test_a_filter_the_desk_cannot_have_shows_every_time(client, world, sessions, query):
    email, banking, anything = sessions
    sign_in(client, world.desk)

    page = client.get(f"/desk/book?location_id={world.location.id}&{query}")

    assert page.status_code in (200, 400)  # NUL is refused at the door
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        assert all(_slot(s) in html for s in (email, banking, anything))


def test_the_desk_books_a_caller_in_one_pass_after_choosing_the_topic(client, world, sessions):
    _email, banking, _anything = sessions
    sign_in(client, world.desk)
    url = f"/desk/book?location_id={world.location.id}&topic=online_banking"
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]*)"', html)[1]

    done = client.post(
        url,
        data={
            "token": token,
            "location_id": str(world.location.id),
            "slot": _slot(banking),
            "topic": "online_banking",
            "language": "nl",
            "first_name": "Fatima",
            "phone": "0470 12 34 56",
        },
    )

    assert done.status_code == 303
    assert _count() == 1


def test_no_phone_without_a_note_is_shown_on_the_note_field(client, world, sessions):
    email, _banking, _anything = sessions
    sign_in(client, world.desk)
    url = f"/desk/book?location_id={world.location.id}&topic=email"

    refused = client.post(
        url,
        data={
            "location_id": str(world.location.id),
            "slot": _slot(email),
            "topic": "email",
            "language": "nl",
            "first_name": "Jan",
            "phone": "",
            "no_phone": "y",
            "staff_note": "",
        },
    )

    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'id="staff_note-error">.*Write how we can reach this person', html, re.S), (
        html
    )
    assert 'href="#staff_note"' in html  # in the error summary too
    # The filter and the chosen time survive the refusal.
    assert re.search(rf'value="{re.escape(_slot(email))}" checked', html)
    assert "Only for: E-mail." in html
    assert _count() == 0


def test_the_move_page_offers_only_times_that_take_the_appointments_topic(client, world, sessions):
    email, banking, anything = sessions
    booking = services.book(
        actor=world.desk,
        data=_desk_input(banking, topic="online_banking", staff_note="Calls back"),
        now=in_days(0, 8),
    )
    db.session.commit()
    sign_in(client, world.desk)

    html = client.get(f"/desk/appointments/{booking.appointment.id}/move").get_data(as_text=True)

    assert _slot(anything) in html
    assert _slot(banking, banking.starts_at.replace(minute=30)) in html
    assert _slot(email) not in html


# --- the slip --------------------------------------------------------------------------------


def test_the_slip_has_a_print_button_a_print_stylesheet_and_says_how_to_print_without_js(
    client, world, sessions
):
    email, _banking, _anything = sessions
    booking = services.book(
        actor=world.desk, data=_desk_input(email, staff_note="Calls back"), now=in_days(0, 8)
    )
    db.session.commit()
    sign_in(client, world.desk)

    page = client.get(f"/desk/appointments/{booking.appointment.id}")

    html = page.get_data(as_text=True)
    assert re.search(r'<button type="button" class="[^"]*" data-print hidden>Print the slip', html)
    assert '<script src="/static/js/print.js" defer></script>' in html
    assert re.search(
        r'<link rel="stylesheet" media="print" href="/static/css/slip-print.css">', html
    )
    assert "<noscript><p>To print the slip, press Ctrl+P" in html
    assert "onclick" not in html  # the CSP forbids inline handlers
    for path in ("/static/js/print.js", "/static/css/slip-print.css"):
        with client.get(path) as served:
            assert served.status_code == 200
            assert b"window.print()" in served.data or b"@page" in served.data


def test_the_slip_is_in_the_citizens_language_and_the_desk_buttons_in_the_staffs(
    client, world, sessions
):
    email, _banking, _anything = sessions
    booking = services.book(
        actor=world.desk,
        data=_desk_input(email, staff_note="Calls back", contact_language="fr"),
        now=in_days(0, 8),
    )
    db.session.commit()
    sign_in(client, world.desk)

    html = client.get(f"/desk/appointments/{booking.appointment.id}").get_data(as_text=True)

    start = html.index('<div class="slip" lang="fr">')
    slip = html[start : html.index('<p class="no-print">', start)]
    with force_locale("fr"):
        assert gettext("Appointment for digital help") in slip
    assert "Appointment for digital help" not in slip
    assert "Mark as arrived" in html  # the desk works in English here
    assert "Calls back" not in slip  # the staff note never goes home with the citizen


def test_the_move_page_says_so_when_no_other_time_takes_the_topic(client, world):
    only = make_bookable_session(
        world.location, [world.coach()], topics=("email",), slot_minutes=120
    )
    make_bookable_session(world.location, [world.coach()], topics=("online_banking",))
    booking = services.book(
        actor=world.desk,
        data=_desk_input(only, topic="email", staff_note="Calls back"),
        now=in_days(0, 8),
    )
    db.session.commit()
    sign_in(client, world.desk)

    html = client.get(f"/desk/appointments/{booking.appointment.id}/move").get_data(as_text=True)

    assert "No free time for E-mail, Dutch at Dienstencentrum Ledeberg" in html
    assert 'name="slot"' not in html
