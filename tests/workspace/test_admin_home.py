"""The administrator's home: the coordinator's items over every municipality, and whether the
machinery runs (scheduler heartbeat, failed messages, the last nightly jobs)."""

from __future__ import annotations

from datetime import timedelta

from digicoach.core import clock, heartbeat
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.workspace.conftest import count_of, home_page
from tests.workspace.factories import make_failed_message, make_job_run


def test_the_admin_sees_the_coordinators_items_of_every_municipality(client, world):
    make_coach(world.gent)
    make_coach(world.kortrijk)
    db.session.commit()
    page = home_page(client, world.admin)
    assert count_of(page, "applications") == 2
    assert 'data-section="desk"' in page and 'data-section="programme"' in page
    assert "(figures of your municipalities)" not in page


def test_a_scheduler_that_never_ran_is_a_warning(client, world):
    page = home_page(client, world.admin)
    assert 'data-section="system"' in page
    assert "The scheduler has never run. Reminders and retries are not sent." in page
    assert "1 thing needs you now." in page


def test_a_running_scheduler_its_jobs_and_no_failures_are_calm(client, world):
    heartbeat.beat(clock.now() - timedelta(seconds=20))
    make_job_run("reminders.nightly", clock.local_today())
    db.session.commit()
    page = home_page(client, world.admin)
    assert "The scheduler is running (last sign of life 20 seconds ago)." in page
    assert "<code>reminders.nightly</code>" in page
    assert "No message failed." in page
    assert "Everything is handled" in page


def test_a_stopped_scheduler_says_how_long_ago(client, world):
    heartbeat.beat(clock.now() - timedelta(minutes=12))
    db.session.commit()
    page = home_page(client, world.admin)
    assert "The scheduler last ran 12 minutes ago." in page


def test_failed_messages_link_to_the_outbox_and_go_once_sent(client, world):
    heartbeat.beat(clock.now())
    failed = [make_failed_message() for _ in range(2)]
    db.session.commit()

    page = home_page(client, world.admin)
    assert count_of(page, "failed-messages") == 2
    assert 'href="/admin/outbox/?status=failed"' in page
    outbox = client.get("/admin/outbox/?status=failed").get_data(as_text=True)
    assert outbox.count("550 no such user") == 2

    for message in failed:
        message.status = "sent"
    db.session.commit()
    page = client.get("/work").get_data(as_text=True)
    assert count_of(page, "failed-messages") is None
    assert "No message failed." in page


def test_coordinators_do_not_see_the_system_or_the_outbox(client, world):
    make_failed_message()
    db.session.commit()
    page = home_page(client, world.coordinator)
    assert 'data-section="system"' not in page
    assert "/admin/outbox" not in page
