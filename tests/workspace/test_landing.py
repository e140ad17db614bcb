"""Signing in lands staff and digicoaches on /work (an explicit safe `next` still wins); the
public home stays public; /work is for users with a role."""

from __future__ import annotations

import pytest

from digicoach.accounts import twofactor
from digicoach.core import clock
from digicoach.extensions import db
from tests.accounts.conftest import log_in
from tests.conftest import sign_in
from tests.factories import make_user


def _second_step(client, user):
    code = twofactor.code_at(user.totp_secret, clock.now())
    return client.post("/two-factor", data={"code": code})


@pytest.mark.parametrize("role", ["coach", "desk"])
def test_staff_and_coaches_land_on_their_workspace(client, world, role):
    user = world.coach.user if role == "coach" else world.desk
    response = log_in(client, user.email)
    if role == "desk":
        # Front-desk staff sign in with two-step verification too (issue 15).
        assert response.headers["Location"] == "/two-factor"
        response = _second_step(client, user)
    assert response.headers["Location"] == "/work"


def test_after_two_step_verification_too(client, world):
    response = log_in(client, world.coordinator.email)
    assert response.headers["Location"] == "/two-factor"
    code = twofactor.code_at(world.coordinator.totp_secret, clock.now())
    response = client.post("/two-factor", data={"code": code})
    assert response.headers["Location"] == "/work"


def test_an_explicit_safe_next_still_wins(client, world):
    log_in(client, world.desk.email, next_path="/desk/call-list")
    response = _second_step(client, world.desk)
    assert response.headers["Location"] == "/desk/call-list"


def test_the_public_home_stays_public(client, world):
    assert client.get("/").status_code == 200
    sign_in(client, world.desk)
    assert client.get("/").status_code == 200


def test_the_workspace_needs_a_role(client, world):
    assert client.get("/work").headers["Location"].startswith("/login")
    nobody = make_user(roles=())
    db.session.commit()
    sign_in(client, nobody)
    assert client.get("/work").status_code == 403


def test_the_list_of_help_to_log_is_for_coordinators(client, world):
    sign_in(client, world.desk)
    assert client.get("/work/help-to-log").status_code == 403
