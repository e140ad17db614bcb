"""The outbox in words: every kind of message the code queues has a label, each message names
what it is about (an appointment by reference and place, never the citizen), one page per
message holds the codes, and the list is cut in SQL with a constant number of statements."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

import digicoach
from digicoach.bookings import services as booking_services
from digicoach.core import outbox
from digicoach.core.message_kinds import KINDS, subject_of
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.homevisits import notices as home_visit_notices
from digicoach.reminders.services import keys as reminder_keys
from tests.bookings.factories import make_appointment as book
from tests.bookings.factories import make_bookable_session
from tests.conftest import sign_in
from tests.factories import make_coordinator
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.factories import make_appointment

# Kinds built with an f-string: every value the placeholder can take.
DYNAMIC_KINDS = {
    "bookings.": sorted(booking_services.SUBJECTS),
    "homevisits.": list(home_visit_notices.CITIZEN_KINDS),
}


def _module_of(path: Path, root: Path) -> object:
    dotted = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    return importlib.import_module(dotted)


def _kinds(node: ast.expr, path: Path, root: Path, where: str) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        prefix = "".join(
            str(part.value)
            for part in node.values[:1]
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        assert prefix in DYNAMIC_KINDS, f"{where}: list the values of f'{prefix}…' in DYNAMIC_KINDS"
        yield from (prefix + value for value in DYNAMIC_KINDS[prefix])
    elif isinstance(node, ast.Name) and node.id.isupper():
        value = getattr(_module_of(path, root), node.id)
        assert isinstance(value, str), where
        yield value
    # Anything else (a parameter passed on, `kind=kind`) is checked where it is made.


def message_kinds_in_source() -> dict[str, str]:
    """Every message kind written as `kind=…` in the package, with where it is; plus the
    reminder kinds named as constants in reminders/services/keys.py."""
    root = Path(digicoach.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "kind":
                    continue
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                for kind in _kinds(keyword.value, path, root, where):
                    found.setdefault(kind, where)
    for name, value in vars(reminder_keys).items():
        is_kind = isinstance(value, str) and value.startswith(reminder_keys.KIND_PREFIX)
        if name.isupper() and is_kind and value != reminder_keys.KIND_PREFIX:
            found.setdefault(value, f"reminders.services.keys.{name}")
    return found


def test_every_kind_of_message_in_the_code_has_a_label():
    found = message_kinds_in_source()
    assert len(found) > 25, "the walk found too few kinds: has the outbox call moved?"
    missing = {kind: where for kind, where in found.items() if kind not in KINDS}
    assert not missing, f"message kinds without a label in core/message_kinds.py: {missing}"


def test_a_message_names_its_record_from_its_key():
    assert subject_of("reminders.appointment_day_before", "appointment:42:x:1:sms") == (
        "Appointment",
        "42",
    )
    assert subject_of("training.certified", "training.certified:7") == ("Certification", "7")
    assert subject_of("helpdesk.invitation", "helpdesk.invite:5:9:0") == ("HelpSession", "5")
    assert subject_of("accounts.password_reset", "password-reset:abc") is None
    assert subject_of("made.up", "made.up:3") is None


# --- the pages -----------------------------------------------------------------------------


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _queue(key: str, kind: str, *, status: Status = Status.PENDING, **values) -> OutboxMessage:
    message = outbox.enqueue(
        dedupe_key=key,
        kind=kind,
        channel=values.pop("channel", outbox.Channel.SMS),
        recipient=values.pop("recipient", "+32470123456"),
        subject=values.pop("subject", ""),
        body_text="Dag Maria, tot morgen om 14.00 uur.",
        **values,
    )
    message.status = status
    if status == Status.FAILED:
        message.attempts, message.last_error = 5, "SMTPRecipientsRefused: mailbox full"
    return message


@pytest.fixture
def appointment(world):
    session = make_help_session(world.location, mode="appointment")
    return make_appointment(session, reference="6KD-GVV", first_name="Maria")


def test_the_list_reads_in_words_and_never_shows_the_citizen(client, world, appointment):
    _queue(
        f"appointment:{appointment.id}:reminder.day_before:20260321T1300Z:sms",
        "reminders.appointment_day_before",
    )
    _queue(
        f"appointment:{appointment.id}:reminder.day_before:20260321T1300Z:email",
        "reminders.appointment_day_before",
        status=Status.FAILED,
        channel=outbox.Channel.EMAIL,
        recipient="maria.peeters@example.org",
        subject="Herinnering: uw afspraak morgen",
    )
    db.session.commit()
    sign_in(client, world.admin)
    html = client.get("/admin/outbox/").get_data(as_text=True)
    text = visible(html)
    assert text.count("Reminder before the appointment") >= 2
    assert "Appointment 6KD-GVV at Bibliotheek De Krook" in text
    assert "Waiting to be sent" in text and "Failed" in text
    assert "+32 470 ** ** 56" in text and "m***@example.org" in text
    assert "reminders.appointment_day_before" not in text
    for personal in ("Maria", "maria.peeters", "470 12 34 56", "tot morgen"):
        assert personal not in html


def test_a_message_has_its_own_page_with_the_codes_and_never_the_body(client, world, appointment):
    message = _queue(
        f"appointment:{appointment.id}:reminder.day_before:20260321T1300Z:email",
        "reminders.appointment_day_before",
        status=Status.FAILED,
        channel=outbox.Channel.EMAIL,
        recipient="maria.peeters@example.org",
        subject="Herinnering: uw afspraak morgen",
    )
    db.session.commit()
    sign_in(client, world.admin)
    response = client.get(f"/admin/outbox/{message.id}?status=failed")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Reminder before the appointment</h1>" in html
    assert "Appointment 6KD-GVV at Bibliotheek De Krook" in html
    assert "Herinnering: uw afspraak morgen" in html  # the subject line, in the recipient's words
    assert "<code>reminders.appointment_day_before</code>" in html
    assert "m***@example.org" in html and "maria.peeters" not in html
    assert "tot morgen" not in html and "Dag Maria" not in html
    assert "/admin/outbox/?status=failed" in html  # back to the same list
    assert client.get("/admin/outbox/999999").status_code == 404


def test_retry_from_a_message_page_returns_to_it(client, world, appointment):
    message = _queue(
        "appointment:1:x:1:sms", "reminders.appointment_day_before", status=Status.FAILED
    )
    db.session.commit()
    sign_in(client, world.admin)
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    action = re.search(r'action="([^"]*/retry[^"]*)"', page).group(1).replace("&amp;", "&")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = client.post(action, data={"csrf_token": token.group(1) if token else ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/outbox/{message.id}")
    # Back in the queue (and, with the test app's dispatch after the commit, already sent).
    assert db.session.get(OutboxMessage, message.id).status != Status.FAILED


def test_only_administrators_see_a_message(client, world):
    message = _queue("x:1", "reminders.shift")
    db.session.commit()
    sign_in(client, make_coordinator([world.municipality], email="co2@example.org"))
    assert client.get(f"/admin/outbox/{message.id}").status_code == 403


def test_the_kind_filter_shows_words_and_a_stale_link_is_ignored_with_a_note(client, world):
    _queue("appointment:1:a:1:sms", "reminders.appointment_day_before")
    _queue("shift:1:b:1:email", "reminders.shift", channel=outbox.Channel.EMAIL)
    db.session.commit()
    sign_in(client, world.admin)
    html = client.get("/admin/outbox/").get_data(as_text=True)
    assert '<option value="reminders.shift">Reminder before a shift</option>' in html
    assert "ignored" not in html and "field-error" not in html
    for query in ("kind=no.such.kind", "status=nonsense"):
        stale = client.get(f"/admin/outbox/?{query}").get_data(as_text=True)
        assert "A filter was ignored" in stale, query
        assert 'class="field-error"' not in stale and 'class="error-summary"' not in stale, query


def test_the_outbox_pages_by_twenty_five_in_sql(client, world):
    for number in range(60):
        _queue(f"user:{world.admin.id}:digest:{number}:email", "reminders.weekly_digest")
    db.session.commit()
    sign_in(client, world.admin)
    first = client.get("/admin/outbox/").get_data(as_text=True)
    assert first.count("Weekly overview</a>") == 25
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/admin/outbox/?page=3").get_data(as_text=True)
    assert last.count("Weekly overview</a>") == 10
    assert client.get("/admin/outbox/?page=abc").status_code == 200


def _selects(client, url: str) -> int:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_page_of_the_outbox_takes_the_same_statements_for_few_or_many_messages(client, world):
    session = make_help_session(world.location, mode="appointment")
    coach = make_working_coach(world.municipality)
    shift = make_shift(session, coach)

    def add_messages(first: int, count: int) -> None:
        for n in range(first, first + count):
            appointment = make_appointment(session, start=session.starts_at + timedelta(minutes=n))
            _queue(f"appointment:{appointment.id}:r:{n}:sms", "reminders.appointment_day_before")
            _queue(f"shift:{shift.id}:r:{n}:email", "reminders.shift", channel=outbox.Channel.EMAIL)
        db.session.commit()

    add_messages(0, 2)
    sign_in(client, world.admin)
    few = _selects(client, "/admin/outbox/")
    add_messages(2, 9)
    many = _selects(client, "/admin/outbox/")
    assert many == few
    html = client.get("/admin/outbox/").get_data(as_text=True)
    assert html.count("at Bibliotheek De Krook") >= 11


def test_the_booking_service_s_own_messages_name_their_appointment(client, world):
    coach = make_working_coach(world.municipality)
    session = make_bookable_session(world.location, [coach])
    booking = book(session, first_name="Maria", email="maria@example.org")
    db.session.commit()
    sign_in(client, world.admin)
    html = client.get("/admin/outbox/").get_data(as_text=True)
    reference = booking.appointment.reference
    assert f"Appointment {reference} at Bibliotheek De Krook" in html
    assert "Confirmation of an appointment" in html
    assert "Maria" not in html


def test_a_known_kind_without_messages_is_a_filter_with_an_empty_result(client, world):
    sign_in(client, world.admin)
    html = client.get("/admin/outbox/?kind=training.certified").get_data(as_text=True)
    assert "A filter was ignored" not in html and 'class="field-error"' not in html
    assert '<option selected value="training.certified">Certificate issued</option>' in html
    assert "No message matches these filters." in html
