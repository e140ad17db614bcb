"""Calendar feeds and downloads, parsed back with icalendar: the right local times (also
across the clock changes), stable UIDs, a secret revocable coach feed, a public location feed."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk.models import CalendarFeed
from digicoach.helpdesk.services import calendar_feeds, cancelling
from tests.conftest import sign_in
from tests.factories import make_programme
from tests.helpdesk.factories import make_help_session, make_shift
from tests.training.factories import enrol, make_cohort, make_module, make_session

BRUSSELS = ZoneInfo("Europe/Brussels")


def events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def _local(event, name: str) -> datetime:
    return event.decoded(name).astimezone(BRUSSELS).replace(tzinfo=None)


def test_a_coach_feed_shows_the_shifts_at_14_00_local_on_both_sides_of_the_clock_change(
    client, world, monkeypatch
):
    coach = world.coach()
    days = [date(2026, 10, 20), date(2026, 10, 27)]
    # The clock is frozen before the sessions, so they count as coming.
    now = datetime(2026, 10, 1, 8, 0, tzinfo=BRUSSELS)
    for day in days:
        session = make_help_session(
            world.location,
            starts_at=timeslots.local_moment(day, time(14)),
            ends_at=timeslots.local_moment(day, time(16)),
        )
        make_shift(session, coach)
    db.session.commit()
    token = calendar_feeds.create_calendar_feed(actor=coach.user, coach=coach, now=now)
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: now)
    response = client.get(f"/feeds/coach/{token}.ics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    found = sorted(events(response.data), key=lambda e: e.decoded("dtstart"))
    assert [_local(e, "dtstart") for e in found] == [
        datetime(2026, 10, 20, 14, 0),
        datetime(2026, 10, 27, 14, 0),
    ]
    assert [_local(e, "dtend").time() for e in found] == [time(16, 0)] * 2
    assert [str(e["dtstart"].params.get("TZID")) for e in found] == ["Europe/Brussels"] * 2
    assert all("Dienstencentrum Ledeberg" in str(e["location"]) for e in found)
    assert "VTIMEZONE" in response.get_data(as_text=True)


def test_only_a_hash_is_kept_and_a_new_address_or_revoking_makes_the_old_one_404(client, world):
    coach = world.coach()
    make_shift(make_help_session(world.location), coach)
    db.session.commit()
    first = calendar_feeds.create_calendar_feed(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    stored = db.session.scalar(select(CalendarFeed.token_hash))
    assert first not in stored and len(stored) == 64
    assert client.get(f"/feeds/coach/{first}.ics").status_code == 200

    second = calendar_feeds.create_calendar_feed(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    assert client.get(f"/feeds/coach/{first}.ics").status_code == 404
    assert client.get(f"/feeds/coach/{second}.ics").status_code == 200

    calendar_feeds.revoke_calendar_feed(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    assert client.get(f"/feeds/coach/{second}.ics").status_code == 404
    assert client.get("/feeds/coach/guessed.ics").status_code == 404


def test_the_coach_makes_and_revokes_the_address_on_my_shifts(client, world):
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    page = client.post("/helpdesk/my-shifts/calendar-address").get_data(as_text=True)
    address = page.split('id="feed-address" readonly value="')[1].split('"')[0]
    assert address.startswith("http://localhost/feeds/coach/")
    path = address.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    assert "Switch my calendar address off" in client.get("/helpdesk/my-shifts").get_data(
        as_text=True
    )
    client.post("/helpdesk/my-shifts/calendar-address/revoke")
    assert client.get(path).status_code == 404


def test_a_cancelled_shift_or_session_leaves_the_coach_feed(client, world):
    coach = world.coach()
    kept = make_help_session(world.location)
    dropped = make_help_session(world.location, starts_at=kept.starts_at + timedelta(days=1))
    make_shift(kept, coach)
    make_shift(dropped, coach)
    db.session.commit()
    cancelling.cancel_session(
        actor=world.coordinator, session=dropped, reason="Ziek", now=clock.now()
    )
    token = calendar_feeds.create_calendar_feed(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    found = events(client.get(f"/feeds/coach/{token}.ics").data)
    assert [str(e["uid"]) for e in found] == [f"shift-{kept.shifts[0].id}@digicoach"]


def test_the_public_location_feed_lists_the_coming_sessions_without_internal_notes(client, world):
    session = make_help_session(world.location, notes="Sleutel ligt bij Jan")
    make_help_session(world.location, status="cancelled")
    make_help_session(world.other_location)
    db.session.commit()
    response = client.get(f"/feeds/location/{world.location.id}.ics")
    assert response.status_code == 200
    found = events(response.data)
    assert [str(e["uid"]) for e in found] == [f"help-session-{session.id}@digicoach"]
    assert _local(found[0], "dtstart").time() == time(14, 0)
    assert "Sleutel" not in response.get_data(as_text=True)
    assert client.get("/feeds/location/987654.ics").status_code == 404


def test_every_session_and_shift_has_an_add_to_calendar_download(client, world):
    coach = world.coach()
    session = make_help_session(world.location)
    shift = make_shift(session, coach)
    db.session.commit()
    download = client.get(f"/digipunten/sessions/{session.id}.ics")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert [_local(e, "dtstart").time() for e in events(download.data)] == [time(14, 0)]
    sign_in(client, coach.user)
    mine = client.get(f"/helpdesk/my-shifts/{shift.id}.ics")
    assert mine.status_code == 200
    assert str(events(mine.data)[0]["uid"]) == f"shift-{shift.id}@digicoach"


def test_the_coach_feed_also_carries_the_coach_training_sessions(client, world):
    programme = make_programme([world.gent], name="Digibank")
    cohort = make_cohort(programme, [world.gent], name="Gent najaar", capacity=5)
    lesson = make_session(cohort, modules=[make_module(programme, title="Basis")])
    coach = world.coach(status=CoachStatus.APPROVED)
    enrol(cohort, coach)
    db.session.commit()
    token = calendar_feeds.create_calendar_feed(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    found = events(client.get(f"/feeds/coach/{token}.ics").data)
    assert [str(e["uid"]) for e in found] == [f"training-session-{lesson.id}@digicoach"]
    assert "Gent najaar" in str(found[0]["summary"])
