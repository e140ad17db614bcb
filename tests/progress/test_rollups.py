"""The daily rollups give the figures of a full recount, exactly: on random help logs and
sessions (some cancelled, running, ending after the period, overnight, in the future), for
whole programmes, single municipalities and shorter or ended periods; after the nightly
roll-up, and after writes for days already rolled up (kept exact on write)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, event, func, select

from digicoach.bookings.models import Appointment
from digicoach.coaches.models import CoachMunicipality, CoachStatusChange
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.progress import queries, tasks
from digicoach.progress.models import (
    CoachRollup,
    CoachRollupState,
    DayFigure,
    KeyFirstDay,
    ProgrammeTotal,
    RollupState,
)
from digicoach.progress.queries import coach_rollups, rollups
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.coaches.factories import make_coach
from tests.factories import make_location, make_neighbourhood
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import certify, make_help_log

TOPICS = ("email", "eid_itsme", "banking", "smartphone")
LANGUAGES = ("nl", "fr", "en", "uk")


def _random_world(world, frozen, rng: random.Random) -> None:
    gent_north = make_neighbourhood(world.gent, name="Gent Noord")
    locations = [
        world.location,
        world.kortrijk_location,
        make_location(world.gent, name="Bib Noord", neighbourhood=gent_north),
        make_location(world.elsewhere, name="Bib Brugge"),
    ]
    coaches = [make_working_coach(location.municipality) for location in locations for _n in (1, 2)]
    # One coach of the pool: home Gent, helping in Kortrijk too (counted once, in Gent).
    coaches[0].serves_rows.append(CoachMunicipality(municipality_id=world.kortrijk.id))
    # Funnel histories: approvals and certifications (status, certificate, both, in either
    # order) on random days, some after the period, some never.
    for coach in coaches + [make_coach(rng.choice(locations).municipality) for _n in range(6)]:
        coach.applied_at = frozen - timedelta(days=rng.randint(0, 90))
        for status in rng.sample(("approved", "in_training", "certified", "dormant"), 2):
            db.session.add(
                CoachStatusChange(
                    coach_id=coach.id,
                    from_status="applied",
                    to_status=status,
                    changed_at=frozen
                    - timedelta(days=rng.randint(-5, 80), hours=rng.randint(0, 23)),
                )
            )
        if rng.random() < 0.6:
            certify(
                coach,
                world.programme,
                issued_at=frozen - timedelta(days=rng.randint(-5, 80), hours=rng.randint(0, 23)),
            )
    sessions = []
    for _n in range(40):
        location = rng.choice(locations)
        starts_at = frozen - timedelta(days=rng.randint(-3, 60), hours=rng.randint(0, 30))
        sessions.append(
            make_help_session(
                location,
                starts_at=starts_at,
                hours=rng.choice((1, 2, 3, 30)),
                status=rng.choice(("planned", "planned", "planned", "cancelled")),
                coaches_min=rng.randint(1, 2),
                coaches_max=3,
            )
        )
    for session in sessions:
        for coach in rng.sample(coaches, rng.randint(0, 3)):
            make_shift(session, coach)
    # Appointments that came, did not, are still booked or were cancelled, on random days.
    for _n in range(8):
        location = rng.choice(locations)
        starts_at = frozen - timedelta(days=rng.randint(-2, 50), hours=rng.randint(0, 12))
        bookable = make_bookable_session(
            location, [rng.choice(coaches)], starts_at=starts_at, citizens_per_slot=2
        )
        for slot in range(rng.randint(1, 3)):
            booking = make_appointment(
                bookable,
                starts_at + timedelta(minutes=30 * slot),
                now=starts_at - timedelta(days=1),
                phone=f"0470 12 34 {slot}{_n}",
            )
            booking.appointment.status = rng.choice(
                ("attended", "attended", "no_show", "booked", "cancelled")
            )
    keys = [f"{n}".rjust(64, "0") for n in range(25)]
    for _n in range(150):
        coach = rng.choice(coaches)
        session = rng.choice(sessions) if rng.random() < 0.4 else None
        make_help_log(
            coach,
            helped_on=frozen.date() - timedelta(days=rng.randint(0, 60)),
            citizen_key=rng.choice(keys) if rng.random() < 0.6 else None,
            first_visit=rng.random() < 0.5,
            citizens=rng.randint(1, 3),
            minutes=rng.randint(5, 90),
            topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
            language=rng.choice(LANGUAGES),
            neighbourhood_id=rng.choice((None, world.ledeberg.id, gent_north.id))
            if coach.municipality_id == world.gent.id
            else None,
            did_it_themselves=rng.random() < 0.3,
            follow_up=rng.random() < 0.2,
            help_session_id=session.id if session else None,
        )
    db.session.commit()


def _selections(world, frozen) -> list[queries.Selection]:
    whole = queries.whole_programme(world.programme.id, now=frozen)
    today = frozen.date()
    return [
        whole,
        replace(whole, municipality_ids=(world.gent.id,)),
        replace(whole, municipality_ids=(world.kortrijk.id,)),
        replace(whole, starts_on=today - timedelta(days=20)),
        # A period that ended before the rollups do (sessions running past its end).
        replace(whole, ends_on=today - timedelta(days=9)),
        replace(whole, starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=2)),
        replace(whole, starts_on=today, ends_on=today),
    ]


def _everything(selection: queries.Selection) -> tuple[object, ...]:
    db.session.expire_all()
    return (
        queries.figures(selection),
        queries.dashboard(selection, topic_label=str, language_label=str),
    )


def _recount(selection: queries.Selection) -> tuple[object, ...]:
    """The figures with no rollup at all: every day counted live."""
    with db.session.no_autoflush:
        saved = [
            (s.municipality_id, s.rolled_until) for s in db.session.scalars(select(RollupState))
        ]
        coaches_until = coach_rollups.rolled_until()
    db.session.execute(delete(RollupState))
    db.session.execute(delete(CoachRollupState))
    try:
        return _everything(selection)
    finally:
        for municipality_id, until in saved:
            db.session.add(RollupState(municipality_id=municipality_id, rolled_until=until))
        if coaches_until is not None:
            db.session.add(CoachRollupState(id=coach_rollups.STATE_ID, rolled_until=coaches_until))
        db.session.flush()


def _assert_rollups_agree(world, frozen) -> None:
    for selection in _selections(world, frozen):
        assert _everything(selection) == _recount(selection), selection


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rolled_up_figures_equal_a_full_recount_on_random_data(world, frozen, seed):
    _random_world(world, frozen, random.Random(seed))

    assert tasks.roll_up(frozen) == 3
    assert db.session.scalar(select(func.count()).select_from(DayFigure)) > 0
    assert set(db.session.scalars(select(RollupState.rolled_until))) == {frozen.date()}
    split = rollups.split(_selections(world, frozen)[0])
    assert split.rolled is not None and split.rolled.ends_on == frozen.date() - timedelta(days=1)
    assert db.session.scalar(select(func.sum(KeyFirstDay.new_keys))) > 0
    assert split.totals_until == frozen.date()
    assert db.session.scalar(select(func.count()).select_from(ProgrammeTotal)) > 0
    assert db.session.scalar(select(func.sum(DayFigure.appointments_closed))) > 0
    assert coach_rollups.rolled_until() == frozen.date()
    assert db.session.scalar(select(func.count()).select_from(CoachRollup)) > 10
    _assert_rollups_agree(world, frozen)


def test_key_first_days_are_void_once_the_programme_changes(world, frozen):
    _random_world(world, frozen, random.Random(5))
    tasks.roll_up(frozen)

    world.programme.municipalities.append(world.elsewhere)
    db.session.commit()
    _assert_rollups_agree(world, frozen)
    world.programme.starts_on = frozen.date() - timedelta(days=15)
    db.session.commit()
    _assert_rollups_agree(world, frozen)


def test_writes_for_rolled_up_days_keep_the_figures_exact(world, frozen):
    rng = random.Random(4)
    _random_world(world, frozen, rng)
    tasks.roll_up(frozen)
    ten_days_ago = frozen.date() - timedelta(days=10)

    # A log written today for a past day, one moved to another day, one deleted, a topic added.
    coach = make_working_coach(world.gent)
    make_help_log(coach, helped_on=ten_days_ago, citizens=4, citizen_key="9" * 64)
    logs = list(db.session.scalars(select(HelpLog).order_by(HelpLog.id)))
    logs[0].helped_on = logs[0].helped_on - timedelta(days=3)
    db.session.delete(logs[1])
    db.session.add(HelpLogTopic(log_id=logs[2].id, code="taxes"))
    # An appointment of a rolled-up day marked as a no-show afterwards.
    came = db.session.scalars(select(Appointment).where(Appointment.status == "attended")).first()
    came.status = "no_show"
    db.session.commit()
    assert rollups.rolled_until((world.gent.id,)) <= ten_days_ago
    # The programme's totals still count: the days after the first one moved back come off.
    parts = rollups.split(_selections(world, frozen)[0])
    assert parts.totals_until == frozen.date() and parts.rolled.ends_on < ten_days_ago
    _assert_rollups_agree(world, frozen)

    # The night after, everything is rolled up again.
    tasks.roll_up(frozen + timedelta(days=1))
    assert rollups.rolled_until((world.gent.id, world.kortrijk.id)) == frozen.date() + timedelta(
        days=1
    )
    _assert_rollups_agree(world, frozen + timedelta(days=1))


def test_a_session_cancelled_or_moved_after_the_roll_up_is_counted_right(world, frozen):
    session = make_help_session(world.location, starts_at=frozen - timedelta(days=5))
    other = make_help_session(world.kortrijk_location, starts_at=frozen - timedelta(days=6))
    make_help_log(make_working_coach(world.gent), help_session_id=session.id, citizens=2)
    db.session.commit()
    tasks.roll_up(frozen)
    whole = queries.whole_programme(world.programme.id, now=frozen)
    assert queries.session_figures(whole).held == 2

    session.status = "cancelled"
    other.starts_at = frozen - timedelta(days=40)
    other.location = world.location
    db.session.commit()

    assert queries.session_figures(whole) == _recount(whole)[0].sessions
    assert queries.session_figures(whole).held == 1


def test_a_place_moved_to_another_municipality_takes_its_rolled_up_sessions_along(world, frozen):
    make_help_session(world.kortrijk_location, starts_at=frozen - timedelta(days=6))
    db.session.commit()
    tasks.roll_up(frozen)
    gent = replace(
        queries.whole_programme(world.programme.id, now=frozen), municipality_ids=(world.gent.id,)
    )
    assert queries.session_figures(gent).held == 0

    world.kortrijk_location.municipality_id = world.gent.id
    db.session.commit()

    assert queries.session_figures(gent).held == 1
    assert queries.session_figures(gent) == _recount(gent)[0].sessions


def test_a_municipality_never_rolled_up_is_counted_live(world, frozen):
    make_help_log(make_working_coach(world.gent), helped_on=date(2026, 6, 1))
    db.session.commit()
    whole = queries.whole_programme(world.programme.id, now=frozen)
    assert rollups.split(whole).rolled is None
    assert queries.figures(whole).help.logs == 1


def test_coach_writes_after_the_roll_up_keep_the_coach_figures_exact(world, frozen):
    _random_world(world, frozen, random.Random(6))
    tasks.roll_up(frozen)
    whole = queries.whole_programme(world.programme.id, now=frozen)
    before = queries.coach_figures(whole)

    # Approved and certified today, with a certificate; help logged for a past day by a coach
    # who had none; a shift on a past session; a past session with shifts cancelled.
    newcomer = make_coach(world.gent, applied_at=frozen - timedelta(days=30))
    db.session.add(
        CoachStatusChange(
            coach_id=newcomer.id, from_status="applied", to_status="certified", changed_at=frozen
        )
    )
    certify(newcomer, world.programme, issued_at=frozen - timedelta(hours=1))
    quiet = make_working_coach(world.kortrijk)
    make_help_log(quiet, helped_on=frozen.date() - timedelta(days=40))
    past = make_help_session(world.location, starts_at=frozen - timedelta(days=20))
    make_shift(past, make_working_coach(world.gent))
    cancelled = make_help_session(world.location, starts_at=frozen - timedelta(days=10))
    make_shift(cancelled, make_working_coach(world.gent))
    db.session.commit()
    cancelled.status = "cancelled"
    db.session.commit()

    after = queries.coach_figures(whole)
    assert after.certified == before.certified + 1
    assert after.active >= before.active + 2
    _assert_rollups_agree(world, frozen)


def test_coach_figures_read_one_row_per_coach_once_rolled_up(world, frozen):
    _random_world(world, frozen, random.Random(7))
    tasks.roll_up(frozen)
    whole = queries.whole_programme(world.programme.id, now=frozen)
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        queries.coach_figures(whole)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    read = " ".join(statements)
    assert "coach_status_change" not in read and "certification" not in read
    assert "progress_coach_rollup" in read
