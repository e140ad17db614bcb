"""Help for a walk-in called from the queue: the log form starts from what the desk asked
(topic, language, first visit), the log is linked to the walk-in (once), and logging a called
walk-in marks them helped."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digicoach.bookings import walk_ins
from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.extensions import db
from digicoach.helplog import services
from digicoach.helplog.models import HelpLog
from tests.conftest import sign_in
from tests.factories import make_desk
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.helplog.factories import make_booked_appointment
from tests.helplog.test_help_log import details


@pytest.fixture
def shift_today(world, frozen):
    coach = make_working_coach(world.gent, topics=("eid_itsme", "email"), languages=("nl", "ar"))
    session = make_help_session(world.location, starts_at=frozen - timedelta(hours=1))
    shift = make_shift(session, coach)
    db.session.commit()
    return shift


@pytest.fixture
def called(world, frozen, shift_today, in_request) -> WalkIn:
    """Walk-in number 1 (eID, Arabic, a returning citizen), called by the coach to tafel 2."""
    desk = make_desk([world.gent], name="Dirk Desk", language="en")
    walk_in = walk_ins.register_walk_in(
        actor=desk,
        location=world.location,
        topic="eid_itsme",
        language="ar",
        first_visit=False,
        now=frozen - timedelta(minutes=20),
    )
    walk_ins.call_next(
        actor=shift_today.coach.user, location=world.location, station="tafel 2", now=frozen
    )
    db.session.commit()
    return walk_in


def _checked(html: str, name: str) -> list[str]:
    inputs = re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", html)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if "checked" in i]


def _selected(html: str, name: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    chosen = [o for o in options if "selected" in o]
    return re.search(r'value="([^"]*)"', chosen[0]).group(1)


def test_the_log_form_opens_pre_filled_from_the_walk_in(client, world, frozen, called, shift_today):
    sign_in(client, shift_today.coach.user)
    page = client.get(f"/helplog/new?walk_in={called.id}")
    assert page.status_code == 200
    html = page.text
    assert "Walk-in number 1" in html
    assert _checked(html, "topics") == ["eid_itsme"]
    assert _checked(html, "visit") == ["returning"]
    assert re.search(
        r'<option[^>]*selected[^>]*value="ar"|<option[^>]*value="ar"[^>]*selected', html
    )
    assert 'name="citizens"' not in html  # one walk-in is one citizen


def test_logging_a_called_walk_in_links_the_log_and_marks_them_helped(
    client, world, frozen, called, shift_today
):
    sign_in(client, shift_today.coach.user)
    response = client.post(
        f"/helplog/new?walk_in={called.id}",
        data={
            "topics": ["eid_itsme"],
            "minutes": "30",
            "visit": "returning",
            "citizens": "4",  # ignored: a walk-in is one citizen
            "outcome": "solved",
            "language": "ar",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    log = db.session.scalar(select(HelpLog))
    assert (log.walk_in_id, log.citizens, log.first_visit, log.language) == (
        called.id,
        1,
        False,
        "ar",
    )
    assert log.help_session_id == shift_today.session_id
    walk_in = db.session.get(WalkIn, called.id)
    assert (walk_in.status, walk_in.helped_at) == (WalkInStatus.HELPED, frozen)
    # Once per walk-in: the form sends the coach back with a message.
    again = client.get(f"/helplog/new?walk_in={called.id}")
    assert again.status_code == 302


def test_a_helped_walk_in_is_logged_once_and_stays_helped(
    world, frozen, called, shift_today, in_request
):
    coach = shift_today.coach
    walk_ins.mark_helped(actor=coach.user, walk_in=called, now=frozen + timedelta(minutes=5))
    data = services.HelpInput(details=details(), walk_in_id=called.id)
    log = services.record_help(actor=coach.user, data=data, now=frozen + timedelta(minutes=10))
    assert log.walk_in_id == called.id
    assert called.helped_at == frozen + timedelta(minutes=5)  # not moved by the log
    with pytest.raises(Conflict) as refused:
        services.record_help(actor=coach.user, data=data, now=frozen + timedelta(minutes=11))
    assert refused.value.code == "help_log.logged_already"
    logged = select(func.count()).select_from(HelpLog).where(HelpLog.walk_in_id == called.id)
    assert db.session.scalar(logged) == 1


def test_a_walk_in_is_logged_only_by_a_coach_on_shift_there_and_only_once_called(
    world, frozen, called, shift_today, in_request
):
    elsewhere = make_working_coach(world.gent)
    make_shift(make_help_session(world.kortrijk_location, starts_at=frozen), elsewhere)
    waiting = walk_ins.register_walk_in(
        actor=make_desk([world.gent]),
        location=world.location,
        topic="email",
        language="nl",
        now=frozen,
    )
    db.session.commit()
    for actor, walk_in in ((elsewhere.user, called), (shift_today.coach.user, waiting)):
        with pytest.raises(ValidationFailed) as refused:
            services.record_help(
                actor=actor,
                data=services.HelpInput(details=details(), walk_in_id=walk_in.id),
                now=frozen,
            )
        assert "walk_in" in refused.value.errors


def test_the_coachs_today_page_lists_the_walk_ins_they_called(
    client, world, frozen, called, shift_today
):
    sign_in(client, shift_today.coach.user)
    page = client.get("/helplog/")
    assert "Walk-ins you called today" in page.text
    assert f"/helplog/new?walk_in={called.id}" in page.text


def test_the_log_form_opens_pre_filled_from_an_appointment(client, world, frozen, shift_today):
    appointment = make_booked_appointment(shift_today.session, topic="email", language="ar")
    db.session.commit()
    sign_in(client, shift_today.coach.user)
    html = client.get(f"/helplog/new?appointment={appointment.id}").text
    assert _checked(html, "topics") == ["email"]
    assert re.search(
        r'<option[^>]*selected[^>]*value="ar"|<option[^>]*value="ar"[^>]*selected', html
    )
