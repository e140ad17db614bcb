"""Planning help sessions and series: good input is saved, local time holds across the clock
changes of 2026, bad input gives a localised error next to the field and changes nothing."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from digicoach.core import clock, outbox
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk import signals
from digicoach.helpdesk.models import HelpSeries, HelpSession, Shift
from digicoach.helpdesk.services import cancelling, editing, planning
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift

# Before the 2026 clock changes, so series across them are "in the future".
EARLY_2026 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def session_input(world, **overrides) -> planning.SessionInput:
    values = {
        "location_id": world.location.id,
        "day": date(2026, 3, 24),
        "start_time": time(14, 0),
        "end_time": time(16, 0),
        "mode": "hybrid",
        "slot_minutes": 30,
        "citizens_per_slot": 1,
        "coaches_min": 1,
        "coaches_max": 3,
        "topics": ("email",),
        "languages": ("nl", "ar"),
        "notes": "Sleutel aan het onthaal.",
    }
    values.update(overrides)
    return planning.SessionInput(**values)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def local_clock(moment: datetime) -> tuple[str, time]:
    local = clock.local(moment)
    return local.date().isoformat(), local.time().replace(tzinfo=None)


def test_a_coordinator_plans_one_session_in_local_time(world):
    session = planning.create_session(
        actor=world.coordinator, data=session_input(world), now=EARLY_2026
    )
    db.session.commit()
    assert local_clock(session.starts_at) == ("2026-03-24", time(14, 0))
    assert local_clock(session.ends_at) == ("2026-03-24", time(16, 0))
    assert session.starts_at == datetime(2026, 3, 24, 13, 0, tzinfo=UTC)
    assert session.mode == "hybrid"
    assert session.topics == ["email"]
    assert session.languages == ["ar", "nl"]
    assert session.coaches_taken == 0
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "helpdesk.session.create")
    )


def test_a_weekly_series_keeps_14_00_across_2026_03_29_and_2026_10_25(world):
    sessions = planning.create_series(
        actor=world.coordinator,
        data=session_input(world, day=date(2026, 3, 17)),
        repeat=planning.Repeat(weekdays=(2,), every_weeks=1, until=date(2026, 11, 3)),
        now=EARLY_2026,
    )
    db.session.commit()
    local_starts = {local_clock(s.starts_at) for s in sessions}
    assert {moment for _day, moment in local_starts} == {time(14, 0)}
    by_day = {clock.local(s.starts_at).date(): s for s in sessions}
    # Winter time before 29 March (UTC+1), summer time after it (UTC+2), winter after 25 Oct.
    assert by_day[date(2026, 3, 24)].starts_at.hour == 13
    assert by_day[date(2026, 3, 31)].starts_at.hour == 12
    assert by_day[date(2026, 10, 20)].starts_at.hour == 12
    assert by_day[date(2026, 10, 27)].starts_at.hour == 13
    assert all(clock.local(s.ends_at).time().hour == 16 for s in sessions)
    assert len({s.series_id for s in sessions}) == 1
    assert len(sessions) == 34


def test_a_series_every_two_weeks_on_two_weekdays_for_a_count(world):
    sessions = planning.create_series(
        actor=world.coordinator,
        data=session_input(world, day=date(2026, 2, 2)),
        repeat=planning.Repeat(weekdays=(1, 4), every_weeks=2, count=5),
        now=EARLY_2026,
    )
    days = [clock.local(s.starts_at).date() for s in sessions]
    assert days == [
        date(2026, 2, 2),
        date(2026, 2, 5),
        date(2026, 2, 16),
        date(2026, 2, 19),
        date(2026, 3, 2),
    ]


def test_a_series_may_have_104_sessions_but_not_105(world):
    data = session_input(world, day=date(2026, 2, 2))
    sessions = planning.create_series(
        actor=world.coordinator,
        data=data,
        repeat=planning.Repeat(weekdays=(1,), count=104),
        now=EARLY_2026,
    )
    assert len(sessions) == 104
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        planning.create_series(
            actor=world.coordinator,
            data=data,
            repeat=planning.Repeat(weekdays=(1, 2), until=date(2028, 1, 1)),
            now=EARLY_2026,
        )
    assert "until" in refused.value.errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": time(13, 0)}, "end_time"),
        ({"end_time": time(14, 0)}, "end_time"),
        ({"slot_minutes": 45}, "slot_minutes"),
        ({"mode": "appointment", "end_time": time(15, 50), "slot_minutes": 20}, "slot_minutes"),
        ({"location_id": 987654}, "location_id"),
        ({"location_id": None}, "location_id"),
        ({"coaches_min": 3, "coaches_max": 2}, "coaches_max"),
        ({"day": date(2026, 1, 9)}, "day"),
        ({"languages": ()}, "languages"),
        ({"topics": ("knitting",)}, "topics"),
        ({"mode": "party"}, "mode"),
    ],
)
def test_bad_input_for_a_session_is_refused_per_field_and_changes_nothing(world, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        planning.create_session(
            actor=world.coordinator, data=session_input(world, **overrides), now=EARLY_2026
        )
    assert field in refused.value.errors
    assert count(HelpSession) == 0


def test_a_walk_in_session_needs_no_fitting_slot(world):
    session = planning.create_session(
        actor=world.coordinator,
        data=session_input(world, mode="walk_in", slot_minutes=45),
        now=EARLY_2026,
    )
    assert session.mode == "walk_in"


def test_a_location_of_another_municipality_is_refused_like_an_unknown_one(world):
    with pytest.raises(ValidationFailed) as refused:
        planning.create_session(
            actor=world.coordinator,
            data=session_input(world, location_id=world.kortrijk_location.id),
            now=EARLY_2026,
        )
    assert refused.value.errors["location_id"] == ["Choose a digital help point from the list."]
    assert count(HelpSession) == 0


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        (planning.Repeat(weekdays=(2,)), "count"),
        (planning.Repeat(weekdays=(), count=4), "weekdays"),
        (planning.Repeat(weekdays=(2,), every_weeks=3, count=4), "every_weeks"),
        (planning.Repeat(weekdays=(2,), count=105), "count"),
        (planning.Repeat(weekdays=(2,), until=date(2026, 3, 1)), "until"),
    ],
)
def test_a_series_without_an_end_or_with_bad_repeat_values_is_refused(world, repeat, field):
    with pytest.raises(ValidationFailed) as refused:
        planning.create_series(
            actor=world.coordinator, data=session_input(world), repeat=repeat, now=EARLY_2026
        )
    assert field in refused.value.errors
    assert count(HelpSession) == 0
    assert count(HelpSeries) == 0


def new_session_form(world, **overrides):
    form = {
        "location_id": str(world.location.id),
        "day": (clock.local_today() + timedelta(days=7)).isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "mode": "appointment",
        "slot_minutes": "30",
        "citizens_per_slot": "1",
        "coaches_min": "1",
        "coaches_max": "2",
        "languages": ["nl"],
        "topics": ["email"],
        "notes": "",
        "repeat": "none",
        "count": "",
        "until": "",
    }
    form.update(overrides)
    return form


def test_a_coordinator_plans_a_weekly_series_through_the_form(client, world):
    sign_in(client, world.coordinator)
    assert client.get("/helpdesk/sessions/new").status_code == 200
    weekday = str((clock.local_today() + timedelta(days=7)).isoweekday())
    response = client.post(
        "/helpdesk/sessions/new",
        data=new_session_form(world, repeat="1", weekdays=[weekday], count="6"),
    )
    assert response.status_code == 302
    assert count(HelpSession) == 6
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        (
            {"end_time": "13:00"},
            {
                "nl": "Het einduur moet later zijn dan het beginuur.",
                "fr": "L'heure de fin doit être après l'heure de début.",
            },
        ),
        (
            {"repeat": "1", "weekdays": ["2"]},
            {
                "nl": "Vul in hoeveel keer, of de laatste dag.",
                "fr": "Indiquez le nombre de dates ou le dernier jour.",
            },
        ),
        (
            {"slot_minutes": "45"},
            {
                "nl": "kies een afspraakduur die daar precies in past",
                "fr": "choisissez une durée de créneau qui la divise",
            },
        ),
        (
            {"location_id": "987654"},
            {
                "nl": "Kies een digipunt uit de lijst.",
                "fr": "Choisissez un point numérique dans la liste.",
            },
        ),
    ],
    ids=["end_time", "count", "slot_minutes", "location_id"],
)
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_bad_form_input_shows_the_error_next_to_the_field_and_changes_nothing(
    client, world, overrides, messages, language
):
    world.coordinator.language = language
    db.session.commit()
    sign_in(client, world.coordinator)
    response = client.post("/helpdesk/sessions/new", data=new_session_form(world, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert 'class="error-summary"' in page
    assert 'class="field-error"' in page
    assert str(escape(messages[language])) in page
    assert count(HelpSession) == 0


def test_editing_one_occurrence_leaves_the_others(world):
    sessions = planning.create_series(
        actor=world.coordinator,
        data=session_input(world, day=date(2026, 3, 17)),
        repeat=planning.Repeat(weekdays=(2,), count=4),
        now=EARLY_2026,
    )
    second = sessions[1]
    editing.update_session(
        actor=world.coordinator,
        session=second,
        data=session_input(
            world, day=date(2026, 3, 25), start_time=time(9, 0), end_time=time(11, 0)
        ),
        now=EARLY_2026,
    )
    db.session.commit()
    assert local_clock(second.starts_at) == ("2026-03-25", time(9, 0))
    assert second.revision == 1
    assert [local_clock(s.starts_at)[1] for s in (sessions[0], sessions[2], sessions[3])] == [
        time(14, 0)
    ] * 3


def test_editing_this_and_all_following_changes_the_later_sessions_in_local_time(world):
    sessions = planning.create_series(
        actor=world.coordinator,
        data=session_input(world, day=date(2026, 3, 17)),
        repeat=planning.Repeat(weekdays=(2,), count=4),
        now=EARLY_2026,
    )
    changed = editing.update_session(
        actor=world.coordinator,
        session=sessions[1],
        data=session_input(
            world,
            day=date(2026, 3, 24),
            start_time=time(10, 0),
            end_time=time(12, 0),
            coaches_max=4,
        ),
        now=EARLY_2026,
        following=True,
    )
    db.session.commit()
    assert [s.id for s in changed] == [s.id for s in sessions[1:]]
    assert local_clock(sessions[0].starts_at) == ("2026-03-17", time(14, 0))
    assert [local_clock(s.starts_at) for s in sessions[1:]] == [
        ("2026-03-24", time(10, 0)),
        ("2026-03-31", time(10, 0)),
        ("2026-04-07", time(10, 0)),
    ]
    assert all(s.coaches_max == 4 for s in sessions[1:])


def test_the_maximum_cannot_drop_below_the_coaches_signed_up(world):
    session = make_help_session(world.location, coaches_max=3)
    make_shift(session, world.coach())
    make_shift(session, world.coach())
    db.session.commit()
    local = clock.local(session.starts_at)
    with pytest.raises(ValidationFailed) as refused:
        editing.update_session(
            actor=world.coordinator,
            session=session,
            data=session_input(
                world,
                day=local.date(),
                start_time=local.time().replace(tzinfo=None),
                end_time=clock.local(session.ends_at).time().replace(tzinfo=None),
                coaches_min=1,
                coaches_max=1,
            ),
            now=clock.now(),
        )
    assert "coaches_max" in refused.value.errors


def test_cancelling_a_session_cancels_its_shifts_tells_the_coaches_and_sends_the_signal(
    world, mailbox
):
    session = make_help_session(world.location, coaches_max=3)
    first, second = world.coach(email="an@example.org"), world.coach(email="bo@example.org")
    make_shift(session, first)
    make_shift(session, second)
    db.session.commit()
    received, shifts_cancelled = [], []

    def listener(sender, **kwargs):
        received.append((sender, kwargs))

    def shift_listener(sender, **kwargs):
        shifts_cancelled.append((sender.coach_id, sender.status, kwargs["actor"]))

    signals.help_session_cancelled.connect(listener)
    signals.shift_cancelled.connect(shift_listener)
    try:
        cancelling.cancel_session(
            actor=world.coordinator, session=session, reason="Lokaal onder water", now=clock.now()
        )
        db.session.commit()
    finally:
        signals.help_session_cancelled.disconnect(listener)
        signals.shift_cancelled.disconnect(shift_listener)
    # Each of its shifts says it was cancelled too, so their reminders stop at once.
    assert sorted(shifts_cancelled) == sorted(
        [(first.id, "cancelled", world.coordinator), (second.id, "cancelled", world.coordinator)]
    )
    outbox.dispatch_due()
    assert session.status == "cancelled"
    assert session.coaches_taken == 0
    assert {s.status for s in db.session.scalars(select(Shift))} == {"cancelled"}
    assert [(sender.id, kwargs["reason"]) for sender, kwargs in received] == [
        (session.id, "Lokaal onder water")
    ]
    assert received[0][1]["actor"] is world.coordinator
    assert {m["To"] for m in mailbox.messages} == {"an@example.org", "bo@example.org"}
    assert (
        "Lokaal onder water" in mailbox.to("an@example.org")[0].get_body(("plain",)).get_content()
    )


def test_cancelling_needs_a_reason_and_happens_once(world):
    session = make_help_session(world.location)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        cancelling.cancel_session(
            actor=world.coordinator, session=session, reason=" ", now=clock.now()
        )
    cancelling.cancel_session(
        actor=world.coordinator, session=session, reason="Ziek", now=clock.now()
    )
    with pytest.raises(Conflict) as again:
        cancelling.cancel_session(
            actor=world.coordinator, session=session, reason="Nog eens", now=clock.now()
        )
    assert again.value.code == "session.cancelled_already"
    assert session.cancel_reason == "Ziek"


def test_moving_a_session_through_the_edit_form_tells_its_coaches(client, world, mailbox):
    session = make_help_session(world.location, coaches_max=2)
    make_shift(session, world.coach(email="moved@example.org", language="nl"))
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get(f"/helpdesk/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="14:00"' in page
    form = {
        "day": clock.local(session.starts_at).date().isoformat(),
        "start_time": "15:00",
        "end_time": "17:00",
        "mode": "walk_in",
        "slot_minutes": "30",
        "citizens_per_slot": "1",
        "coaches_min": "1",
        "coaches_max": "2",
        "languages": ["nl"],
        "notes": "",
    }
    assert client.post(f"/helpdesk/sessions/{session.id}/edit", data=form).status_code == 302
    db.session.rollback()
    moved = db.session.get(HelpSession, session.id)
    assert local_clock(moved.starts_at)[1] == time(15, 0)
    assert moved.revision == 1
    (message,) = mailbox.to("moved@example.org")
    assert "15.00" in message.get_body(("plain",)).get_content()
