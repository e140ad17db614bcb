"""The pages: queue, file, directory and the coach's own space, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from digicoach.coaches.models import CoachNeighbourhood, CoachStatus, CoachTopic, Intake
from digicoach.core import clock
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_admin, make_location


@pytest.fixture
def signed_in_coordinator(client, coordinator):
    sign_in(client, coordinator)
    return coordinator


def test_the_queue_shows_applicants_oldest_first(client, gent, signed_in_coordinator):
    now = clock.now()
    make_coach(gent, last_name="Later", applied_at=now - timedelta(days=1))
    make_coach(gent, last_name="Eerder", applied_at=now - timedelta(days=9))
    make_coach(gent, last_name="Actief", status=CoachStatus.ACTIVE)
    db.session.commit()
    page = client.get("/coaches/queue").data.decode()
    assert page.index("Eerder") < page.index("Later")
    assert "Actief" not in page
    assert "2 found." in page


def test_the_queue_filters_and_searches(client, gent, signed_in_coordinator):
    arabic = make_coach(gent, last_name="Aarabi")
    arabic.language_rows[0].code = "ar"
    make_coach(gent, last_name="Vandeplas", email="nl-coach@example.org")
    db.session.commit()
    page = client.get("/coaches/queue?language=ar").data.decode()
    assert "Aarabi" in page and "Vandeplas" not in page
    page = client.get("/coaches/queue?search=NL-COACH@").data.decode()
    assert "Vandeplas" in page and "Aarabi" not in page
    # A percent sign is searched for literally, not as a wildcard.
    assert "0 found." in client.get("/coaches/queue?search=%25").data.decode()


def test_the_queue_pages(client, gent, signed_in_coordinator):
    for _ in range(27):
        make_coach(gent)
    db.session.commit()
    first = client.get("/coaches/queue").data.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/coaches/queue?page=2").data.decode()
    assert second.count('name="coach_ids"') == 2


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "status=banana", "municipality=x"])
def test_odd_query_strings_never_break_the_lists(client, gent, signed_in_coordinator, query):
    assert client.get(f"/coaches/queue?{query}").status_code == 200
    assert client.get(f"/coaches?{query}").status_code == 200


def test_the_file_shows_everything_staff_need(client, gent, signed_in_coordinator):
    coach = make_coach(gent, first_name="Fien", last_name="Dossier", screened=True)
    db.session.commit()
    page = client.get(f"/coaches/{coach.id}").data.decode()
    for text in ("Fien Dossier", "Ik help graag.", "Screening", "Intake", "History", "notes"):
        assert text in page
    assert page.count("<h1") == 1


def test_a_note_is_added_from_the_file(client, gent, signed_in_coordinator):
    coach = make_coach(gent)
    db.session.commit()
    response = client.post(f"/coaches/{coach.id}/notes", data={"note-body": "Eerste contact."})
    assert response.status_code == 302
    assert [n.body for n in coach.notes] == ["Eerste contact."]
    page = client.post(f"/coaches/{coach.id}/notes", data={"note-body": ""})
    assert page.status_code == 200 and b'id="note-body-error"' in page.data


def test_an_intake_is_planned_from_the_file_and_mailed_with_a_calendar_file(
    client, gent, signed_in_coordinator, mailbox
):
    coach = make_coach(gent, email="intake@example.org")
    location = make_location(gent, name="Wijkcentrum Rabot")
    db.session.commit()
    day = (clock.local_today() + timedelta(days=4)).isoformat()
    response = client.post(
        f"/coaches/{coach.id}/intake",
        data={
            "intake-day": day,
            "intake-time": "14:00",
            "intake-minutes": "45",
            "intake-location": str(location.id),
            "intake-place": "",
        },
    )
    assert response.status_code == 302
    intake = db.session.scalars(select(Intake)).one()
    assert clock.local(intake.starts_at).hour == 14
    [mail] = mailbox.to("intake@example.org")
    attachments = [part.get_filename() for part in mail.iter_attachments()]
    assert attachments == ["intake.ics"]


def test_a_bad_intake_gives_field_errors(client, gent, signed_in_coordinator):
    coach = make_coach(gent)
    db.session.commit()
    page = client.post(
        f"/coaches/{coach.id}/intake",
        data={"intake-day": "2001-01-01", "intake-time": "10:00", "intake-minutes": "45"},
    )
    assert page.status_code == 200
    assert b'id="intake-day-error"' in page.data and b'id="intake-place-error"' in page.data
    page = client.post(f"/coaches/{coach.id}/intake", data={"intake-day": "gisteren"})
    assert page.status_code == 200 and b"error-summary" in page.data


def test_screening_and_approval_from_the_file(client, gent, signed_in_coordinator, mailbox):
    coach = make_coach(gent, email="approve-me@example.org")
    db.session.commit()
    refused = client.post(f"/coaches/{coach.id}/status", data={"status-status": "approved"})
    assert refused.status_code == 200 and b"Screening is not complete" in refused.data
    today = clock.local_today().isoformat()
    client.post(
        f"/coaches/{coach.id}/screening",
        data={
            "screening-intake_held": today,
            "screening-identity_seen": today,
            "screening-good_conduct_seen": today,
            "screening-insurance_reference": "",
        },
    )
    response = client.post(f"/coaches/{coach.id}/status", data={"status-status": "approved"})
    assert response.status_code == 302
    db.session.expire_all()
    assert coach.status == CoachStatus.APPROVED
    assert len(mailbox.to("approve-me@example.org")) == 1


def test_declining_without_a_reason_shows_the_error_next_to_it(client, gent, signed_in_coordinator):
    coach = make_coach(gent)
    db.session.commit()
    page = client.post(f"/coaches/{coach.id}/status", data={"status-status": "rejected"})
    assert page.status_code == 200 and b'id="status-reason-error"' in page.data


def test_bulk_approval_reports_who_failed(client, gent, signed_in_coordinator):
    ready = make_coach(gent, screened=True)
    not_ready = make_coach(gent, first_name="Nog", last_name="Niet")
    db.session.commit()
    response = client.post(
        "/coaches/queue/approve",
        data={"coach_ids": [str(ready.id), str(not_ready.id)]},
        follow_redirects=True,
    )
    page = response.data.decode()
    assert "Approved: 1." in page
    assert "Not approved: Nog Niet." in page


def test_the_directory_filters_by_topic_and_neighbourhood(client, gent, signed_in_coordinator):
    rabot = gent.neighbourhoods[1]
    match = make_coach(gent, last_name="Treffer", status=CoachStatus.ACTIVE)
    match.topic_rows.append(CoachTopic(code="online_banking"))
    match.neighbourhood_rows.append(CoachNeighbourhood(neighbourhood_id=rabot.id))
    make_coach(gent, last_name="Anders", status=CoachStatus.ACTIVE)
    make_coach(gent, last_name="Vertrokken", status=CoachStatus.LEFT)
    db.session.commit()
    page = client.get("/coaches").data.decode()
    assert "Treffer" in page and "Anders" in page and "Vertrokken" not in page
    page = client.get(f"/coaches?topic=online_banking&neighbourhood={rabot.id}").data.decode()
    assert "Treffer" in page and "Anders" not in page
    assert "Vertrokken" in client.get("/coaches?status=left").data.decode()


def test_an_admin_sees_every_municipality(client, gent, kortrijk):
    make_coach(gent, last_name="Gentenaar")
    make_coach(kortrijk, last_name="Kortrijkzaan")
    admin = make_admin()
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/coaches/queue").data.decode()
    assert "Gentenaar" in page and "Kortrijkzaan" in page


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("applied", "A coordinator will call or e-mail you"),
        ("approved", "Your next step is the training"),
        ("active", "You are an active digicoach"),
        ("dormant", "We have not seen you for a while"),
        ("rejected", "We could not accept your application"),
    ],
)
def test_the_coach_sees_their_status_and_next_step(client, gent, status, words):
    coach = make_coach(gent, status=status)
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/me").data.decode()
    assert words in page


def test_the_coach_sees_their_planned_intake(client, gent, coordinator):
    coach = make_coach(gent)
    db.session.add(
        Intake(
            coach_id=coach.id,
            starts_at=clock.now() + timedelta(days=2),
            ends_at=clock.now() + timedelta(days=2, hours=1),
            place="Stadhuis, zaal 2",
        )
    )
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/me").data.decode()
    assert "Stadhuis, zaal 2" in page and "identity card" in page


def test_a_coach_user_without_a_profile_gets_a_friendly_page(client):
    from tests.factories import make_user

    user = make_user()
    db.session.commit()
    sign_in(client, user)
    page = client.get("/me")
    assert page.status_code == 200 and b"no digicoach profile" in page.data
    assert client.get("/me/profile").status_code == 404


def test_the_coach_edits_their_profile(client, gent):
    coach = make_coach(gent)
    db.session.commit()
    sign_in(client, coach.user)
    form = client.get("/me/profile")
    assert form.status_code == 200 and b'value="1-morning"' in form.data
    response = client.post(
        "/me/profile",
        data={
            "first_name": "Anna",
            "last_name": "Nieuw",
            "phone": "0470 11 22 33",
            "languages": ["nl", "uk"],
            "topics": ["video_calling"],
            "availability": ["6-morning"],
            "notify_email": "y",
            "notify_sms": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert coach.user.name == "Anna Nieuw"
    assert coach.languages == ["nl", "uk"]
    assert coach.availability == {(6, "morning")}
    assert coach.notify_sms is True
    page = client.post("/me/profile", data={"first_name": "", "phone": "x", "languages": []})
    assert page.status_code == 200
    assert b'id="first_name-error"' in page.data and b'id="phone-error"' in page.data


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_coach_pages_answer_in_each_language(client, gent, language):
    coach = make_coach(gent)
    db.session.commit()
    client.set_cookie("lang", language)
    sign_in(client, coach.user)
    coach.user.language = language
    db.session.commit()
    for path in ("/me", "/me/profile", "/coach/apply", "/coach/apply/sent"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{language}">'.encode() in page.data
