"""Applying as a digicoach: what is stored, what is refused, and that it reveals nothing."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach import create_app
from digicoach.accounts import services as account_services
from digicoach.accounts.models import OneTimeToken, Role, User
from digicoach.coaches.demo import publish_default_texts
from digicoach.coaches.models import Coach, CoachStatus, CoachStatusChange
from digicoach.coaches.services import applications
from digicoach.core import clock, outbox
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from tests.coaches.factories import application, application_form
from tests.factories import make_coordinator, make_municipality, make_neighbourhood, make_user


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(User)),
        db.session.scalar(select(func.count()).select_from(Coach)),
        db.session.scalar(select(func.count()).select_from(CoachStatusChange)),
    )


# --- the service ------------------------------------------------------------------------------


def test_an_application_creates_a_coach_user_in_status_applied(gent, in_request):
    data = application(gent)
    coach = applications.apply(data, now=clock.now())
    db.session.commit()
    assert coach is not None
    assert coach.status == CoachStatus.APPLIED
    assert coach.user.roles == {Role.COACH}
    assert coach.user.name == f"Zerlinde {data.last_name}"
    assert coach.user.email_verified_at is None
    assert coach.phone == "+32470123456"
    assert coach.languages == ["ar", "nl"]
    assert coach.topics == ["eid_itsme", "email"]
    assert coach.availability == {(1, "morning"), (3, "evening")}
    assert coach.neighbourhood_ids == [gent.neighbourhoods[0].id]
    assert coach.notify_sms is True
    assert [(c.from_status, c.to_status) for c in coach.history] == [(None, "applied")]


def test_an_application_asks_to_verify_the_email_address(gent, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    tokens = db.session.scalars(select(OneTimeToken).where(OneTimeToken.user_id == coach.user.id))
    assert len(tokens.all()) == 1
    queued = db.session.scalars(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.recipient == coach.user.email)
    ).all()
    assert [message.kind for message in queued] == ["accounts.verify_email"]


def test_consent_records_the_published_versions_and_when(gent, in_request):
    published = {(v.slug, v.language): v for v in publish_default_texts()}
    now = clock.now()
    coach = applications.apply(application(gent, language="fr"), now=now)
    assert coach.privacy_version_id == published[("privacy", "fr")].id
    assert coach.volunteer_note_version_id == published[("volunteer-note", "fr")].id
    assert coach.privacy_accepted_at == now
    assert coach.volunteer_note_accepted_at == now


def test_without_published_texts_the_application_still_works(gent, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    assert coach.privacy_version_id is None and coach.privacy_accepted_at is None
    assert coach.volunteer_note_version_id is None


def test_applying_with_a_known_address_creates_nothing_and_warns_the_owner(gent, in_request):
    owner = make_user(email="Known@Example.org", language="fr")
    db.session.commit()
    before = _counts()
    result = applications.apply(application(gent, email="known@example.org"), now=clock.now())
    assert result is None
    assert _counts() == before
    warning = db.session.scalars(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "coaches.apply_attempt")
    ).one()
    assert warning.recipient == owner.email
    assert warning.language == "fr"


def test_the_owner_gets_one_warning_a_day_however_often_someone_tries(gent, in_request):
    make_user(email="known@example.org")
    for _ in range(3):
        applications.apply(application(gent, email="known@example.org"), now=clock.now())
    count = db.session.scalar(
        select(func.count()).where(outbox.OutboxMessage.kind == "coaches.apply_attempt")
    )
    assert count == 1


def test_a_deactivated_account_gets_no_warning(gent, in_request):
    # A deactivated account gets no more mail from any feature (core.messages.reachable).
    make_user(email="known@example.org", active=False)
    db.session.commit()
    result = applications.apply(application(gent, email="known@example.org"), now=clock.now())
    assert result is None
    count = db.session.scalar(
        select(func.count()).where(outbox.OutboxMessage.kind == "coaches.apply_attempt")
    )
    assert count == 0


BAD_INPUT = [
    ({"accepts_privacy": False}, "accepts_privacy"),
    ({"acknowledges_volunteer_note": False}, "acknowledges_volunteer_note"),
    ({"phone": "12345"}, "phone"),
    ({"phone": ""}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"password": "short"}, "password"),
    ({"password": "password1234"}, "password"),
    ({"first_name": "  "}, "first_name"),
    ({"last_name": "x" * 101}, "last_name"),
    ({"motivation": "x" * 2001}, "motivation"),
    ({"municipality_id": 999_999}, "municipality"),
    ({"municipality_id": None}, "municipality"),
    ({"languages": []}, "languages"),
    ({"languages": ["nl", "klingon"]}, "languages"),
    ({"topics": ["astrology"]}, "topics"),
    ({"availability": {(8, "morning")}}, "availability"),
    ({"availability": {(1, "night")}}, "availability"),
    ({"heard_from": "carrier-pigeon"}, "heard_from"),
]


@pytest.mark.parametrize(("override", "field"), BAD_INPUT)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(gent, in_request, override, field):
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        applications.apply(application(gent, **override), now=clock.now())
    assert field in refused.value.errors
    db.session.rollback()
    assert _counts() == before


def test_a_neighbourhood_of_another_municipality_is_refused(gent, kortrijk, in_request):
    heule = kortrijk.neighbourhoods[0]
    with pytest.raises(ValidationFailed) as refused, force_locale("en"):
        applications.apply(application(gent, neighbourhood_ids=[heule.id]), now=clock.now())
    assert [str(m) for m in refused.value.errors["neighbourhoods"]] == [
        "Choose neighbourhoods in Gent."
    ]


def test_every_problem_is_reported_at_once(gent, in_request):
    with pytest.raises(ValidationFailed) as refused:
        applications.apply(
            application(gent, phone="1", accepts_privacy=False, motivation="x" * 3000),
            now=clock.now(),
        )
    assert {"phone", "accepts_privacy", "motivation"} <= set(refused.value.errors)


# --- the pages --------------------------------------------------------------------------------


def test_with_several_municipalities_the_first_step_asks_where(client, gent, kortrijk):
    page = client.get("/coach/apply")
    assert page.status_code == 200
    assert b"Kortrijk" in page.data and b'name="first_name"' not in page.data


def test_an_unknown_municipality_in_the_first_step_is_a_field_error(client, gent, kortrijk):
    page = client.get("/coach/apply?municipality=999999")
    assert page.status_code == 200
    assert b"field-error" in page.data


def test_the_form_lists_the_neighbourhoods_of_the_chosen_municipality(client, gent, kortrijk):
    page = client.get(f"/coach/apply?municipality={gent.id}")
    assert b"Ledeberg" in page.data and b"Heule" not in page.data
    assert b'name="availability"' in page.data


def test_with_one_municipality_the_form_opens_at_once(client, gent):
    page = client.get("/coach/apply")
    assert b'name="first_name"' in page.data


def test_applying_through_the_form_sends_a_verification_mail(client, gent, mailbox):
    form = application_form(gent)
    response = client.post("/coach/apply", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/coach/apply/sent")
    coach = db.session.scalars(select(Coach)).one()
    assert coach.user.email == form["email"]
    assert coach.availability == {(1, "morning"), (5, "afternoon")}
    assert len(mailbox.to(form["email"])) == 1


def test_applying_twice_shows_the_same_page_and_creates_nothing(client, gent, mailbox):
    form = application_form(gent)
    first = client.post("/coach/apply", data=form)
    before = _counts()
    second = client.post("/coach/apply", data={**form, "first_name": "Someone"})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _counts() == before
    assert client.get(second.headers["Location"]).data == client.get(first.headers["Location"]).data
    subjects = [m["Subject"] for m in mailbox.to(form["email"])]
    assert len(subjects) == 2  # the verification, then the warning to the owner


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "field-error"), ("fr", "field-error"), ("en", "Choose neighbourhoods in Gent.")],
)
def test_errors_are_shown_next_to_the_field_in_the_reader_language(
    client, gent, kortrijk, language, expected
):
    client.set_cookie("lang", language)
    form = application_form(gent, neighbourhoods=[str(kortrijk.neighbourhoods[0].id)])
    page = client.post("/coach/apply", data=form)
    assert page.status_code == 200
    assert f'<html lang="{language}">'.encode() in page.data
    assert expected.encode() in page.data
    assert b'id="neighbourhoods-error"' in page.data
    assert db.session.scalar(select(func.count()).select_from(Coach)) == 0


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"accepts_privacy": None}, "accepts_privacy"),
        ({"phone": "abc"}, "phone"),
        ({"motivation": "x" * 2001}, "motivation"),
        ({"municipality": "999999"}, "municipality"),
        ({"municipality": "abc"}, "municipality"),
    ],
)
def test_bad_form_input_gives_a_field_error_and_writes_nothing(client, gent, override, field):
    page = client.post("/coach/apply", data=application_form(gent, **override))
    assert page.status_code == 200
    assert f'id="{field}-error"'.encode() in page.data
    assert b"error-summary" in page.data
    assert db.session.scalar(select(func.count()).select_from(Coach)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_form_shows_the_published_texts_to_accept(client, gent):
    publish_default_texts()
    db.session.commit()
    client.set_cookie("lang", "nl")  # a Dutch reader gets the Dutch versions
    page = client.get("/coach/apply")
    assert b"Privacyverklaring" in page.data
    assert b"Organisatienota voor vrijwilligers" in page.data


def test_the_application_needs_a_csrf_token(app_config, monkeypatch, tmp_path):
    app_config["WTF_CSRF_ENABLED"] = True
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "strict"))
    strict = create_app("testing", **app_config)
    with strict.app_context():
        place = make_municipality()
        db.session.commit()
        response = strict.test_client().post("/coach/apply", data=application_form(place))
        assert response.status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Coach)) == 0
        db.session.remove()
        db.engine.dispose()


def test_a_neighbourhood_list_without_neighbourhoods_still_works(client):
    municipality = make_municipality(name="Zonder wijken")
    other = make_municipality(name="Met wijken")
    make_neighbourhood(other)
    db.session.commit()
    page = client.post("/coach/apply", data=application_form(municipality, neighbourhoods=[]))
    assert page.status_code == 302


def test_a_confirmed_application_is_announced_to_the_municipality_coordinators(
    gent, kortrijk, coordinator, in_request
):
    elsewhere = make_coordinator([kortrijk])
    coach = applications.apply(application(gent, first_name="Ottilie"), now=clock.now())
    verification = db.session.scalars(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "accounts.verify_email")
    ).one()
    token = re.search(r"/verify-email/(\S+)", verification.body_text).group(1)
    account_services.verify_email(token, now=clock.now())
    announced = db.session.scalars(
        select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "coaches.new_application")
    ).all()
    assert [m.recipient for m in announced] == [coordinator.email]
    assert elsewhere.email not in {m.recipient for m in announced}
    # The announcement names no one, so an erasure leaves nothing behind in it.
    assert "Ottilie" not in announced[0].body_text
    assert coach.user.name not in announced[0].body_html
