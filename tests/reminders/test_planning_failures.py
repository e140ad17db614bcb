"""One kind of reminder that cannot be planned does not hold back the others (issue 20, item 4):
each kind runs in its own savepoint, the failure is logged in one line and shown on the outbox
page, and the next run, with the cause gone, queues what was missed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select, text

from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.reminders.models import PlanningFailure
from digicoach.reminders.services import keys, run
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue
from tests.reminders.factories import make_appointment

# Monday 30 March 2026, 10:00 CEST: a shift; its reminder is due two days before.
MONDAY_10 = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
# Sunday 29 March 2026, 10:00 CEST: an appointment; its reminder is due the day before.
SUNDAY_10 = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
# Saturday 28 March 2026, 10:00 CET: both reminders are due.
SATURDAY_10 = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


def kinds_queued() -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.kind)))


def outbox_page(client) -> str:
    return client.get("/admin/outbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def a_shift_and_an_appointment(world) -> None:
    coach = make_working_coach(world.municipality, email="coach@example.org", language="nl")
    make_shift(make_help_session(world.location, starts_at=MONDAY_10), coach)
    make_appointment(make_help_session(world.location, starts_at=SUNDAY_10, mode="appointment"))
    db.session.commit()


def test_a_broken_template_holds_back_only_its_own_kind_until_it_is_fixed(
    app, client, world, frozen, caplog
):
    a_shift_and_an_appointment(world)
    frozen.set(SATURDAY_10)
    working_loader = app.jinja_env.loader
    # The shift reminder's e-mail names something the template does not get: it raises.
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"reminders/email/shift.txt": "{{ nothing.here }}"}), working_loader]
    )
    try:
        with caplog.at_level(logging.INFO, logger="digicoach.reminders"):
            counts = queue(SATURDAY_10)
    finally:
        app.jinja_env.loader = working_loader

    assert "shifts" not in counts
    assert counts["appointments"] == 1
    assert kinds_queued() == [keys.APPOINTMENT_DAY_BEFORE]
    [line] = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert line == "reminders of kind shifts could not be planned: UndefinedError"
    [failure] = db.session.scalars(select(PlanningFailure)).all()
    assert (failure.kind, failure.error, failure.failed_at) == (
        "shifts",
        "UndefinedError",
        SATURDAY_10,
    )

    sign_in(client, world.admin)
    page = outbox_page(client)
    assert 'id="planning-failures"' in page
    assert "Reminders of shifts: failed at" in page
    assert "(UndefinedError)" in page

    # The template is fixed: the next run queues the shift reminder it missed, and only that.
    counts = queue(SATURDAY_10 + timedelta(minutes=5))
    assert counts["shifts"] == 1
    assert counts["appointments"] == 0
    assert kinds_queued() == [keys.APPOINTMENT_DAY_BEFORE, keys.SHIFT]
    assert db.session.scalars(select(PlanningFailure)).all() == []
    assert 'id="planning-failures"' not in outbox_page(client)


def test_a_database_error_in_one_kind_leaves_the_transaction_usable_for_the_others(
    app, world, frozen, monkeypatch
):
    # On PostgreSQL a failed statement aborts the whole transaction unless it ran in a
    # savepoint: without one, nothing of this run could be committed.
    a_shift_and_an_appointment(world)
    frozen.set(SATURDAY_10)

    def broken(_now, _programmes):
        return db.session.execute(text("SELECT * FROM no_such_table")).scalar()

    monkeypatch.setitem(run.STEPS, "appointments", broken)
    counts = queue(SATURDAY_10)

    assert "appointments" not in counts
    assert counts["shifts"] == 1
    assert counts["dormancy"] == 0  # the kinds after it ran too
    db.session.expire_all()
    assert kinds_queued() == [keys.SHIFT]
    [failure] = db.session.scalars(select(PlanningFailure)).all()
    assert failure.kind == "appointments"
    assert failure.error in {"OperationalError", "ProgrammingError"}


def test_a_kind_that_fails_again_keeps_one_notice_with_the_latest_moment(
    app, world, frozen, monkeypatch
):
    a_shift_and_an_appointment(world)

    def broken(_now, _programmes):
        raise RuntimeError("boom")

    monkeypatch.setitem(run.STEPS, "training", broken)
    queue(SATURDAY_10)
    queue(SATURDAY_10 + timedelta(minutes=5))

    [failure] = db.session.scalars(select(PlanningFailure)).all()
    assert (failure.kind, failure.error) == ("training", "RuntimeError")
    assert failure.failed_at == SATURDAY_10 + timedelta(minutes=5)
