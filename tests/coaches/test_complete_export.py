"""A coach's export holds everything we hold about them: training, attendance, certificates,
shifts, the help logs they wrote and the referrals they sent (without anything about the
citizen), appointments given to them, their expense allowances, links and messages sent to them
(never the text) and the audit events about them; as JSON, XLSX and CSV; read in a constant
number of statements. Every column that refers to a coach is exported or said why not."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import openpyxl
from sqlalchemy import event

from digicoach.allowances.models import Allowance
from digicoach.coaches.models import CoachStatus
from digicoach.core import audit, clock
from digicoach.extensions import db
from digicoach.helpdesk.models import CalendarFeed
from digicoach.helplog.models import OUTCOME_LABELS, REFERRAL_LABELS, Outcome, Referral
from digicoach.referrals.models import STATUS_LABELS, ReferralStatus
from digicoach.referrals.models import Referral as WarmReferral
from digicoach.rights import coach_data
from digicoach.training.models import Certification, Enrolment
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_location, make_programme
from tests.helpdesk.factories import make_help_session, make_shift
from tests.helplog.factories import make_booked_appointment
from tests.partners.factories import make_offer, make_organisation
from tests.progress.factories import make_help_log
from tests.training.factories import make_cohort, make_session, mark

SECRET_CITIZEN = "a1b2c3-citizen-key"


def _busy_coach(gent, coordinator, *, shifts: int = 3, logs: int = 4):
    coach = make_coach(gent, status=CoachStatus.ACTIVE, email="busy@example.org")
    programme = make_programme([gent], name="Digitaal Gent")
    cohort = make_cohort(programme, [gent], name="Groep Dampoort")
    session = make_session(cohort, starts_at=clock.now() - timedelta(days=40))
    db.session.add(
        Enrolment(
            cohort_id=cohort.id, coach_id=coach.id, status="completed", enrolled_at=clock.now()
        )
    )
    mark(session, coach, "present")
    db.session.add(
        Certification(
            coach_id=coach.id,
            programme_id=programme.id,
            cohort_id=cohort.id,
            number="DC-2026-000042",
            verification_code="VERIFY42",
        )
    )
    location = make_location(gent, name="Bib Dampoort")
    for day in range(shifts):
        help_session = make_help_session(
            location, starts_at=clock.now() - timedelta(days=day + 1, hours=3)
        )
        make_shift(help_session, coach)
    for day in range(logs):
        make_help_log(
            coach,
            helped_on=date(2026, 1, 5) + timedelta(days=day),
            location_id=location.id,
            citizen_key=SECRET_CITIZEN,
            outcome="referred",
            referred_to="ocmw",
        )
    audit.record(coordinator, "coach.status.active", coach, ["status"])
    db.session.commit()
    return coach


def test_the_export_holds_training_shifts_and_help_logs(gent, coordinator, in_request):
    coach = _busy_coach(gent, coordinator)
    data = coach_data.coach_data(coach)

    assert [row["training_group"] for row in data["enrolments"]] == ["Groep Dampoort"]
    assert [row["mark"] for row in data["attendance"]] == ["present"]
    assert [row["number"] for row in data["certificates"]] == ["DC-2026-000042"]
    assert len(data["shifts"]) == 3
    assert {row["digipunt"] for row in data["shifts"]} == {"Bib Dampoort"}
    assert len(data["help_logs"]) == 4
    assert data["help_logs"][0]["helped_on"] == "2026-01-05"
    assert data["help_logs"][0]["outcome"] == str(OUTCOME_LABELS[Outcome.REFERRED])
    assert data["help_logs"][0]["referred_to"] == str(REFERRAL_LABELS[Referral.OCMW])
    assert any(row["action"] == "coach.status.active" for row in data["audit_events"])
    assert "messages" in data and "links" in data
    # The profile, status history and screening stay in it.
    assert data["coach"]["first_name"] == coach.first_name
    assert data["status_history"]


def test_help_logs_carry_nothing_about_the_citizen(gent, coordinator, in_request):
    coach = _busy_coach(gent, coordinator)
    text = json.dumps(coach_data.coach_data(coach))
    assert SECRET_CITIZEN not in text
    for row in coach_data.coach_data(coach)["help_logs"]:
        assert not {"citizen_key", "appointment_id", "walk_in_id"} & set(row)


def test_messages_and_audit_events_carry_no_values(gent, coordinator, in_request):
    coach = _busy_coach(gent, coordinator)
    data = coach_data.coach_data(coach)
    for row in data["messages"]:
        assert set(row) == {"kind", "channel", "created_at", "status", "sent_at"}
    for row in data["audit_events"]:
        assert set(row) == {"at", "what", "action", "by"}


def _count_statements(function, *args):
    statements: list[str] = []

    def count(conn, cursor, statement, *rest):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        function(*args)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_added_sections_take_the_same_statements_for_2_or_20_rows(app, gent, coordinator):
    few = _busy_coach(gent, coordinator, shifts=2, logs=2)
    many = make_coach(gent, status=CoachStatus.ACTIVE, email="many@example.org")
    location = make_location(gent)
    for day in range(20):
        make_shift(
            make_help_session(location, starts_at=clock.now() - timedelta(days=day + 1)), many
        )
        make_help_log(many, helped_on=date(2026, 2, 1) + timedelta(days=day))
    db.session.commit()

    def sections(ids):
        coach_id, user_id = ids
        coach_data.shifts(coach_id)
        coach_data.help_logs(coach_id)
        coach_data.enrolments(coach_id)
        coach_data.attendance(coach_id)
        coach_data.certificates(coach_id)
        coach_data.links(user_id)
        coach_data.messages(["busy@example.org"])
        coach_data.audit_events(user_id, coach_id)

    few_ids, many_ids = (few.id, few.user_id), (many.id, many.user_id)
    db.session.expire_all()
    # One statement a section, plus one for the help logs' topics.
    assert _count_statements(sections, few_ids) == _count_statements(sections, many_ids) == 9


def test_the_coach_downloads_it_as_json_xlsx_and_csv(client, gent, coordinator, in_request):
    coach = _busy_coach(gent, coordinator)
    sign_in(client, coach.user)

    response = client.get("/me/export.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert len(data["shifts"]) == 3 and len(data["help_logs"]) == 4

    response = client.get("/me/export.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    # Profile, status history, screening, intakes, notes, training groups, attendance,
    # certificates, shifts, help logs, appointments, allowances, referrals, calendar address,
    # sign-ins, links, messages, audit events.
    assert len(workbook.sheetnames) == 18
    shifts = workbook.worksheets[8]
    assert shifts.max_row == 1 + 3
    logs = workbook.worksheets[9]
    assert logs.max_row == 1 + 4
    assert isinstance(logs.cell(row=2, column=1).value, datetime), "days are real dates"

    response = client.get("/me/export.csv")
    text = response.data.decode("utf-8-sig")
    rows = dict(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:40] else ","))
    assert "shifts[3].starts_at" in rows and "help_logs[4].minutes" in rows
    assert "enrolments[1].training_group" in rows and "certificates[1].number" in rows


def test_a_coordinator_downloads_it_as_xlsx_and_the_download_is_audited(
    client, gent, coordinator, in_request
):
    coach = _busy_coach(gent, coordinator)
    sign_in(client, coordinator)
    assert client.get(f"/coaches/{coach.id}/export.xlsx").status_code == 200
    assert client.get(f"/coaches/{coach.id}/export.json").status_code == 200
    data = coach_data.coach_data(coach)
    assert [row["action"] for row in data["audit_events"]].count("coach.export") == 2


# Every column that points at a coach or at their account, and where the export shows it. A new
# table that refers to coaches fails test_every_reference_to_a_coach_is_exported_or_explained
# until it is added here, to the export or to the reasons below.
EXPORTED_REFERENCES = {
    "coach.user_id": "user",
    "user_role.user_id": "user",
    "coach_availability.coach_id": "coach",
    "coach_language.coach_id": "coach",
    "coach_municipality.coach_id": "coach",
    "coach_neighbourhood.coach_id": "coach",
    "coach_topic.coach_id": "coach",
    "coach_status_change.coach_id": "status_history",
    "screening_check.coach_id": "screening",
    "intake.coach_id": "intakes",
    "coach_note.coach_id": "notes",
    "user_session.user_id": "sessions",
    "enrolment.coach_id": "enrolments",
    "attendance.coach_id": "attendance",
    "certification.coach_id": "certificates",
    "shift.coach_id": "shifts",
    "help_log.coach_id": "help_logs",
    "appointment.assigned_coach_id": "appointments",
    "allowance.coach_id": "allowances",
    "referral.from_user_id": "referrals",
    "calendar_feed.coach_id": "calendar_feed",
    "one_time_token.user_id": "links",
    "audit_event.actor_id": "audit_events",
}
NOT_EXPORTED_BECAUSE = {
    "allowance_total.coach_id": "the running totals of the allowances, which are exported",
    "progress_coach_rollup.coach_id": "counts derived from shifts and help logs, exported",
    "recovery_code.user_id": "hashes of secrets; the export says whether two-step is on",
    "shift.mentor_id": "the shadow's shift is the shadow's; the mentor's own is in shifts",
    "user_municipality.user_id": "a staff member's scope; coaches have none",
    "user_organisation.user_id": "a partner staff member's scope; coaches have none",
    "home_visit.companion_id": "the staff member who goes along; coaches go on a shift",
}


def test_every_reference_to_a_coach_is_exported_or_explained(app):
    references = {
        f"{table.name}.{key.parent.name}"
        for table in db.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name in {"coach", "user"}
    }
    # Who recorded, checked, lent or published something: that is in their audit events.
    by_someone = {name for name in references if name.endswith("_by_id")}
    by_someone |= {"coach_note.author_id", "cohort.trainer_id"}
    unexplained = references - set(EXPORTED_REFERENCES) - set(NOT_EXPORTED_BECAUSE) - by_someone
    assert not unexplained, f"export these or say why not: {sorted(unexplained)}"
    assert set(EXPORTED_REFERENCES) <= references, "a reference named here no longer exists"


def test_the_export_holds_allowances_referrals_appointments_and_the_calendar_address(
    gent, coordinator, in_request
):

    coach = _busy_coach(gent, coordinator, shifts=1, logs=1)
    db.session.add(
        Allowance(
            coach_id=coach.id,
            municipality_id=gent.id,
            day=date(2026, 3, 2),
            kind="car",
            km=24,
            amount_cents=1032,
            note="Bib Dampoort en terug",
        )
    )
    organisation = make_organisation(gent, name="OCMW Gent", kind="social_services")
    db.session.add(
        WarmReferral(
            organisation_id=organisation.id,
            offer_id=make_offer(organisation).id,
            municipality_id=gent.id,
            from_user_id=coach.user_id,
            consent=True,
            first_name="Fatima",
            phone="+32470123456",
            citizen_key=SECRET_CITIZEN,
            sent_at=clock.now(),
        )
    )
    db.session.add(CalendarFeed(coach_id=coach.id, token_hash="f" * 64))
    session = make_help_session(make_location(gent, name="Bib Ledeberg"))
    make_booked_appointment(session, assigned_coach_id=coach.id, first_name="Jozef")
    db.session.commit()

    data = coach_data.coach_data(coach)

    [allowance] = data["allowances"]
    assert allowance["km"] == 24 and allowance["amount_euros"] == 10.32
    assert allowance["day"] == "2026-03-02" and allowance["municipality"] == gent.name
    [referral] = data["referrals"]
    assert referral["organisation"] == "OCMW Gent"
    assert referral["status"] == str(STATUS_LABELS[ReferralStatus.SENT])
    [appointment] = data["appointments"]
    assert appointment["digipunt"] == "Bib Ledeberg"
    assert len(data["calendar_feed"]) == 1
    text = json.dumps(data, default=str)
    for about_the_citizen in ("Fatima", "Jozef", "+32470123456", SECRET_CITIZEN, "f" * 64):
        assert about_the_citizen not in text
