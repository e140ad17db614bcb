"""A referral to a digipunt no partner organisation runs (Digipunt Dampoort in Gent): the
coordinators and desk staff of Gent receive it, with the citizen's contact data, move it on and
get the reminders; nobody else sees it (a Kortrijk coordinator, partner staff and admins get 404
or 403, guessed ids too). Its contact data is erased on schedule and never exported."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from digicoach.core.audit import AuditEvent
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.referrals import notices, retention, services
from digicoach.referrals.models import Referral
from tests.conftest import sign_in
from tests.factories import make_location, make_programme
from tests.referrals.conftest import NOW, refer


def _to_dampoort(world, **values):
    return refer(world, target=f"location:{world.dampoort.id}", **values)


def _statuses() -> list[tuple]:
    rows = db.session.execute(
        select(Referral.id, Referral.status, Referral.outcome).order_by(Referral.id)
    ).all()
    db.session.rollback()
    return rows


def test_a_digipunt_without_organisation_is_a_target_received_by_its_municipality(world):
    keys = {target.key: target for target in services.targets(world.gent.id)}
    target = keys[f"location:{world.dampoort.id}"]
    assert target.organisation is None and target.label == "Digipunt Dampoort"
    assert f"location:{world.krook.id}" in keys
    referral = _to_dampoort(world)
    assert referral.organisation_id is None and referral.municipality_id == world.gent.id
    assert referral.location_id == world.dampoort.id and referral.to_municipality
    assert referral.receiver_name == "Digipunt Dampoort"
    # The help log's tick: somewhere else (no kind of organisation to go by).
    assert db.session.get(type(world.log), world.log.id).referred_to == "other"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("referrals.referral.send%"))
    ).one()
    assert event.action == "referrals.referral.send_digipunt"
    assert "Marcel" not in repr(event.fields) and "470" not in repr(event.fields)


def test_a_kortrijk_digipunt_is_no_target_from_gent(world):
    elsewhere = make_location(world.kortrijk, name="Digipunt Kortrijk Centrum")
    db.session.commit()
    assert f"location:{elsewhere.id}" not in {t.key for t in services.targets(world.gent.id)}
    with pytest.raises(ValidationFailed) as refused:
        refer(world, target=f"location:{elsewhere.id}")
    assert set(refused.value.errors) == {"target"}


@pytest.mark.parametrize("who", ["coordinator", "desk"])
def test_the_municipalitys_coordinators_and_desk_move_it_on(world, who):
    referral = _to_dampoort(world)
    actor = getattr(world, who)
    services.accept(actor=actor, referral=referral, now=NOW)
    services.mark_contacted(actor=actor, referral=referral, now=NOW)
    services.close(actor=actor, referral=referral, outcome="helped", now=NOW)
    db.session.commit()
    assert _statuses() == [(referral.id, "closed", "helped")]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "Referral")
    ).all()
    assert "referrals.referral.close" in actions


@pytest.mark.parametrize(
    "who", ["kortrijk_coordinator", "ocmw_staff", "library_staff", "admin", "coach"]
)
def test_no_one_else_may_move_it_on(world, who):
    referral = _to_dampoort(world)
    actor = getattr(world, who)
    actor = actor.user if hasattr(actor, "user") else actor
    for step in (services.accept, services.mark_contacted):
        with pytest.raises(PermissionDenied):
            step(actor=actor, referral=referral, now=NOW)
    with pytest.raises(PermissionDenied):
        services.close(actor=actor, referral=referral, outcome="helped", now=NOW)
    db.session.rollback()
    assert _statuses() == [(referral.id, "sent", None)]


def test_the_gent_desk_sees_the_contact_data_and_closes_it_from_the_inbox(client, world):
    referral = _to_dampoort(world)
    to_ocmw = refer(world, first_name="Germaine", phone="0471 11 22 33")
    sign_in(client, world.desk)
    inbox = client.get("/partners/referrals")
    assert inbox.status_code == 200 and b"Marcel" in inbox.data
    assert b"no partner organisation runs" in inbox.data
    # A referral to an organisation stays with its staff: not in the desk's inbox.
    assert b"Germaine" not in inbox.data
    assert client.get(f"/partners/referrals/{to_ocmw.id}").status_code == 404
    page = client.get(f"/partners/referrals/{referral.id}")
    assert b"tel:+32470123456" in page.data and b"Digipunt Dampoort" in page.data
    assert page.headers["Cache-Control"].startswith("no-store")
    assert client.post(f"/partners/referrals/{referral.id}/accept").status_code == 302
    closed = client.post(f"/partners/referrals/{referral.id}/close", data={"outcome": "helped"})
    assert closed.status_code == 302
    assert (referral.id, "closed", "helped") in _statuses()
    sign_in(client, world.coordinator)
    assert b"Marcel" in client.get("/partners/referrals").data


def test_the_workspace_tells_the_desk_a_referral_waits(client, world):
    _to_dampoort(world)
    sign_in(client, world.desk)
    work = client.get("/work")
    assert b"Referrals to your digital help points" in work.data
    assert b"1 referral waits for a reply" in work.data
    sign_in(client, world.kortrijk_coordinator)
    assert b"Referrals to your digital help points" not in client.get("/work").data


@pytest.mark.parametrize("who", ["kortrijk_coordinator", "ocmw_staff", "library_staff"])
def test_others_get_404_for_it_and_for_guessed_ids_and_change_nothing(client, world, who):
    referral = _to_dampoort(world)
    sign_in(client, getattr(world, who))
    inbox = client.get("/partners/referrals")
    assert inbox.status_code == 200 and b"Marcel" not in inbox.data
    before = _statuses()
    for referral_id in (referral.id, referral.id + 1, 987654):
        assert client.get(f"/partners/referrals/{referral_id}").status_code == 404
        for step in ("accept", "contacted"):
            assert client.post(f"/partners/referrals/{referral_id}/{step}").status_code == 404
        response = client.post(
            f"/partners/referrals/{referral_id}/close", data={"outcome": "helped"}
        )
        assert response.status_code == 404
    assert _statuses() == before


@pytest.mark.parametrize("who", ["admin", "coach"])
def test_admins_and_coaches_do_not_open_the_inbox(client, world, who):
    referral = _to_dampoort(world)
    user = getattr(world, who)
    sign_in(client, user.user if hasattr(user, "user") else user)
    assert client.get("/partners/referrals").status_code == 403
    assert client.get(f"/partners/referrals/{referral.id}").status_code == 403


def test_the_referrer_follows_it_without_the_phone(client, world):
    _to_dampoort(world)
    sign_in(client, world.coach.user)
    mine = client.get("/referrals/mine")
    assert b"Digipunt Dampoort" in mine.data and b"Marcel" in mine.data
    assert b"470" not in mine.data


def test_reminders_go_to_the_municipalitys_coordinators_and_desk(world):
    _to_dampoort(world)
    assert notices.queue_open_reminders(now=NOW + timedelta(days=5), every_days=5) == 2
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.recipient for m in messages} == {world.coordinator.email, world.desk.email}
    for message in messages:
        assert "Marcel" not in message.body_text and "470" not in message.body_text
        assert "Digipunt Dampoort" in message.body_text
    assert notices.queue_open_reminders(now=NOW + timedelta(days=6), every_days=5) == 0


def test_its_contact_data_is_erased_after_the_retention_period(world):
    referral = _to_dampoort(world)
    closed_at = NOW + timedelta(days=1)
    services.close(actor=world.desk, referral=referral, outcome="declined", now=closed_at)
    db.session.commit()
    assert retention.purge_contact_data(now=closed_at + timedelta(days=29), retention_days=30) == 0
    assert retention.purge_contact_data(now=closed_at + timedelta(days=30), retention_days=30) == 1
    db.session.commit()
    erased = db.session.get(Referral, referral.id)
    assert (erased.first_name, erased.phone, erased.email, erased.reason) == ("", None, None, "")
    assert erased.outcome == "declined" and erased.location_id == world.dampoort.id


def test_it_counts_in_the_figures_and_never_leaves_in_the_exports(client, world):
    make_programme([world.gent])
    db.session.commit()
    _to_dampoort(world)
    refer(world, first_name="Germaine", phone="0471 11 22 33")
    sign_in(client, world.coordinator)
    dashboard = client.get("/progress/")
    assert b"Digital help points of the municipality" in dashboard.data
    csv = client.get("/progress/export.csv?kind=figures").data.decode()
    assert "Digital help points of the municipality" in csv
    xlsx = load_workbook(io.BytesIO(client.get("/progress/export.xlsx?kind=figures").data))
    cells = " ".join(
        str(cell)
        for sheet in xlsx.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    logs = client.get("/progress/export.csv?kind=logs").data.decode()
    for text in (csv, cells, logs):
        assert "Marcel" not in text and "Germaine" not in text and "470" not in text
    sign_in(client, world.coach.user)
    exported = client.get("/me/export.json")
    assert b"Marcel" not in exported.data and b"470123456" not in exported.data
