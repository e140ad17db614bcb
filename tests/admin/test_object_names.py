"""Records named for staff (digicoach/object_names.py): one query per kind of record, whatever
their number; an appointment by its reference and place, never the citizen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import event

from digicoach import object_names
from digicoach.extensions import db
from digicoach.helpdesk.models import CalendarFeed
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.factories import make_location, make_municipality, make_programme
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import make_help_log
from tests.training.factories import make_cohort, make_session


@pytest.fixture
def records(app):
    gent = make_municipality(name="Gent", nis_code="44021")
    place = make_location(gent, name="Bibliotheek De Krook")
    coach = make_working_coach(gent, first_name="Cas", last_name="Coach")
    monday = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 14:00 in Brussels
    session = make_help_session(place, starts_at=monday)
    shift = make_shift(session, coach)
    booked = make_bookable_session(place, [make_working_coach(gent)])
    appointment = make_appointment(booked, first_name="Maria", phone="0470 99 88 77").appointment
    cohort = make_cohort(make_programme([gent]), [gent], name="Gent voorjaar")
    lesson = make_session(cohort, starts_at=monday)
    log = make_help_log(coach, helped_on=date(2026, 12, 7))
    feed = CalendarFeed(coach_id=coach.id, token_hash="f" * 64)
    db.session.add(feed)
    db.session.commit()
    return {
        "Location": place,
        "Coach": coach,
        "HelpSession": session,
        "Shift": shift,
        "Appointment": appointment,
        "Cohort": cohort,
        "TrainingSession": lesson,
        "HelpLog": log,
        "CalendarFeed": feed,
        "Municipality": gent,
        "User": coach.user,
    }


def test_each_kind_of_record_reads_as_a_name(records):
    refs = [(kind, str(record.id)) for kind, record in records.items()]
    with force_locale("en"):
        names = object_names.names_of(refs)
    named = {kind: names[(kind, str(record.id))] for kind, record in records.items()}
    reference = records["Appointment"].reference
    assert named["Appointment"] == f"Appointment {reference} at Bibliotheek De Krook"
    assert named["HelpSession"] == "Help session Mon 7 Dec 14:00 in Bibliotheek De Krook"
    assert named["Shift"] == (
        "Shift of Cas Coach, Help session Mon 7 Dec 14:00 in Bibliotheek De Krook"
    )
    assert named["Coach"] == named["User"] == "Cas Coach"
    assert named["Cohort"] == "Gent voorjaar"
    assert named["TrainingSession"] == "Training session Mon 7 Dec 14:00, Gent voorjaar"
    assert named["HelpLog"] == "Help logged by Cas Coach on 7 Dec"
    assert named["CalendarFeed"] == "Calendar link of Cas Coach"
    assert named["Location"] == "Bibliotheek De Krook"
    assert named["Municipality"] == "Gent"
    assert not any("Maria" in name or "99 88 77" in name for name in named.values())


def test_the_days_read_in_dutch(records):
    session = records["HelpSession"]
    with force_locale("nl"):
        names = object_names.names_of([("HelpSession", str(session.id))])
    assert "ma 7 dec" in names[("HelpSession", str(session.id))]


def test_names_take_one_query_per_kind_of_record_however_many(records):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    refs = [(kind, str(record.id)) for kind, record in records.items()]
    refs += [("Appointment", str(n)) for n in range(100, 140)]  # gone or never there
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        object_names.names_of(refs)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len(records)


def test_a_record_that_is_gone_or_unnamed_still_reads_as_words(app):
    with force_locale("en"):
        assert object_names.describe("Neighbourhood", "4", {}) == (
            "Neighbourhood #4 (no longer exists)"
        )
        assert object_names.describe("Coach", "*", {}) == "Digicoach: all"
        assert object_names.describe("ip", None, {}) == "IP address"
        assert object_names.describe("-", None, {}) == ""
        assert object_names.describe("SomethingNew", "3", {}) == "Other record #3"
