"""An account guessed from many addresses: a growing delay, never a lock, one e-mail to its
owner with a working unlock link, and admins who see it and can end it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from digicoach.accounts.models import LoginFailure
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, count, log_in
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user

UNLOCK_LINK = re.compile(r"http://localhost(/sign-in/unlock/[A-Za-z0-9_-]+)")
RESET_PATH = re.compile(r"/password/reset/[A-Za-z0-9_-]+")
NEW_PASSWORD = "a brand new long passphrase"


def _from(number: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{number}"}}


OWNER_ELSEWHERE = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}


@pytest.fixture
def owner(app):
    user = make_user(email="an@example.org", name="An", language="nl")
    db.session.commit()
    return user


def _attack(client, clock, *emails: str, addresses: int = 10) -> None:
    """One wrong password from each of many addresses, twenty seconds apart: no address
    comes near its own limit, the account fails ten times from ten places."""
    for number in range(1, addresses + 1):
        clock.advance(seconds=20)
        for email in emails or ("an@example.org",):
            response = log_in(client, email, "a guessed password", **_from(number))
            assert response.status_code == 200


def _unlock_path(mailbox) -> str:
    messages = mailbox.to("an@example.org")
    assert len(messages) == 1, "exactly one e-mail"
    match = UNLOCK_LINK.search(messages[0].get_body(("plain",)).get_content())
    assert match, "the e-mail carries the unlock link"
    return match.group(1)


def test_an_attacked_account_waits_a_growing_delay_without_its_password_checked(
    client, owner, frozen_clock, mailbox
):
    _attack(client, frozen_clock)
    waits = []
    for number in range(20, 24):
        refused = log_in(client, "an@example.org", DEFAULT_PASSWORD, **_from(number))
        assert refused.status_code == 429, "even the right password is not checked"
        waits.append(int(re.search(rb"Try again in (\d+) seconds", refused.data).group(1)))
        frozen_clock.advance(seconds=waits[-1])
        assert log_in(client, "an@example.org", "another guess", **_from(number)).status_code == 200
    assert waits == [2, 4, 8, 16], "the delay doubles with every failure"


def test_the_delay_never_exceeds_its_ceiling(app, client, owner, frozen_clock, mailbox):
    app.config["LOGIN_ATTACK_MAX_DELAY_SECONDS"] = 30
    _attack(client, frozen_clock, addresses=14)
    refused = log_in(client, "an@example.org", **OWNER_ELSEWHERE)
    assert b"Try again in 30 seconds" in refused.data
    frozen_clock.advance(seconds=30)
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302


def test_the_owner_gets_one_e_mail_in_their_language_however_long_the_attack_goes_on(
    client, owner, frozen_clock, mailbox
):
    _attack(client, frozen_clock)
    for number in range(20, 25):
        frozen_clock.advance(seconds=40)
        log_in(client, "an@example.org", "more guesses", **_from(number))
    messages = mailbox.to("an@example.org")
    assert len(messages) == 1
    assert "Dag An," in messages[0].get_body(("plain",)).get_content(), "Dutch, as An reads"
    language = db.session.scalar(
        select(OutboxMessage.language).where(OutboxMessage.kind == "accounts.sign_in_unlock")
    )
    assert language == "nl"
    assert audit_actions().count("login.attack") == 1


def test_a_new_attack_window_warns_again(client, owner, frozen_clock, mailbox):
    _attack(client, frozen_clock)
    frozen_clock.advance(minutes=16)
    _attack(client, frozen_clock)
    assert len(mailbox.to("an@example.org")) == 2


def test_the_unlock_link_lets_the_owner_sign_in_from_a_new_address_at_once(
    client, owner, frozen_clock, mailbox
):
    _attack(client, frozen_clock)
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 429
    path = _unlock_path(mailbox)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Choose a new password" in page.data, "the page offers a new password too"
    done = client.post(path, data={"choice": "sign_in"})
    assert done.headers["Location"] == "/login"
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302
    assert "login.unlock" in audit_actions()


def test_the_unlock_link_works_once(client, owner, frozen_clock, mailbox):
    _attack(client, frozen_clock)
    path = _unlock_path(mailbox)
    client.post(path, data={"choice": "sign_in"})
    assert client.get(path).status_code == 404
    assert client.post(path, data={"choice": "sign_in"}).status_code == 404


def test_the_unlock_link_leads_on_to_a_new_password(client, owner, frozen_clock, mailbox):
    _attack(client, frozen_clock)
    path = _unlock_path(mailbox)
    to_reset = client.post(path, data={"choice": "password"})
    assert RESET_PATH.fullmatch(to_reset.headers["Location"])
    client.post(
        to_reset.headers["Location"], data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert log_in(client, "an@example.org", NEW_PASSWORD, **OWNER_ELSEWHERE).status_code == 302


def test_the_owner_at_an_address_they_signed_in_from_before_is_not_slowed(
    client, owner, frozen_clock, mailbox
):
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302
    client.post("/logout")
    _attack(client, frozen_clock)
    assert log_in(client, "an@example.org", **_from(99)).status_code == 429
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302


def test_an_attack_on_an_unknown_address_answers_the_same_and_mails_nobody(
    client, owner, frozen_clock, mailbox
):
    _attack(client, frozen_clock, "an@example.org", "nobody@example.org")
    frozen_clock.advance(seconds=1)
    known = log_in(client, "an@example.org", **_from(50))
    unknown = log_in(client, "nobody@example.org", **_from(50))
    assert known.status_code == unknown.status_code == 429
    assert b"Try again in 1 second," in unknown.data
    assert known.get_data(as_text=True).replace("an@example.org", "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")
    assert len(mailbox.messages) == 1, "only the real owner hears of it"


def test_typos_from_the_owner_two_devices_are_no_attack(client, owner, frozen_clock, mailbox):
    for _ in range(6):
        frozen_clock.advance(minutes=1)
        log_in(client, "an@example.org", "typo", **_from(1))
        log_in(client, "an@example.org", "typo", **_from(2))
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302
    assert mailbox.messages == []


# --- what admins see ---------------------------------------------------------------------


@pytest.fixture
def admin_client(app, owner, frozen_clock):
    admin = make_admin(email="admin@example.org", language="en")
    db.session.commit()
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    sign_in(visitor, admin)
    return visitor


def test_admins_see_the_slow_down_and_can_end_it(
    admin_client, client, owner, frozen_clock, mailbox
):
    _attack(client, frozen_clock)
    page = admin_client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert "Sign-in slowed: 10 failed attempts from 10 addresses in the last 15 minutes." in page
    assert "Sign-in slowed" in admin_client.get("/admin/users").get_data(as_text=True)

    cleared = admin_client.post(f"/admin/users/{owner.id}/clear-sign-in-slowdown")
    assert cleared.status_code == 302
    assert count(LoginFailure) == 0
    assert "login.throttle_clear" in audit_actions()
    assert "Sign-in slowed" not in admin_client.get(f"/admin/users/{owner.id}").get_data(
        as_text=True
    )
    assert log_in(client, "an@example.org", **OWNER_ELSEWHERE).status_code == 302


def test_an_address_refused_for_one_account_shows_as_slowed_too(
    admin_client, client, owner, frozen_clock
):
    for _ in range(5):
        frozen_clock.advance(minutes=1)
        log_in(client, "an@example.org", "a guess", **_from(1))
    page = admin_client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert "Sign-in slowed: 5 failed attempts from 1 address in the last 15 minutes." in page


def test_a_coordinator_cannot_end_a_slow_down(app, client, owner, frozen_clock):
    from tests.factories import make_coordinator, make_municipality

    coordinator = make_coordinator([make_municipality()], email="co@example.org")
    db.session.commit()
    _attack(client, frozen_clock)
    visitor = app.test_client()
    sign_in(visitor, coordinator)
    assert visitor.post(f"/admin/users/{owner.id}/clear-sign-in-slowdown").status_code in (
        403,
        404,
    )
    assert count(LoginFailure) == 10
