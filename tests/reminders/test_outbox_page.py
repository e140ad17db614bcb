"""The outbox page (administrators only) and the scheduler warning on their pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from digicoach.core import audit, clock, heartbeat, outbox
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.reminders.services import retry
from tests.conftest import sign_in
from tests.factories import make_admin, make_coordinator, make_municipality, make_user


def add(key: str, *, status: Status, kind: str = "reminders.shift", **values) -> OutboxMessage:
    message = outbox.enqueue(
        dedupe_key=key,
        kind=kind,
        channel=values.pop("channel", outbox.Channel.EMAIL),
        recipient=values.pop("recipient", "maria.peeters@example.org"),
        subject="Herinnering",
        body_text="Tot morgen.",
        **values,
    )
    message.status = status
    message.attempts = 5 if status == Status.FAILED else 0
    message.last_error = "SMTPRecipientsRefused: mailbox full" if status == Status.FAILED else None
    db.session.commit()
    return message


def beat(minutes_ago: float) -> None:
    heartbeat.beat(clock.now() - timedelta(minutes=minutes_ago))
    db.session.commit()


def test_only_administrators_reach_the_outbox(app, client):
    coordinator = make_coordinator([make_municipality()])
    db.session.commit()
    sign_in(client, coordinator)
    assert client.get("/admin/outbox/").status_code == 403
    failed = add("f1", status=Status.FAILED)
    assert client.post(f"/admin/outbox/{failed.id}/retry").status_code == 403
    assert db.session.get(OutboxMessage, failed.id).status == Status.FAILED


def test_the_outbox_lists_failed_and_pending_messages_masked_and_filters_them(app, client):
    add("failed", status=Status.FAILED)
    add(
        "pending",
        status=Status.PENDING,
        kind="reminders.appointment_day_before",
        channel=outbox.Channel.SMS,
        recipient="+32470123456",
    )
    add("sent", status=Status.SENT, recipient="sent@example.org")
    sign_in(client, make_admin())

    html = client.get("/admin/outbox/").get_data(as_text=True)
    assert "m***@example.org" in html
    assert "maria.peeters" not in html
    assert "+32 470 ** ** 56" in html
    assert "s***@example.org" not in html  # sent messages are not listed by default
    assert "mailbox full" in html
    assert html.count("Retry now") == 1

    only_sms = client.get("/admin/outbox/?kind=reminders.appointment_day_before").get_data(
        as_text=True
    )
    assert "+32 470 ** ** 56" in only_sms and "m***@example.org" not in only_sms
    sent = client.get("/admin/outbox/?status=sent").get_data(as_text=True)
    assert "s***@example.org" in sent
    assert client.get("/admin/outbox/?status=nonsense").status_code == 200


def test_retry_now_puts_a_failed_message_back_and_audits_it(app, client, mailbox):
    admin = make_admin()
    failed = add("f1", status=Status.FAILED)
    sign_in(client, admin)

    response = client.post(f"/admin/outbox/{failed.id}/retry")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == Status.SENT
    assert len(mailbox.to("maria.peeters@example.org")) == 1
    event = db.session.query(audit.AuditEvent).filter_by(action="outbox.retry").one()
    assert (event.actor_id, event.object_id) == (admin.id, str(failed.id))


def test_retry_refuses_what_is_not_failed_or_too_late_and_404s_unknown_ids(app, client):
    sign_in(client, make_admin())
    pending = add("p1", status=Status.PENDING)
    late = add("late", status=Status.FAILED, send_not_after=clock.now() - timedelta(minutes=1))

    english = {"Accept-Language": "en"}
    refused = client.post(
        f"/admin/outbox/{pending.id}/retry", headers=english, follow_redirects=True
    ).get_data(as_text=True)
    assert "Only a failed message can be sent again." in refused
    refused = client.post(
        f"/admin/outbox/{late.id}/retry", headers=english, follow_redirects=True
    ).get_data(as_text=True)
    assert "Too late: this message was only useful until" in refused
    db.session.expire_all()
    assert db.session.get(OutboxMessage, pending.id).status == Status.PENDING
    assert db.session.get(OutboxMessage, late.id).status == Status.FAILED
    assert client.post("/admin/outbox/99999/retry").status_code == 404
    assert db.session.query(audit.AuditEvent).filter_by(action="outbox.retry").count() == 0


def test_administrators_see_a_warning_on_every_page_when_the_scheduler_stopped(app, client):
    sign_in(client, make_admin())
    page = client.get("/admin/users").get_data(as_text=True)
    assert "The scheduler has never run" in page

    beat(minutes_ago=12)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "The scheduler stopped 12 minutes ago" in page
    assert 'href="/admin/outbox/"' in page

    beat(minutes_ago=1)
    assert "scheduler-warning" not in client.get("/admin/users").get_data(as_text=True)


def test_other_users_never_see_the_scheduler_warning(app, client):
    sign_in(client, make_user())
    assert "scheduler-warning" not in client.get("/").get_data(as_text=True)


def test_no_web_worker_starts_a_scheduler(app):
    import threading

    names = {thread.name for thread in threading.enumerate()}
    assert not any("APScheduler" in name for name in names)
    assert "apscheduler" not in repr(app.extensions).lower()


def test_retry_without_the_form_token_changes_nothing(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")
    client = app.test_client()
    sign_in(client, make_admin())
    failed = add("f1", status=Status.FAILED)
    assert client.post(f"/admin/outbox/{failed.id}/retry").status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == Status.FAILED


def test_the_retry_service_says_why_it_refuses_and_changes_nothing(app):
    admin = make_admin()
    pending = add("p2", status=Status.PENDING)
    late = add("late2", status=Status.FAILED, send_not_after=clock.now() - timedelta(minutes=1))
    now = clock.now()

    with force_locale("en"):
        with pytest.raises(Conflict) as not_failed:
            retry.retry_message(actor=admin, message_id=pending.id, now=now)
        assert not_failed.value.message == "Only a failed message can be sent again."
        with pytest.raises(Conflict) as too_late:
            retry.retry_message(actor=admin, message_id=str(late.id), now=now)
        assert too_late.value.message.startswith("Too late: this message was only useful until")
        # '²'.isdigit() is true and int('²') raises: such an id is "not found", not a crash.
        for odd in ("²", "0", "-1", "1.0", None):
            with pytest.raises(NotFound):
                retry.retry_message(actor=admin, message_id=odd, now=now)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, pending.id).status == Status.PENDING
    assert db.session.get(OutboxMessage, late.id).status == Status.FAILED
    assert db.session.query(audit.AuditEvent).filter_by(action="outbox.retry").count() == 0
