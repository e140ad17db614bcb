"""A digicoach's home: the next shift with who is booked (first names and languages only),
help still to log, the next training session, open invitations and the hours this year."""

from __future__ import annotations

import re
from datetime import timedelta

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.training import rules as training_rules
from digicoach.training.models import Enrolment
from tests.bookings.factories import in_days
from tests.helpdesk.factories import make_help_session, make_shift
from tests.training.factories import make_cohort, make_session
from tests.workspace.conftest import count_of, home_page
from tests.workspace.factories import invite, make_appointment_at, make_log_for


def test_the_next_shift_shows_who_is_booked_by_first_name_and_language(client, world):
    later = make_help_session(world.location, starts_at=in_days(6, 14), mode="appointment")
    make_shift(later, world.coach)
    soon = make_help_session(world.other_location, starts_at=in_days(2, 14), mode="appointment")
    make_shift(soon, world.coach)
    make_appointment_at(
        soon, first_name="Maria", language="ar", topic="email", phone="+32470111222"
    )
    make_appointment_at(soon, first_name="Jan", language="nl", topic="itsme")
    make_appointment_at(soon, first_name="Gone", status="cancelled")
    db.session.commit()

    page = home_page(client, world.coach.user)
    assert "Good morning, Yusuf" in page
    next_shift = page[page.index('data-item="next-shift"') :]
    next_shift = next_shift[: next_shift.index("</li>\n    ")]
    assert "Bibliotheek Rabot" in next_shift  # the sooner of the two
    assert "2 citizens booked:" in next_shift
    assert "Maria (Arabic)" in page and "Jan (Dutch)" in page
    assert "Gone" not in page
    assert "0470" not in page and "+32470111222" not in page
    assert 'href="/helpdesk/my-shifts"' in page


def test_a_shift_that_runs_now_is_the_shift_now(client, world):
    running = make_help_session(world.location, starts_at=in_days(0, 9), hours=3)
    make_shift(running, world.coach)
    make_shift(make_help_session(world.location, starts_at=in_days(1, 9)), world.coach)
    db.session.commit()
    page = home_page(client, world.coach.user)
    assert "Your shift now" in page
    assert "Your next shift" not in page


def test_without_a_shift_the_coach_is_sent_to_find_one(client, world):
    page = home_page(client, world.coach.user)
    assert "You have no shift planned." in page
    assert 'href="/helpdesk/shifts"' in page
    assert 'data-section="coordinator"' not in page and 'data-section="desk"' not in page


def test_help_still_to_log_links_to_the_log_form_and_goes_once_logged(client, world):
    ended = make_help_session(world.location, starts_at=in_days(-1, 14))
    shift = make_shift(ended, world.coach)
    logged = make_help_session(world.location, starts_at=in_days(-3, 14))
    make_shift(logged, world.coach)
    make_log_for(world.coach, logged)
    db.session.commit()

    page = home_page(client, world.coach.user)
    assert count_of(page, "to-log") == 1
    assert f'href="/helplog/new?shift={shift.id}"' in page
    assert "1 thing needs you now." in page

    make_log_for(world.coach, ended)
    db.session.commit()
    page = client.get("/work").get_data(as_text=True)
    assert count_of(page, "to-log") is None
    assert "Everything is handled" in page


def test_the_next_training_session_of_a_group_the_coach_is_enrolled_in(client, world):
    cohort = make_cohort(world.programme, [world.gent], name="Groep De Krook dinsdag")
    make_session(cohort, starts_at=clock.now() - timedelta(days=3))  # already held
    make_session(cohort, starts_at=clock.now() + timedelta(days=4))
    db.session.add(
        Enrolment(cohort_id=cohort.id, coach_id=world.coach.id, status=training_rules.ENROLLED)
    )
    withdrawn = make_cohort(world.programme, [world.gent], name="Groep verlaten")
    make_session(withdrawn, starts_at=clock.now() + timedelta(days=1))
    db.session.add(
        Enrolment(cohort_id=withdrawn.id, coach_id=world.coach.id, status=training_rules.WITHDRAWN)
    )
    db.session.commit()

    page = home_page(client, world.coach.user)
    assert 'data-item="next-training"' in page
    assert "Groep De Krook dinsdag" in page
    assert "Groep verlaten" not in page
    assert 'href="/training/mine"' in page


def test_open_invitations_count_until_the_coach_signs_up(client, world):
    wanted = make_help_session(world.location, starts_at=in_days(5, 14))
    invite(world.coach.user, wanted)
    full = make_help_session(world.location, starts_at=in_days(6, 14), coaches_max=1)
    invite(world.coach.user, full)
    make_shift(full, world.working_coach())
    db.session.commit()

    page = home_page(client, world.coach.user)
    assert count_of(page, "invitations") == 1
    day = clock.local(wanted.starts_at).date().isoformat()
    assert f"/helpdesk/shifts?day={day}#offer-{wanted.id}" in page

    with db.session.no_autoflush:
        make_shift(wanted, world.coach)
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "invitations") is None


def test_hours_this_year_add_up_the_shifts_that_ended(client, world):
    year = clock.local(clock.now()).year
    expected = 0.0
    for days in (-1, -8):
        ended = make_help_session(world.location, starts_at=in_days(days, 14), hours=2.5)
        make_shift(ended, world.coach)
        make_log_for(world.coach, ended)
        # Early in January the week before belongs to last year, and does not count.
        expected += 2.5 if clock.local(ended.starts_at).year == year else 0
    coming = make_help_session(world.location, starts_at=in_days(1, 14), hours=3)
    make_shift(coming, world.coach)
    db.session.commit()

    page = home_page(client, world.coach.user)
    shown = re.search(r'data-item="hours">.*?class="work-count">([^<]+)<', page, re.DOTALL)
    assert shown is not None
    assert shown.group(1) == {5.0: "5", 2.5: "2.5", 0.0: "0"}[expected]
    assert "hours on shifts in" in page
