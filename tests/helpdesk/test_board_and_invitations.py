"""The staffing board says each session's staffing in words and with an icon; "invite
matching coaches" mails one-click links that only a confirmation POST turns into a shift."""

import re
from datetime import time, timedelta

from sqlalchemy import func, select

from digicoach.accounts.models import OneTimeToken
from digicoach.coaches.models import CoachStatus
from digicoach.core import clock, outbox, timeslots
from digicoach.extensions import db
from digicoach.helpdesk import invitations
from digicoach.helpdesk.models import HelpSession, Shift
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift


def test_the_board_shows_staffed_short_and_empty_in_words_with_an_icon(client, world):
    staffed = make_help_session(world.location, coaches_min=1, coaches_max=2)
    make_shift(staffed, world.coach())
    short = make_help_session(
        world.location,
        starts_at=staffed.starts_at + timedelta(days=1),
        coaches_min=3,
        coaches_max=4,
    )
    make_shift(short, world.coach())
    empty = make_help_session(world.other_location, coaches_min=2, coaches_max=2)
    later = make_help_session(world.location, starts_at=clock.now() + timedelta(weeks=5))
    foreign = make_help_session(world.kortrijk_location)
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get("/helpdesk/board").get_data(as_text=True)

    def row(session):
        match = re.search(rf'<tr id="session-{session.id}">(.*?)</tr>', page, re.S)
        return match.group(1) if match else ""

    assert "Fully staffed" in row(staffed) and "✓" in row(staffed)
    assert "Short by 2 digicoaches" in row(short) and 'aria-hidden="true">!' in row(short)
    assert "No digicoach yet" in row(empty) and "✗" in row(empty)
    assert "Invite matching digicoaches" in row(empty)
    assert row(later) == ""  # beyond the four weeks
    assert row(foreign) == ""  # another municipality
    assert "Bib Kortrijk" not in page


def _session_on_tuesday_afternoon(world, **values):
    day = clock.local_today() + timedelta(days=1)
    while day.isoweekday() != 2:
        day += timedelta(days=1)
    return make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, time(14)),
        ends_at=timeslots.local_moment(day, time(16)),
        languages=("nl", "ar"),
        topics=("email", "eid_itsme"),
        **values,
    )


def test_only_matching_free_coaches_are_invited_once_in_their_language(world, mailbox):
    session = _session_on_tuesday_afternoon(world, coaches_max=4)
    fit = {
        "languages": ("ar",),
        "topics": ("email",),
        "neighbourhoods": (world.ledeberg,),
        "availability": ((2, "afternoon"),),
    }
    match = world.coach(email="match@example.org", language="fr", **fit)
    anywhere = world.coach(email="anywhere@example.org", **{**fit, "neighbourhoods": ()})
    world.coach(email="wrong-language@example.org", **{**fit, "languages": ("tr",)})
    world.coach(email="wrong-topic@example.org", **{**fit, "topics": ("job_search",)})
    world.coach(email="wrong-place@example.org", **{**fit, "neighbourhoods": (world.rabot,)})
    world.coach(email="mornings@example.org", **{**fit, "availability": ((2, "morning"),)})
    world.coach(email="trainee@example.org", status=CoachStatus.IN_TRAINING, **fit)
    world.coach(email="kortrijk@example.org", municipality=world.kortrijk, **fit)
    world.coach(email="no-mail@example.org", notify_email=False, **fit)
    busy = world.coach(email="busy@example.org", **fit)
    make_shift(
        make_help_session(
            world.other_location,
            starts_at=session.starts_at + timedelta(hours=1),
            ends_at=session.ends_at + timedelta(hours=1),
        ),
        busy,
    )
    on_it = world.coach(email="on-it@example.org", **fit)
    make_shift(session, on_it)
    db.session.commit()

    invited = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    db.session.commit()
    again = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    db.session.commit()
    outbox.dispatch_due()

    assert (invited.invited, again.invited) == (2, 0)
    assert {m["To"] for m in mailbox.messages} == {match.user.email, anywhere.user.email}
    body = mailbox.to("match@example.org")[0].get_body(("plain",)).get_content()
    assert "mardi" in body  # the coach's language
    assert "http://localhost/helpdesk/invitations/" in body
    token_row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.user_id == match.user.id))
    assert token_row.purpose == "shift_invite"
    assert token_row.expires_at == session.starts_at


def _invite_link(world, mailbox, coach, session) -> str:
    invitations.invite_matching_coaches(actor=world.coordinator, session=session, now=clock.now())
    db.session.commit()
    outbox.dispatch_due()
    body = mailbox.to(coach.user.email)[0].get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/helpdesk/invitations/\S+)", body).group(1)


