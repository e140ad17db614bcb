"""The helpers every feature shares instead of keeping its own copy (core)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.core import clock, messages
from digicoach.core import db as core_db
from digicoach.core.errors import FieldErrors, NotFound, ValidationFailed
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.factories import make_user


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (12, 12),
        ("²", None),  # str.isdigit() says yes; int() raises
        ("١٢", None),  # Arabic-Indic digits are digits too, but not an id
        ("0", None),
        ("-3", None),
        (" 7", None),
        ("9" * 19, None),  # past a 64-bit column
        (str(2**63 - 1), 2**63 - 1),
        (True, None),
        (None, None),
        ("", None),
        (3.0, None),
    ],
)
def test_an_id_is_ascii_digits_that_fit_a_64_bit_column(raw, expected):
    assert core_db.parse_id(raw) == expected


def test_a_missing_or_odd_id_is_not_found(app):
    with app.app_context():
        user = make_user(email="a@example.org")
        db.session.commit()
        assert core_db.get_or_not_found(User, str(user.id)) is user
        for odd in ("²", user.id + 1000, "x", None):
            with pytest.raises(NotFound):
                core_db.get_or_not_found(User, odd)


def test_field_errors_report_every_field_at_once():
    errors = FieldErrors()
    errors.raise_if_any()  # nothing collected: no refusal
    errors.add("name", "Enter a name.")
    errors.add("name", "Too long.")
    errors.add("email", "Enter an e-mail address.")
    assert "name" in errors and "phone" not in errors
    with pytest.raises(ValidationFailed) as refused:
        errors.raise_if_any()
    assert refused.value.errors == {
        "name": ["Enter a name.", "Too long."],
        "email": ["Enter an e-mail address."],
    }


def _queued(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_no_mail_for_a_deactivated_or_erased_account(app):
    with app.test_request_context("/"):
        active = make_user(email="active@example.org", language="fr")
        deactivated = make_user(email="gone@example.org", active=False)
        erased = make_user(email="erased@example.org")
        erased.anonymised_at = clock.now()
        for user in (active, deactivated, erased):
            messages.queue_user_email(
                user,
                template="accounts/email/password_reset",
                subject="Hello",
                kind="test.hello",
                dedupe_key=f"hello:{user.id}",
                link="https://example.org/x",
                hours=1,
            )
        db.session.commit()
        queued = _queued("test.hello")
        assert [(m.recipient, m.language) for m in queued] == [("active@example.org", "fr")]


def test_a_text_message_goes_to_mobiles_only(app):
    with app.test_request_context("/"):
        for number in ("+32470123456", "+3292345678", "", None):
            messages.queue_sms(
                recipient=number,
                language="nl",
                kind="test.sms",
                dedupe_key=f"sms:{number}",
                template="bookings/sms/booked.txt",
                appointment=SimpleNamespace(reference="AB12", start=clock.now()),
                location=SimpleNamespace(name="Bibliotheek", address="Kouter 1, Gent"),
                manage_url=None,
            )
        db.session.commit()
        assert [m.recipient for m in _queued("test.sms")] == ["+32470123456"]
