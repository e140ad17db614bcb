"""The workspace home costs a fixed number of SQL statements, whatever the amount of data: each
role's home is counted with a round of everything it shows, then with ten rounds (ten times
the digipunten, applicants, sessions, appointments, walk-ins, logs, messages, invitations)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock, heartbeat
from digicoach.extensions import db
from digicoach.training import rules as training_rules
from digicoach.training.models import Enrolment
from tests.bookings.factories import in_days
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_location
from tests.helpdesk.factories import make_help_session, make_shift
from tests.training.factories import make_cohort, make_session
from tests.workspace.conftest import WorkspaceWorld, count_of
from tests.workspace.factories import (
    invite,
    make_appointment_at,
    make_failed_message,
    make_job_run,
    make_log_for,
    make_unfinished_screening,
    make_walk_in,
)


def add_a_round(world: WorkspaceWorld, n: int) -> None:
    """One more of everything the homes count, in Gent (in scope) and Kortrijk (not)."""
    now = clock.now()
    for municipality in (world.gent, world.kortrijk):
        place = make_location(municipality, name=f"Digipunt {municipality.name} {n}")
        make_coach(municipality)
        make_unfinished_screening(municipality)
        make_coach(municipality, status=CoachStatus.CERTIFIED)
        colleague = world.working_coach(municipality=municipality)

        # Today: an open-door session with every kind of appointment and a queue.
        today = make_help_session(place, starts_at=in_days(0, 9), hours=5, mode="hybrid")
        for status in ("booked", "attended", "no_show", "cancelled"):
            make_appointment_at(today, status=status)
        make_walk_in(place)
        make_walk_in(place, status="called")
        coming = make_help_session(place, starts_at=in_days(3, 14), mode="appointment")
        make_appointment_at(coming, status="cancelled_by_organiser", email=None)
        make_help_session(place, starts_at=in_days(5 + n % 7, 10))  # short of coaches

        # A shift that ended without a log, and one that was logged.
        ended = make_help_session(place, starts_at=in_days(-1 - n % 5, 14))
        make_shift(ended, colleague)
        logged = make_help_session(place, starts_at=in_days(-2, 9))
        make_shift(logged, colleague)
        make_log_for(colleague, logged, citizen_key=f"{municipality.id:08d}{n:056d}")

        cohort = make_cohort(world.programme, [municipality], minimum=6)
        make_session(cohort, starts_at=now + timedelta(days=4 + n % 5))

    # The digicoach's own: a shift to come with bookings, help to log, training, invitations.
    mine = make_help_session(world.location, starts_at=in_days(2 + n, 14), mode="appointment")
    make_shift(mine, world.coach)
    make_appointment_at(mine, first_name=f"Burger{n}", language="ar")
    make_appointment_at(mine, first_name=f"Inwoner{n}", language="fr")
    past = make_help_session(world.other_location, starts_at=in_days(-1 - n % 9, 9), hours=1)
    make_shift(past, world.coach)
    group = make_cohort(world.programme, [world.gent], status=training_rules.RUNNING)
    make_session(group, starts_at=now + timedelta(days=3 + n))
    db.session.add(
        Enrolment(cohort_id=group.id, coach_id=world.coach.id, status=training_rules.ENROLLED)
    )
    wanted = make_help_session(world.other_location, starts_at=in_days(4 + n, 16))
    invite(world.coach.user, wanted)

    make_failed_message()
    make_job_run(f"job.{n % 3}", clock.local_today() - timedelta(days=n))
    db.session.commit()


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_for(client: Any, path: str) -> tuple[int, str]:
    client.get(path)  # warm: first-request caches (catalogues, templates)
    with counting_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "desk", "coach", "admin"])
def test_the_home_runs_the_same_statements_for_ten_times_the_data(client, world, role):
    user = {
        "coordinator": world.coordinator,
        "desk": world.desk,
        "coach": world.coach.user,
        "admin": world.admin,
    }[role]
    heartbeat.beat(clock.now())
    add_a_round(world, 0)
    sign_in(client, user)
    once, small = statements_for(client, "/work")

    for n in range(1, 10):
        add_a_round(world, n)
    tenfold, large = statements_for(client, "/work")

    assert tenfold == once, f"{role}: {once} statements with one round, {tenfold} with ten"
    # The data really grew on the page the statements were counted for.
    if role in ("coordinator", "admin"):
        assert count_of(large, "applications") == 10 * count_of(small, "applications")
    if role == "desk":
        assert large.count('data-item="digipunt-') == 10 * small.count('data-item="digipunt-')
    if role == "coach":
        assert count_of(large, "to-log") == 10 * count_of(small, "to-log")
        assert count_of(large, "invitations") == 10 * count_of(small, "invitations")


def test_the_list_of_help_to_log_runs_the_same_statements_for_ten_times_the_data(client, world):
    add_a_round(world, 0)
    sign_in(client, world.coordinator)
    once, small = statements_for(client, "/work/help-to-log")
    for n in range(1, 10):
        add_a_round(world, n)
    tenfold, large = statements_for(client, "/work/help-to-log")
    assert tenfold == once
    assert large.count("<tr>") > small.count("<tr>")
