"""The audit log in words: every action the code records has a label, records are named
(without a citizen's personal data) in one query per kind, and a filter link never errs."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

import digicoach
from digicoach.coaches.models import CoachStatus
from digicoach.core import audit
from digicoach.core.audit_labels import ACTION_LABELS, OBJECT_TYPE_LABELS
from digicoach.extensions import db
from digicoach.loans import rules as loan_rules
from digicoach.object_names import NAMED_TYPES
from digicoach.training import rules as training_rules
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.conftest import sign_in
from tests.factories import make_admin, make_location, make_municipality, make_neighbourhood
from tests.helpdesk.factories import make_working_coach

# Codes built with an f-string: every value the placeholder can take.
DYNAMIC_ACTIONS = {
    "coach.status.": [status.value for status in CoachStatus],
    "training.cohort.": list(training_rules.COHORT_STATUSES),
    "training.enrolment.": sorted(training_rules.ACTIVE_ENROLMENT_STATUSES),
    # What staff may set by hand (loans.services.set_device_status).
    "loans.device.": sorted(set().union(*loan_rules.MANUAL_TRANSITIONS.values())),
}


def _codes(node: ast.expr, where: str) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _codes(node.body, where)
        yield from _codes(node.orelse, where)
    elif isinstance(node, ast.JoinedStr):
        prefix = ""
        for part in node.values:
            if not isinstance(part, ast.Constant):
                break
            prefix += str(part.value)
        assert prefix in DYNAMIC_ACTIONS, (
            f"{where}: the audit action f-string starting {prefix!r} needs its possible values "
            "in DYNAMIC_ACTIONS (and a label for each in core/audit_labels.py)"
        )
        yield from (prefix + value for value in DYNAMIC_ACTIONS[prefix])
    else:
        raise AssertionError(f"{where}: pass the audit action as a literal, not {ast.dump(node)}")


# Helpers that audit the action their caller names: the caller's literal is what counts.
ACTION_PASSED_THROUGH = {"digicoach/core/retention.py": "erase_contact_data"}


def _records_audit(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _passes_an_action_through(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name in ACTION_PASSED_THROUGH.values()


def audit_actions_in_source() -> dict[str, str]:
    """Every action code passed to `audit.record` in the package, with where it is."""
    root = Path(digicoach.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (_records_audit(node) or _passes_an_action_through(node)):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            if where.rsplit(":", 1)[0] in ACTION_PASSED_THROUGH and _records_audit(node):
                continue
            given = [k.value for k in node.keywords if k.arg == "action"]
            action = given[0] if given else node.args[1]
            for code in _codes(action, where):
                found.setdefault(code, where)
    return found


def test_every_audit_action_in_the_code_has_a_label():
    found = audit_actions_in_source()
    assert len(found) > 80, "the walk found too few audit calls: has audit.record moved?"
    missing = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert not missing, f"audit actions without a label in core/audit_labels.py: {missing}"


def test_the_walk_would_catch_a_new_action_without_a_label():
    source = "audit.record(actor, 'thing.new', obj)\naudit.record(a, f'coach.status.{x}', c)"
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    codes = [code for call in calls for code in _codes(call.args[1], "example")]
    assert "thing.new" in codes and "thing.new" not in ACTION_LABELS
    assert "coach.status.dormant" in codes
    with pytest.raises(AssertionError, match="DYNAMIC_ACTIONS"):
        list(_codes(ast.parse("f'made.up.{x}'", mode="eval").body, "example"))


def test_every_kind_of_record_the_log_names_has_a_label():
    assert set(OBJECT_TYPE_LABELS) >= NAMED_TYPES


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def admin(app):
    user = make_admin(email="admin@example.org", name="Ann Admin", language="en")
    db.session.commit()
    return user


@pytest.fixture
def booked(app):
    """An appointment booked online by Maria (phone 0470 12 34 56) at 'Bibliotheek De Krook'."""
    gent = make_municipality(name="Gent", nis_code="44021")
    place = make_location(gent, name="Bibliotheek De Krook")
    coach = make_working_coach(gent, first_name="Cas", last_name="Coach")
    session = make_bookable_session(place, [coach])
    booking = make_appointment(session, first_name="Maria", email="maria@example.org")
    db.session.commit()
    return booking.appointment


def test_the_log_reads_in_words_and_names_an_appointment_by_reference_and_place(
    client, admin, booked
):
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Appointment booked" in page
    assert f"Appointment {booked.reference} at Bibliotheek De Krook" in page
    assert "bookings.appointment.book" not in visible(page)
    for personal in ("Maria", "maria@example.org", "470 12 34 56", "0470"):
        assert personal not in page
    assert "Citizen or system" in page


def test_the_detail_page_shows_the_codes_and_the_field_names_never_values(client, admin, booked):
    sign_in(client, admin)
    event_row = db.session.scalars(
        db.select(audit.AuditEvent).where(audit.AuditEvent.action == "bookings.appointment.book")
    ).one()
    detail = client.get(f"/admin/audit/{event_row.id}?action=bookings.appointment.book&_external=1")
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "<h1>Appointment booked</h1>" in html
    assert "<code>bookings.appointment.book</code>" in html
    assert "<code>Appointment</code>" in html
    assert "Maria" not in html and "470 12 34 56" not in html
    # "Back" keeps the list's filters, and nothing else of the query string.
    assert 'href="/admin/audit?action=bookings.appointment.book"' in html
    assert client.get("/admin/audit/999999").status_code == 404


def test_a_coach_approval_and_a_cohort_read_as_words_with_names(client, admin):
    gent = make_municipality(name="Gent", nis_code="44021")
    coach = make_working_coach(gent, first_name="Cas", last_name="Coach")
    audit.record(admin, "coach.status.approved", coach, ["status"])
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Digicoach approved" in page and "Cas Coach" in page and "Ann Admin" in page


def test_a_removed_record_and_an_unknown_code_still_read_as_words(client, admin):
    gent = make_municipality(name="Gent", nis_code="44021")
    wijk = make_neighbourhood(gent, name="Sluizeken")
    audit.record(admin, "neighbourhood.delete", object_type="Neighbourhood", object_id=wijk.id + 99)
    audit.record(admin, "thing.from_an_old_version")
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Neighbourhood removed" in page
    assert f"Neighbourhood #{wijk.id + 99} (no longer exists)" in page
    assert "Other action" in page and "thing.from_an_old_version" not in visible(page)


def test_what_a_user_did_is_an_empty_result_for_a_user_without_events(client, admin):
    quiet = make_admin(email="quiet@example.org", name="Quinten Stil")
    db.session.commit()
    sign_in(client, admin)  # signing in records nothing; the log may be empty
    response = client.get(f"/admin/audit?actor={quiet.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid choice" not in html and 'class="field-error"' not in html
    assert "filter was ignored" not in html
    assert "Quinten Stil (quiet@example.org) has no event in the audit log" in html
    assert f'<option selected value="{quiet.id}">' in html


def test_a_stale_filter_link_is_ignored_with_one_note_never_a_field_error(client, admin):
    sign_in(client, admin)
    for query in ("action=no.such.code", "actor=999999", "date_from=yesterday"):
        html = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        assert 'class="field-error"' not in html and 'class="error-summary"' not in html, query
        assert "A filter was ignored" in html, query
    first_visit = client.get("/admin/audit").get_data(as_text=True)
    assert "ignored" not in first_visit and "field-error" not in first_visit


def test_the_filters_use_the_words_and_filter_by_code(client, admin, booked):
    audit.record(admin, "user.password_change", admin, ["password"])
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="bookings.appointment.book">Appointment booked</option>' in page
    assert '<option value="Appointment">Appointment</option>' in page
    only = client.get("/admin/audit?action=user.password_change").get_data(as_text=True)
    assert "Password changed" in only and "Appointment booked</a>" not in only
    by_kind = client.get("/admin/audit?object_type=Appointment").get_data(as_text=True)
    assert "Appointment booked</a>" in by_kind and "Password changed</a>" not in by_kind


def test_the_log_pages_by_twenty_five_in_sql(client, admin):
    for _ in range(60):
        audit.record(admin, "user.login", admin)
    db.session.commit()
    sign_in(client, admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert first.count("Signed in</a>") == 25
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert last.count("Signed in</a>") == 10
    assert client.get("/admin/audit?page=99").status_code == 200
    assert client.get("/admin/audit?page=abc").status_code == 200


def visible(html: str) -> str:
    """The text a reader sees (option values and links are not text)."""
    return re.sub(r"<[^>]+>", " ", html)


def _statements(app, client, url: str) -> int:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):  # not BEGIN and the like
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_page_of_the_log_takes_the_same_statements_for_few_or_many_records(app, client, admin):
    gent = make_municipality(name="Gent", nis_code="44021")
    place = make_location(gent, name="Bibliotheek De Krook")
    coaches = [make_working_coach(gent) for _ in range(3)]
    session = make_bookable_session(place, coaches[:1], hours=4)
    for coach in coaches:
        audit.record(admin, "coach.status.approved", coach, ["status"])
    make_appointment(session, first_name="Ann")
    db.session.commit()
    sign_in(client, admin)
    few = _statements(app, client, "/admin/audit")

    more_coaches = [make_working_coach(gent) for _ in range(10)]
    for coach in more_coaches:
        audit.record(admin, "coach.status.approved", coach, ["status"])
    for slot in range(1, 7):
        start = session.starts_at + timedelta(minutes=30 * slot)
        make_appointment(session, start=start, first_name="Bob", phone=f"047012340{slot}")
    db.session.commit()
    many = _statements(app, client, "/admin/audit")
    assert many == few
    html = client.get("/admin/audit").get_data(as_text=True)
    assert len(re.findall(r"Appointment \w{3}-?\w{3,4} at Bibliotheek De Krook", html)) == 7


def test_a_known_action_without_events_is_a_filter_with_an_empty_result(client, admin):
    sign_in(client, admin)
    html = client.get("/admin/audit?action=coach.erase&object_type=Coach").get_data(as_text=True)
    assert "A filter was ignored" not in html and 'class="field-error"' not in html
    assert '<option selected value="coach.erase">' in html
    assert "No event matches these filters." in html
