"""Lending, extending, taking back and losing a device: the rules, the refusals (with their
codes) and that a refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from digicoach.content.models import PageVersion
from digicoach.core.audit import AuditEvent
from digicoach.core.citizens import citizen_key
from digicoach.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.loans import services
from digicoach.loans.models import Device, Loan, LoanCall
from tests.loans.conftest import NOW, lend, loan_input, publish_agreement


def _loans() -> int:
    return db.session.scalar(select(func.count()).select_from(Loan))


def test_lending_puts_the_device_on_loan_with_the_agreement_version_and_the_citizen_key(world):
    loan = lend(world, phone="0470 12 34 56", language="fr", agreement_method="on_paper")

    assert world.laptop.status == "on_loan"
    assert loan.phone == "+32470123456"
    assert loan.citizen_key == citizen_key(phone_e164="+32470123456")
    assert loan.language == "fr"
    # The French version: the agreement is the one of the citizen's language.
    assert loan.agreement_version.language == "fr"
    assert loan.agreement_method == "on_paper"
    assert loan.agreement_accepted_at == NOW
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "Loan"))
        == "loans.loan.lend"
    )


def test_a_lent_device_cannot_be_lent_again(world):
    lend(world)
    with pytest.raises(DomainError) as refused:
        lend(world, first_name="Rita", phone="0471 00 00 00")
    assert refused.value.code == "loans.device_unavailable"
    db.session.rollback()
    assert _loans() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"email": "not an address", "phone": ""}, "email"),
        ({"first_name": "  "}, "first_name"),
        ({"due_on": date(2026, 12, 1)}, "due_on"),
        ({"due_on": date(2027, 6, 1)}, "due_on"),
        ({"accepted": False}, "accepted"),
        ({"agreement_method": "by pigeon"}, "agreement_method"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_input_is_refused_per_field_and_changes_nothing(world, values, field):
    with pytest.raises(ValidationFailed) as refused:
        lend(world, **values)
    assert field in refused.value.errors
    db.session.rollback()
    assert _loans() == 0
    assert db.session.get(Device, world.laptop.id).status == "available"


def test_an_e_mail_address_alone_or_a_landline_is_enough(world):
    loan = lend(world, phone="", email="Marcel@Example.be")
    assert loan.phone is None and loan.email == "Marcel@example.be"
    assert loan.citizen_key == citizen_key(email="marcel@example.be")


def test_without_a_published_agreement_nobody_borrows(world):
    db.session.execute(db.delete(Loan))
    db.session.execute(db.delete(PageVersion))
    with pytest.raises(DomainError) as refused:
        lend(world)
    assert refused.value.code == "loans.no_agreement"


def test_a_newer_agreement_published_meanwhile_is_refused(world):
    shown = world.agreement.id
    publish_agreement("nl", version=2)
    with pytest.raises(DomainError) as refused:
        lend(world, agreement_version_id=shown)
    assert refused.value.code == "loans.agreement_changed"
    db.session.rollback()
    assert _loans() == 0


def test_another_municipality_cannot_see_or_lend_the_device(world):
    with pytest.raises(NotFound):
        services.get_scoped(Device, world.kortrijk_desk, world.laptop.id)
    with pytest.raises(PermissionDenied):
        services.lend(
            actor=world.kortrijk_desk, device=world.laptop, data=loan_input(), now=NOW, max_days=90
        )
    loan = lend(world)
    with pytest.raises(NotFound):
        services.get_scoped(Loan, world.kortrijk_desk, loan.id)
    assert services.get_scoped(Loan, world.coordinator, loan.id) is loan


def test_a_damaged_return_sends_the_device_for_repair(world):
    loan = lend(world)
    services.return_loan(
        actor=world.desk, loan=loan, condition="damaged", note="Scherm gebarsten", now=NOW
    )
    db.session.commit()
    assert loan.status == "returned" and loan.closed_at == NOW
    assert loan.return_condition == "damaged"
    assert world.laptop.status == "in_repair"
    assert world.laptop.condition == "damaged"


def test_a_good_return_makes_it_available_and_a_second_return_is_refused(world):
    loan = lend(world)
    services.return_loan(actor=world.desk, loan=loan, condition="good", now=NOW)
    db.session.commit()
    assert world.laptop.status == "available"
    with pytest.raises(DomainError) as refused:
        services.return_loan(actor=world.desk, loan=loan, condition="good", now=NOW)
    assert refused.value.code == "loans.loan_closed"


def test_a_lost_device_is_retired_and_stays_retired(world):
    loan = lend(world)
    services.mark_lost(actor=world.desk, loan=loan, now=NOW)
    db.session.commit()
    assert loan.status == "lost" and world.laptop.status == "retired"
    with pytest.raises(DomainError) as refused:
        services.set_device_status(actor=world.desk, device=world.laptop, status="available")
    assert refused.value.code == "loans.status_not_allowed"


def test_an_extension_moves_the_due_date_later_only(world):
    loan = lend(world)
    with pytest.raises(ValidationFailed):
        services.extend(
            actor=world.desk, loan=loan, due_on=date(2026, 12, 20), now=NOW, max_days=90
        )
    services.extend(actor=world.desk, loan=loan, due_on=date(2027, 1, 12), now=NOW, max_days=90)
    db.session.commit()
    assert loan.due_on == date(2027, 1, 12) and loan.extensions == 1


def test_a_device_on_loan_cannot_be_sent_for_repair_by_hand(world):
    lend(world)
    with pytest.raises(DomainError) as refused:
        services.set_device_status(actor=world.desk, device=world.laptop, status="in_repair")
    assert refused.value.code == "loans.status_not_allowed"


def test_a_label_is_unique_per_digipunt(world):
    with pytest.raises(ValidationFailed) as refused:
        services.add_device(
            actor=world.desk,
            location=world.location,
            data=services.DeviceInput(kind="tablet", label="laptop 1"),
        )
    assert "label" in refused.value.errors
    other = services.add_device(
        actor=world.kortrijk_desk,
        location=world.kortrijk_location,
        data=services.DeviceInput(kind="laptop", label="Laptop 1"),
    )
    assert other.id


def test_a_call_is_noted_with_who_and_when(world):
    loan = lend(world)
    services.record_call(actor=world.desk, loan=loan, note="Brengt hem vrijdag", now=NOW)
    db.session.commit()
    call = db.session.scalar(select(LoanCall))
    assert (call.called_by_id, call.called_at, call.note) == (
        world.desk.id,
        NOW,
        "Brengt hem vrijdag",
    )
