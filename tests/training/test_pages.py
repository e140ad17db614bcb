"""Every training page renders for the people it is for, in every language, without errors."""

from datetime import timedelta

import pytest

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.training import rules
from tests.conftest import sign_in
from tests.training.factories import enrol, make_session, mark


@pytest.fixture
def busy(world):
    coaches = [world.coach() for _ in range(5)]
    for coach in coaches:
        enrol(world.cohort, coach)
    past = make_session(
        world.cohort, starts_at=clock.now() - timedelta(days=1), modules=[world.basics]
    )
    mark(past, coaches[0], rules.PRESENT)
    mark(past, coaches[1], rules.EXCUSED)
    db.session.commit()
    return coaches, past


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_staff_pages_render(client, world, busy, language):
    _coaches, past = busy
    world.coordinator.language = language
    world.admin.language = language
    db.session.commit()
    cohort, session = world.cohort, world.sessions[0]
    sign_in(client, world.coordinator)
    for url in (
        "/training/manage",
        "/training/manage/new",
        f"/training/manage/{cohort.id}",
        f"/training/manage/{cohort.id}/edit",
        f"/training/manage/{cohort.id}/sessions/new",
        f"/training/manage/{cohort.id}/sessions/series",
        f"/training/manage/{cohort.id}/sessions/{session.id}/edit",
        f"/training/sessions/{past.id}/attendance",
        "/training/teaching",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.get_data(as_text=True)
    sign_in(client, world.admin)
    for url in (
        "/training/programmes",
        f"/training/programmes/{world.programme.id}/modules",
        f"/training/programmes/{world.programme.id}/modules/{world.basics.id}/edit",
    ):
        assert client.get(url).status_code == 200, url


def test_the_cohort_page_shows_the_waitlist_in_order_and_the_standing(client, world, busy):
    coaches, _past = busy
    sign_in(client, world.coordinator)
    page = client.get(f"/training/manage/{world.cohort.id}").get_data(as_text=True)
    first, second = coaches[3].user.name, coaches[4].user.name
    assert page.index(first) < page.index(second)
    assert "1 of 1 held sessions (100 %)" in page
    assert "1 excused" in page


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_coach_pages_render(client, world, busy, language):
    coaches, _past = busy
    coaches[0].user.language = language
    db.session.commit()
    sign_in(client, coaches[0].user)
    for url in ("/training/cohorts", "/training/mine", "/training/check-in"):
        assert client.get(url).status_code == 200, url
