"""The walk-in queue: numbers only where walk-in hours run today, call next (the first who
fits), helped / left / back in line, waiting times, and the waiting display."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digicoach.bookings import walk_ins
from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.core import clock
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.extensions import db
from tests.bookings.factories import in_days, make_bookable_session
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift


@pytest.fixture
def morning(monkeypatch):
    """Today at 10:00 local time."""
    moment = in_days(0, 10)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


@pytest.fixture
def open_today(world, morning):
    """Walk-in hours today 9:00-14:00 at the main digipunt, with one coach (e-mail, Dutch)."""
    coach = world.coach(topics=("email",), languages=("nl",))
    session = make_help_session(world.location, starts_at=in_days(0, 9), hours=5)
    make_shift(session, coach)
    db.session.commit()
    return coach


def _register(world, topic="email", language="nl", location=None, **values):
    return walk_ins.register_walk_in(
        actor=world.desk,
        location=location or world.location,
        topic=topic,
        language=language,
        now=values.pop("now", clock.now()),
        **values,
    )


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(WalkIn))


# --- registration -----------------------------------------------------------------------------


def test_walk_ins_get_the_next_queue_number_of_the_day(world, open_today):
    make_help_session(world.other_location, starts_at=in_days(0, 9), mode="hybrid", hours=5)
    first = _register(world, first_visit=True)
    second = _register(world, topic="eid_itsme", language="ar", first_visit=False)
    other = _register(world, location=world.other_location)
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert (first.first_visit, second.first_visit, other.first_visit) == (True, False, None)
    assert first.status == WalkInStatus.WAITING
    with pytest.raises(ValidationFailed) as refused:
        _register(world, topic="x")
    assert set(refused.value.errors) == {"topic"}


def test_the_desk_refuses_a_walk_in_where_no_walk_in_session_runs_today_and_names_the_next(
    world, morning
):
    coach = world.coach()
    # Today: an appointment-only session, a cancelled walk-in session and one that is over.
    make_bookable_session(world.location, [coach], starts_at=in_days(0, 13))
    make_help_session(world.location, starts_at=in_days(0, 11), status="cancelled")
    make_help_session(world.location, starts_at=in_days(0, 7), hours=2)
    # Elsewhere today does not count; the next walk-in hours here are in four days.
    make_help_session(world.other_location, starts_at=in_days(0, 9))
    make_help_session(world.location, starts_at=in_days(4, 13, 30), hours=3)
    make_help_session(world.location, starts_at=in_days(6, 9))
    db.session.commit()

    with pytest.raises(walk_ins.NoWalkInHours) as refused:
        _register(world)

    day = clock.local(in_days(4)).strftime("%A")
    assert refused.value.message == (
        "There is no walk-in help session at Dienstencentrum Ledeberg today. "
        f"The next one: {day} {clock.local(in_days(4)).day} "
        f"{clock.local(in_days(4)).strftime('%B')} from 13:30 to 16:30."
    )
    assert _count() == 0


def test_without_coming_walk_in_hours_the_refusal_says_none_are_planned(world, morning):
    with pytest.raises(walk_ins.NoWalkInHours) as refused:
        _register(world)
    assert refused.value.message.endswith("No other walk-in hours are planned yet.")


def test_a_session_running_now_or_later_today_opens_the_queue(world, morning):
    make_help_session(world.location, starts_at=in_days(0, 15), mode="hybrid")
    db.session.commit()
    assert _register(world).number == 1


def test_the_desk_page_refuses_with_the_message_and_writes_nothing(client, world, morning):
    make_help_session(world.location, starts_at=in_days(2, 13, 30), hours=3)
    db.session.commit()
    sign_in(client, world.desk)
    page = client.get(f"/desk/walk-ins?location_id={world.location.id}")
    assert "There is no walk-in help session at Dienstencentrum Ledeberg today." in page.text
    response = client.post(
        "/desk/walk-ins",
        data={
            "location_id": str(world.location.id),
            "topic": "email",
            "language": "nl",
            "first_visit": "yes",
        },
    )
    assert response.status_code == 422
    assert "The next one:" in response.text
    assert "from 13:30 to 16:30" in response.text
    assert _count() == 0


def test_the_desk_page_asks_first_visit_and_keeps_the_answer(client, world, open_today):
    sign_in(client, world.desk)
    for answer, expected in (("yes", True), ("no", False), ("", None)):
        response = client.post(
            "/desk/walk-ins",
            data={
                "location_id": str(world.location.id),
                "topic": "email",
                "language": "nl",
                "first_visit": answer,
            },
        )
        assert response.status_code == 303
        db.session.rollback()
        latest = db.session.scalar(select(WalkIn).order_by(WalkIn.number.desc()))
        assert latest.first_visit is expected
    bad = client.post(
        "/desk/walk-ins",
        data={
            "location_id": str(world.location.id),
            "topic": "email",
            "language": "nl",
            "first_visit": "maybe",
        },
    )
    assert bad.status_code == 422
    assert _count() == 3


# --- calling ----------------------------------------------------------------------------------


def test_call_next_gives_a_coach_the_first_walk_in_whose_topic_and_language_fit(
    world, open_today, in_request
):
    coach = open_today  # e-mail, Dutch
    _register(world, topic="eid_itsme", language="nl")  # 1: a topic the coach does not know
    _register(world, topic="email", language="fr")  # 2: a language the coach does not speak
    _register(world, topic="other", language="nl")  # 3: "other" fits every coach
    _register(world, topic="email", language="nl")  # 4
    now = clock.now()

    first = walk_ins.call_next(
        actor=coach.user, location=world.location, station="tafel 2", now=now
    )
    second = walk_ins.call_next(
        actor=coach.user, location=world.location, station="tafel 2", now=now
    )
    assert (first.number, second.number) == (3, 4)
    assert first.status == WalkInStatus.CALLED
    assert (first.called_at, first.called_by_id, first.station) == (now, coach.user_id, "tafel 2")
    with pytest.raises(walk_ins.NobodyWaiting) as nobody:
        walk_ins.call_next(actor=coach.user, location=world.location, station="tafel 2", now=now)
    assert "your topics and languages" in nobody.value.message

    # The desk calls the first in line, whatever the topic and language.
    desk_call = walk_ins.call_next(
        actor=world.desk, location=world.location, station=" onthaal ", now=now
    )
    assert (desk_call.number, desk_call.station) == (1, "onthaal")


def test_only_the_desk_in_scope_and_coaches_on_shift_there_today_work_the_queue(
    world, open_today, in_request
):
    _register(world)
    elsewhere = world.coach()  # no shift today
    for actor in (elsewhere.user, world.other_desk):
        with pytest.raises(PermissionDenied):
            walk_ins.call_next(
                actor=actor, location=world.location, station="tafel 1", now=clock.now()
            )
    assert db.session.scalar(select(WalkIn.status)) == WalkInStatus.WAITING


def test_a_call_needs_a_short_station(world, open_today, in_request):
    _register(world)
    for station in ("", "   ", "x" * 21, None):
        with pytest.raises(ValidationFailed) as refused:
            walk_ins.call_next(
                actor=world.desk, location=world.location, station=station, now=clock.now()
            )
        assert set(refused.value.errors) == {"station"}
    with pytest.raises(walk_ins.NobodyWaiting):
        walk_ins.call_next(
            actor=world.desk, location=world.other_location, station="1", now=clock.now()
        )


def test_a_walk_in_called_by_someone_else_is_not_called_again(world, open_today, in_request):
    walk_in = _register(world)
    walk_ins.call(actor=world.desk, walk_in=walk_in, station="tafel 1", now=clock.now())
    with pytest.raises(walk_ins.AlreadyMoved):
        walk_ins.call(actor=open_today.user, walk_in=walk_in, station="tafel 2", now=clock.now())
    assert walk_in.station == "tafel 1"


def test_helped_left_and_back_in_line(world, open_today, in_request):
    now = clock.now()
    one, two, three = _register(world), _register(world), _register(world)
    walk_ins.call(actor=world.desk, walk_in=one, station="tafel 1", now=now)
    later = now + timedelta(minutes=20)
    walk_ins.mark_helped(actor=open_today.user, walk_in=one, now=later)
    assert (one.status, one.helped_at) == (WalkInStatus.HELPED, later)
    with pytest.raises(walk_ins.AlreadyMoved):
        walk_ins.mark_left(actor=world.desk, walk_in=one, now=later)

    walk_ins.mark_left(actor=world.desk, walk_in=three, now=later)
    assert (three.status, three.left_at) == (WalkInStatus.LEFT, later)

    called = walk_ins.call_next(actor=world.desk, location=world.location, station="t", now=now)
    assert called.number == 2
    walk_ins.back_in_line(actor=world.desk, walk_in=two, now=later)
    assert (two.status, two.called_at, two.station) == (WalkInStatus.WAITING, None, "")
    again = walk_ins.call_next(actor=world.desk, location=world.location, station="t", now=later)
    assert again.number == 2
    with pytest.raises(walk_ins.AlreadyMoved):
        walk_ins.back_in_line(actor=world.desk, walk_in=one, now=later)


def test_the_queue_shows_each_wait_and_the_average_of_the_day(world, open_today, in_request):
    now = clock.now()
    one = _register(world, now=now - timedelta(minutes=30))
    two = _register(world, now=now - timedelta(minutes=20))
    _register(world, now=now - timedelta(minutes=5))
    walk_ins.call(actor=world.desk, walk_in=one, station="1", now=now - timedelta(minutes=20))
    walk_ins.call(actor=world.desk, walk_in=two, station="2", now=now)

    (queue,) = walk_ins.queues([world.location], now)

    assert [row.waited_minutes for row in queue.rows] == [10, 20, 5]
    assert queue.average_wait_minutes == 15
    assert (queue.called_count, queue.waiting_count) == (2, 1)
    assert queue.refusal is None


def test_the_display_holds_numbers_and_stations_only(world, open_today, in_request):
    now = clock.now()
    walk_in = [_register(world) for _ in range(6)]
    for index, station in enumerate(("tafel 1", "tafel 2", "tafel 3", "tafel 4", "tafel 5")):
        walk_ins.call(
            actor=world.desk,
            walk_in=walk_in[index],
            station=station,
            now=now + timedelta(minutes=index),
        )
    walk_ins.mark_helped(actor=world.desk, walk_in=walk_in[4], now=now)

    board = walk_ins.display(world.location, now)

    # The last four called and still at their station, newest first; the helped one is gone.
    assert [(c.number, c.station) for c in board.called] == [
        (4, "tafel 4"),
        (3, "tafel 3"),
        (2, "tafel 2"),
        (1, "tafel 1"),
    ]
    assert board.waiting == [6]


# --- pages ------------------------------------------------------------------------------------


def test_the_desk_calls_next_from_the_page_and_the_station_is_remembered(client, world, open_today):
    sign_in(client, world.desk)
    for _ in range(2):
        client.post(
            "/desk/walk-ins",
            data={"location_id": str(world.location.id), "topic": "email", "language": "nl"},
        )
    response = client.post(
        "/desk/walk-ins/call-next",
        data={"location_id": str(world.location.id), "station": "tafel 2"},
    )
    assert response.status_code == 303
    assert "queue_station=" in response.headers["Set-Cookie"]
    page = client.get(response.headers["Location"])
    assert "Number 1 to tafel 2: E-mail" in page.text or "Number 1 to tafel 2" in page.text
    assert 'value="tafel 2"' in page.text  # the station field remembers it
    assert "Average wait today:" in page.text

    number_two = db.session.scalar(select(WalkIn).where(WalkIn.number == 2))
    assert client.post(f"/desk/walk-ins/{number_two.id}/left", data={}).status_code == 303
    db.session.rollback()
    assert db.session.get(WalkIn, number_two.id).status == WalkInStatus.LEFT

    empty = client.post(
        "/desk/walk-ins/call-next",
        data={"location_id": str(world.location.id), "station": "tafel 2"},
    )
    assert "Nobody is waiting." in client.get(empty.headers["Location"]).text


def test_queue_actions_answer_404_outside_the_actors_queues(client, world, open_today, app):
    walk_in = _register(world)
    db.session.commit()
    sign_in(client, world.other_desk)
    assert (
        client.post(f"/desk/walk-ins/{walk_in.id}/call", data={"station": "1"}).status_code == 404
    )
    assert (
        client.post(
            "/desk/walk-ins/call-next", data={"location_id": str(world.location.id), "station": "1"}
        ).status_code
        == 404
    )
    assert client.post("/desk/walk-ins/987654/helped", data={}).status_code == 404


def test_a_coach_on_shift_calls_next_from_the_queue_page(app, world, open_today):
    _register(world, topic="eid_itsme")
    _register(world, topic="email")
    db.session.commit()
    coach_client = app.test_client()
    coach_client.set_cookie("lang", "en")
    sign_in(coach_client, open_today.user)
    page = coach_client.get("/desk/walk-ins")
    assert "Call next" in page.text
    assert "Register a walk-in" not in page.text
    response = coach_client.post(
        "/desk/walk-ins/call-next",
        data={"location_id": str(world.location.id), "station": "tafel 3"},
    )
    assert response.status_code == 303
    db.session.rollback()
    called = db.session.scalar(select(WalkIn).where(WalkIn.status == WalkInStatus.CALLED))
    assert (called.number, called.station, called.called_by_id) == (
        2,
        "tafel 3",
        open_today.user_id,
    )


def test_the_waiting_display_refreshes_itself_without_javascript(client, world, open_today):
    called = _register(world)
    _register(world, topic="eid_itsme", language="ar", first_visit=True)
    walk_ins.call(actor=world.desk, walk_in=called, station="tafel 2", now=clock.now())
    db.session.commit()

    response = client.get(f"/digipunten/{world.location.id}/wachtscherm")

    assert response.status_code == 200
    html = response.text
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "<script" not in html.lower()
    assert re.search(r"queue-number\">1</span>.*tafel 2", html, re.S)
    assert response.headers["Cache-Control"] == "no-store"
    # No personal data: no topic, no language, no staff names.
    for private in ("eID", "E-mail", "Arabic", "Dirk Desk", world.desk.email):
        assert private not in html
    still = client.get(f"/digipunten/{world.location.id}/wachtscherm?refresh=off")
    assert "http-equiv" not in still.text


def test_the_waiting_display_of_an_unknown_or_inactive_digipunt_is_404(client, world):
    assert client.get("/digipunten/987654/wachtscherm").status_code == 404
    world.kortrijk_location.active = False
    db.session.commit()
    assert client.get(f"/digipunten/{world.kortrijk_location.id}/wachtscherm").status_code == 404
