"""Password reset and e-mail verification: single-use, expiring links; no enumeration."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from digicoach.accounts import services, signals
from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import NotFound
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, english_client, is_signed_in, log_in
from tests.factories import make_user

NEW_PASSWORD = "a brand new sentence of mine"
RESET_LINK = re.compile(r"http://localhost(/password/reset/[A-Za-z0-9_-]+)")
VERIFY_LINK = re.compile(r"http://localhost(/verify-email/[A-Za-z0-9_-]+)")


def _reset_path(mailbox, address: str) -> str:
    messages = mailbox.to(address)
    assert messages, f"no mail to {address}"
    match = RESET_LINK.search(messages[-1].get_body(("plain",)).get_content())
    assert match
    return match.group(1)


def _ask_reset(client, address: str):
    return client.post("/password/forgot", data={"email": address})


# --- forgot password ---------------------------------------------------------------------


def test_the_forgot_page_answers_the_same_for_known_and_unknown_addresses(client, mailbox):
    make_user(email="an@example.org")
    db.session.commit()
    known = _ask_reset(client, "an@example.org")
    unknown = _ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("an@example.org", "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")
    assert len(mailbox.to("an@example.org")) == 1
    assert mailbox.to("nobody@example.org") == []


def test_an_invalid_address_gets_an_error_next_to_the_field(client, mailbox):
    response = _ask_reset(client, "not an address")
    assert b'class="field-error"' in response.data
    assert mailbox.messages == []


def test_the_reset_mail_is_in_the_users_language_with_an_absolute_link(client, mailbox):
    make_user(email="an@example.org", language="fr")
    db.session.commit()
    _ask_reset(client, "an@example.org")
    message = mailbox.to("an@example.org")[0]
    assert RESET_LINK.search(message.get_body(("plain",)).get_content())
    queued = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "an@example.org")
    )
    assert queued.language == "fr"


def test_a_reset_link_sets_a_new_password_and_works_once(client, mailbox):
    make_user(email="an@example.org")
    db.session.commit()
    _ask_reset(client, "an@example.org")
    path = _reset_path(mailbox, "an@example.org")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert log_in(client, "an@example.org", NEW_PASSWORD).status_code == 302
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "x" * 20, "confirm": "x" * 20}).status_code == 404
    assert "user.password_reset" in audit_actions()


def test_a_reset_link_expires_after_two_hours(client, mailbox, frozen_clock):
    make_user(email="an@example.org")
    db.session.commit()
    _ask_reset(client, "an@example.org")
    path = _reset_path(mailbox, "an@example.org")
    frozen_clock.advance(hours=1, minutes=59)
    assert client.get(path).status_code == 200
    frozen_clock.advance(minutes=1)
    response = client.get(path)
    assert response.status_code == 404
    assert b"This link no longer works" in response.data


def test_a_completed_reset_ends_every_session_and_spends_older_links(app, client, mailbox):
    make_user(email="an@example.org")
    db.session.commit()
    laptop = english_client(app)
    log_in(laptop, "an@example.org")
    _ask_reset(client, "an@example.org")
    older = _reset_path(mailbox, "an@example.org")
    _ask_reset(client, "an@example.org")
    newer = _reset_path(mailbox, "an@example.org")
    assert older != newer

    client.post(newer, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert not is_signed_in(laptop)
    assert client.get(older).status_code == 404


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, mailbox):
    user = make_user(email="an@example.org")
    db.session.commit()
    old_hash = user.password_hash
    _ask_reset(client, "an@example.org")
    path = _reset_path(mailbox, "an@example.org")

    short = client.post(path, data={"password": "short", "confirm": "short"})
    common = client.post(path, data={"password": "welkom123456", "confirm": "welkom123456"})
    different = client.post(path, data={"password": NEW_PASSWORD, "confirm": "something else"})

    assert b"Use at least 12 characters." in short.data
    assert b"Many people use this password." in common.data
    assert b"The two passwords are not the same." in different.data
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash
    assert client.get(path).status_code == 200


def test_reset_mails_are_capped_per_hour(client, mailbox):
    make_user(email="an@example.org")
    db.session.commit()
    for _ in range(5):
        _ask_reset(client, "an@example.org")
    assert len(mailbox.to("an@example.org")) == services.RESET_MAILS_PER_HOUR


def test_a_reset_lifts_the_sign_in_lock(client, mailbox):
    make_user(email="an@example.org")
    db.session.commit()
    for _ in range(5):
        log_in(client, "an@example.org", "a wrong password!")
    _ask_reset(client, "an@example.org")
    client.post(
        _reset_path(mailbox, "an@example.org"),
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert log_in(client, "an@example.org", NEW_PASSWORD).status_code == 302


# --- e-mail verification -----------------------------------------------------------------


def _verification_token(user: User) -> str:
    with unit_of_work():
        services.request_email_verification(user, now=clock.now())
    body = db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.kind == "accounts.verify_email")
    ).all()[-1]
    match = VERIFY_LINK.search(body)
    assert match
    return match.group(1).rsplit("/", 1)[1]


@pytest.fixture
def unverified(app, in_english):
    user = make_user(email="new@example.org", email_verified_at=None)
    db.session.commit()
    return user


def test_verifying_an_address_works_once(unverified, frozen_clock):
    token = _verification_token(unverified)
    with unit_of_work():
        verified = services.verify_email(token, now=clock.now())
    assert verified.id == unverified.id
    assert verified.email_verified_at == frozen_clock.moment
    with pytest.raises(NotFound), unit_of_work():
        services.verify_email(token, now=clock.now())


def test_a_verification_link_expires_after_48_hours(unverified, frozen_clock):
    token = _verification_token(unverified)
    frozen_clock.advance(hours=48)
    with pytest.raises(NotFound), unit_of_work():
        services.verify_email(token, now=clock.now())
    db.session.refresh(unverified)
    assert unverified.email_verified_at is None


def test_a_verification_link_dies_when_the_address_changes(unverified):
    token = _verification_token(unverified)
    unverified.email = unverified.email_key = "other@example.org"
    db.session.commit()
    with pytest.raises(NotFound), unit_of_work():
        services.verify_email(token, now=clock.now())


def test_verifying_tells_other_features(unverified):
    heard = []

    def receiver(user, **data):
        heard.append((user.id, data["now"] is not None))

    token = _verification_token(unverified)
    with signals.email_verified.connected_to(receiver), unit_of_work():
        services.verify_email(token, now=clock.now())
    assert heard == [(unverified.id, True)]


def test_the_verification_page_confirms_with_a_button_not_on_opening(client, unverified):
    """Mail scanners open links; only pressing the button uses it."""
    path = f"/verify-email/{_verification_token(unverified)}"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    db.session.refresh(unverified)
    assert unverified.email_verified_at is None
    response = client.post(path)
    assert b"Your e-mail address is confirmed" in response.data
    assert client.get(path).status_code == 404


def test_an_unknown_verification_link_answers_not_found(client):
    assert client.get("/verify-email/made-up").status_code == 404
    assert client.post("/verify-email/made-up").status_code == 404
