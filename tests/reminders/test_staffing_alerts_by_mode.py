"""The under-staffing alert follows the staffing status of the session's mode: a hybrid session
with one digicoach takes no appointment, so its coordinators hear of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digicoach.core import outbox
from digicoach.extensions import db
from digicoach.reminders import rules
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue

MONDAY_10 = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_a_hybrid_session_with_one_coach_is_reported_as_understaffed(app, world, mailbox, frozen):
    hybrid = make_help_session(
        world.location, starts_at=MONDAY_10, mode="hybrid", coaches_min=1, coaches_max=3
    )
    hybrid.created_at = MONDAY_10 - timedelta(days=30)
    make_shift(hybrid, make_working_coach(world.municipality))
    walk_in = make_help_session(
        world.location, starts_at=MONDAY_10 + timedelta(hours=4), coaches_min=1
    )
    walk_in.created_at = MONDAY_10 - timedelta(days=30)
    make_shift(walk_in, make_working_coach(world.municipality))
    db.session.commit()
    seven = rules.days_before(MONDAY_10, 7)

    assert queue(seven)["understaffed"] == 1  # the hybrid one, not the staffed walk-in one
    outbox.dispatch_due(seven)
    body = mailbox.to("coordinator@example.org")[0].get_body(("plain",)).get_content()
    assert "Signed up: 1 of at least 2 \N{EN DASH} no appointments possible yet" in body


def test_a_second_coach_on_the_hybrid_session_skips_the_pending_alert(app, world, frozen):
    hybrid = make_help_session(
        world.location, starts_at=MONDAY_10, mode="hybrid", coaches_min=1, coaches_max=3
    )
    hybrid.created_at = MONDAY_10 - timedelta(days=30)
    make_shift(hybrid, make_working_coach(world.municipality))
    db.session.commit()
    two = rules.days_before(MONDAY_10, 2)
    assert queue(two)["understaffed"] == 1
    second = make_working_coach(world.municipality)
    assert len(hybrid.shifts) == 1  # loaded before the new shift joins it
    make_shift(hybrid, second)
    db.session.commit()
    assert queue(two + timedelta(minutes=5))["skipped"] == 1
