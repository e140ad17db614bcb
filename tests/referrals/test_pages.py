"""Partner staff see and change only their organisation's referrals (guessed ids give 404);
the contact data shows to the receiving organisation only (the referrer sees the first name and
the status), and never leaves in the progress exports or the coach's data export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from digicoach.extensions import db
from digicoach.referrals.models import Referral
from tests.conftest import sign_in
from tests.factories import make_programme
from tests.helpdesk.factories import make_help_session
from tests.helplog.factories import make_booked_appointment
from tests.referrals.conftest import refer


def _statuses() -> list[tuple]:
    rows = db.session.execute(
        select(Referral.id, Referral.status, Referral.outcome).order_by(Referral.id)
    ).all()
    db.session.rollback()
    return rows


def test_a_coach_refers_from_the_help_log_form_and_follows_the_status(client, world):
    sign_in(client, world.coach.user)
    form = client.get(f"/referrals/new?help_log={world.log.id}")
    assert form.status_code == 200 and b"Hulp bij het sociaal tarief" in form.data
    assert b"Tablet lenen in Kortrijk" not in form.data
    refused = client.post(
        f"/referrals/new?help_log={world.log.id}",
        data={
            "target": f"offer:{world.tariff.id}",
            "reason": "Sociaal tarief",
            "first_name": "Marcel",
            "phone": "0470 12 34 56",
        },
    )
    assert refused.status_code == 422 and _statuses() == []
    sent = client.post(
        f"/referrals/new?help_log={world.log.id}",
        data={
            "target": f"offer:{world.tariff.id}",
            "reason": "Sociaal tarief",
            "first_name": "Marcel",
            "phone": "0470 12 34 56",
            "consent": "y",
        },
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/referrals/mine")
    mine = client.get("/referrals/mine")
    assert b"Marcel" in mine.data and b"OCMW Gent" in mine.data
    # The referrer's view is minimal: no phone number.
    assert b"470" not in mine.data
    today = client.get("/helplog/")
    assert f"/referrals/new?help_log={world.log.id}".encode() in today.data


def test_another_coach_gets_404_for_a_log_that_is_not_theirs(client, world):
    sign_in(client, world.other_coach.user)
    for url in (
        f"/referrals/new?help_log={world.log.id}",
        "/referrals/new?help_log=987654",
        "/referrals/new",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/referrals/new?help_log={world.log.id}", data={}).status_code == 404


def test_the_desk_refers_from_its_digipunt(client, world):
    sign_in(client, world.desk)
    assert (
        f"/referrals/new?location={world.krook.id}".encode() in client.get("/referrals/mine").data
    )
    assert client.get(f"/referrals/new?location={world.krook.id}").status_code == 200


def test_the_receiving_staff_see_the_contact_data_and_move_the_referral_on(client, world):
    referral = refer(world)
    sign_in(client, world.ocmw_staff)
    inbox = client.get("/partners/referrals")
    assert b"Marcel" in inbox.data and b"Sociaal tarief internet aanvragen" in inbox.data
    page = client.get(f"/partners/referrals/{referral.id}")
    assert b"tel:+32470123456" in page.data
    client.post(f"/partners/referrals/{referral.id}/accept")
    client.post(f"/partners/referrals/{referral.id}/contacted")
    assert client.post(f"/partners/referrals/{referral.id}/close", data={}).status_code == 422
    closed = client.post(f"/partners/referrals/{referral.id}/close", data={"outcome": "helped"})
    assert closed.status_code == 302
    assert _statuses() == [(referral.id, "closed", "helped")]
    workspace = client.get("/work")
    assert b"Referrals to your organisation" in workspace.data


@pytest.mark.parametrize("who", ["library_staff", "kortrijk_staff"])
def test_other_organisations_staff_get_404_and_change_nothing(client, world, who):
    referral = refer(world)
    sign_in(client, getattr(world, who))
    assert b"Marcel" not in client.get("/partners/referrals").data
    before = _statuses()
    for referral_id in (referral.id, 987654):
        assert client.get(f"/partners/referrals/{referral_id}").status_code == 404
        for step in ("accept", "contacted"):
            assert client.post(f"/partners/referrals/{referral_id}/{step}").status_code == 404
        response = client.post(
            f"/partners/referrals/{referral_id}/close", data={"outcome": "helped"}
        )
        assert response.status_code == 404
    assert _statuses() == before


def test_no_one_outside_the_organisation_opens_the_inbox(client, world):
    referral = refer(world)
    sign_in(client, world.admin)
    assert client.get("/partners/referrals").status_code == 403
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "desk"])
def test_the_municipality_does_not_see_a_referral_to_an_organisation(client, world, who):
    """Coordinators and desk staff open the inbox for their own digipunten' referrals
    (test_municipal_digipunt.py); a referral to a partner organisation is not theirs."""
    referral = refer(world)
    sign_in(client, getattr(world, who))
    assert b"Marcel" not in client.get("/partners/referrals").data
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 404
    assert client.post(f"/partners/referrals/{referral.id}/accept").status_code == 404


def test_figures_count_referrals_with_the_small_number_rule_and_exports_hold_no_contact(
    client, world
):
    make_programme([world.gent])
    db.session.commit()
    referral = refer(world)
    refer(world, first_name="Germaine", phone="0471 11 22 33")
    sign_in(client, world.coordinator)
    dashboard = client.get("/progress/")
    assert b"Referrals to partner organisations" in dashboard.data
    assert b"OCMW Gent" in dashboard.data and b"fewer than 5" in dashboard.data
    csv = client.get("/progress/export.csv?kind=figures").data.decode()
    assert "OCMW Gent" in csv and "<5" in csv
    xlsx = load_workbook(io.BytesIO(client.get("/progress/export.xlsx?kind=figures").data))
    assert "Referrals by organisation" in xlsx.sheetnames
    cells = " ".join(
        str(cell)
        for sheet in xlsx.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    logs = client.get("/progress/export.csv?kind=logs").data.decode()
    for text in (csv, cells, logs):
        assert "Marcel" not in text and "Germaine" not in text and "470" not in text
    assert referral.id


def test_the_coachs_own_data_export_holds_no_referral_contact(client, world):
    refer(world)
    sign_in(client, world.coach.user)
    exported = client.get("/me/export.json")
    assert exported.status_code == 200
    assert b"Marcel" not in exported.data and b"470123456" not in exported.data


def test_the_url_map_declares_who_reaches_every_referral_page(app):
    """The url_map walks (tests/test_routes.py, tests/test_security.py) check these routes; here
    the rule each one carries."""
    rules = {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "access_rule", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("referrals.")
    }
    assert rules == {
        "referrals.new": "require:can_refer",
        "referrals.mine": "require:can_refer",
        "referrals.inbox": "require:can_receive_referrals",
        "referrals.detail": "require:can_receive_referrals",
        "referrals.accept": "require:can_receive_referrals",
        "referrals.contacted": "require:can_receive_referrals",
        "referrals.close": "require:can_receive_referrals",
    }


def test_the_desk_refers_from_an_appointment_with_its_contact_prefilled(client, world):
    session = make_help_session(world.krook)
    appointment = make_booked_appointment(
        session, first_name="Maria", phone="+32470000001", assigned_coach_id=world.coach.id
    )
    db.session.commit()
    sign_in(client, world.desk)
    slip = client.get(f"/desk/appointments/{appointment.id}")
    assert f"/referrals/new?appointment={appointment.id}".encode() in slip.data
    form = client.get(f"/referrals/new?appointment={appointment.id}")
    assert b'value="Maria"' in form.data and b"+32470000001" in form.data
    sent = client.post(
        f"/referrals/new?appointment={appointment.id}",
        data={
            "target": f"location:{world.krook.id}",
            "reason": "Wil een laptop lenen",
            "first_name": "Maria",
            "phone": "+32470000001",
            "consent": "y",
        },
    )
    assert sent.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert referral.appointment_id == appointment.id
    assert referral.organisation_id == world.library.id
    assert referral.neighbourhood_id == world.wijk.id
    # The appointment's coach may refer from it too; another coach may not.
    sign_in(client, world.coach.user)
    assert client.get(f"/referrals/new?appointment={appointment.id}").status_code == 200
    sign_in(client, world.other_coach.user)
    assert client.get(f"/referrals/new?appointment={appointment.id}").status_code == 404