def _fit(world):
    return {
        "languages": ("nl",),
        "topics": ("email",),
        "availability": ((2, "afternoon"),),
    }


def test_the_link_needs_a_sign_in_shows_one_button_and_a_get_changes_nothing(
    client, world, mailbox
):
    session = _session_on_tuesday_afternoon(world)
    coach = world.coach(email="kim@example.org", **_fit(world))
    db.session.commit()
    link = _invite_link(world, mailbox, coach, session)

    anonymous = client.get(link)
    assert anonymous.status_code == 302
    assert "/login?next=" in anonymous.headers["Location"]
    assert "invitations" in anonymous.headers["Location"]

    sign_in(client, coach.user)
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('type="submit"') >= 1
        assert "Yes, sign me up" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0

    assert client.post(link).status_code == 302
    db.session.rollback()
    assert db.session.get(HelpSession, session.id).coaches_taken == 1
    # The link works once.
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404


def test_a_link_meant_for_another_coach_reveals_nothing(client, world, mailbox):
    session = _session_on_tuesday_afternoon(world)
    invited = world.coach(email="ivo@example.org", **_fit(world))
    other = world.coach(email="olga@example.org")
    db.session.commit()
    link = _invite_link(world, mailbox, invited, session)
    sign_in(client, other.user)
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert client.get("/helpdesk/invitations/not-a-real-token").status_code == 404


def test_inviting_from_the_board_reports_how_many(client, world, mailbox):
    session = _session_on_tuesday_afternoon(world)
    world.coach(email="ann@example.org", **_fit(world))
    db.session.commit()
    sign_in(client, world.coordinator)
    response = client.post(f"/helpdesk/sessions/{session.id}/invite", follow_redirects=True)
    assert "1 matching digicoach is invited." in response.get_data(as_text=True)
    assert [m["To"] for m in mailbox.messages] == ["ann@example.org"]


def _on_day(location, days_from_today: int, **values):
    day = clock.local_today() + timedelta(days=days_from_today)
    return make_help_session(location, starts_at=timeslots.local_moment(day, time(14)), **values)


def test_the_board_shows_one_week_at_a_time_and_which_weeks_need_digicoaches(client, world):
    """Four pages of seven days from today: each lists its sessions in full, and every page
    says per week how many planned sessions are still below their minimum."""
    last_day_of_this_week = _on_day(world.location, 6)
    staffed = _on_day(world.location, 8, coaches_min=1)
    mentor = world.coach()
    make_shift(staffed, mentor)
    make_shift(staffed, world.coach(status="in_training"), as_shadow=True, mentor=mentor)
    first_of_week_two = _on_day(world.location, 14, coaches_min=2)
    elsewhere_in_week_two = _on_day(world.other_location, 20)
    cancelled = _on_day(world.location, 15, status="cancelled")
    beyond = _on_day(world.location, 28)
    db.session.commit()
    sign_in(client, world.coordinator)

    def page(query=""):
        return client.get("/helpdesk/board" + query).get_data(as_text=True)

    def shows(html, session):
        return f'<tr id="session-{session.id}">' in html

    first = page()
    assert shows(first, last_day_of_this_week)
    assert not any(shows(first, s) for s in (staffed, first_of_week_two, cancelled, beyond))
    assert page("?week=1").count('<tr id="session-') == 1 and shows(page("?week=1"), staffed)
    assert "1 of 1 digicoaches, at most 2, 1 shadow" in page("?week=1")
    week_two = page("?week=2")
    assert shows(week_two, first_of_week_two) and shows(week_two, elsewhere_in_week_two)
    assert shows(week_two, cancelled) and not shows(week_two, last_day_of_this_week)
    assert not any(shows(page(f"?week={n}"), beyond) for n in range(4))

    weeks = first.split('aria-label="Weeks">')[1].split("</nav>")[0]
    lines = [line for line in weeks.splitlines() if "<li>" in line]
    assert len(lines) == 4
    assert 'aria-current="page"' in lines[0] and "1 help session needs digicoaches" in lines[0]
    assert "0 help sessions need digicoaches" in lines[1]  # staffed; the cancelled one not
    assert "2 help sessions need digicoaches" in lines[2]
    assert 'href="/helpdesk/board?week=2"' in lines[2]
    for nonsense in ("?week=9", "?week=-1", "?week=abc"):  # this week
        assert shows(page(nonsense), last_day_of_this_week)
        assert page(nonsense).count('<tr id="session-') == 1


def test_inviting_from_the_board_returns_to_the_week_of_the_session(client, world):
    session = _on_day(world.location, 15)
    db.session.commit()
    sign_in(client, world.coordinator)
    response = client.post(f"/helpdesk/sessions/{session.id}/invite")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/helpdesk/board?week=2#session-{session.id}")
