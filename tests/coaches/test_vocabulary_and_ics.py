"""The shared vocabulary and the calendar files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from digicoach.core import ics, vocabulary


@pytest.mark.parametrize(
    "terms",
    [vocabulary.TOPICS, vocabulary.SPOKEN_LANGUAGES, vocabulary.DAYPARTS, vocabulary.WEEKDAYS],
)
def test_codes_are_unique(terms):
    assert len(vocabulary.codes(terms)) == len(terms)


def test_the_lists_are_complete():
    assert len(vocabulary.TOPICS) == 10
    assert len(vocabulary.SPOKEN_LANGUAGES) == 22
    assert [t.code for t in vocabulary.WEEKDAYS] == ["1", "2", "3", "4", "5", "6", "7"]
    assert {"nl", "fr", "ar", "tr", "vgt", "prs"} <= vocabulary.codes(vocabulary.SPOKEN_LANGUAGES)


def test_labels_follow_the_list_order_and_tolerate_old_codes(app):
    with app.test_request_context("/"), force_locale("en"):
        assert vocabulary.labels(vocabulary.TOPICS, ["email", "eid_itsme"]) == [
            "eID and itsme",
            "E-mail",
        ]
        assert vocabulary.label(vocabulary.TOPICS, "retired-code") == "retired-code"
    assert vocabulary.unknown(vocabulary.TOPICS, ["email", "nope"]) == {"nope"}


def _event(start, end, **values):
    return ics.CalendarEvent(
        uid="intake-1@digicoach", start=start, end=end, summary="Intake", **values
    )


def test_a_calendar_file_has_brussels_times_and_the_timezone_it_uses():
    body = ics.calendar_for(
        [
            _event(
                datetime(2026, 3, 30, 12, tzinfo=UTC),
                datetime(2026, 3, 30, 13, tzinfo=UTC),
                location="Bibliotheek, Gent",
                description="Neem je identiteitskaart mee.",
            )
        ],
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    text = body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Brussels" in text
    # 12:00 UTC on the first day of summer time is 14:00 in Brussels.
    assert "DTSTART;TZID=Europe/Brussels:20260330T140000" in text
    calendar = Calendar.from_ical(body)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["LOCATION"]) == "Bibliotheek, Gent"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 30, 12, tzinfo=UTC)


def test_winter_time_is_one_hour_ahead_of_utc():
    text = ics.calendar_for(
        [_event(datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC))]
    ).decode()
    assert "DTSTART;TZID=Europe/Brussels:20261201T100000" in text


def test_several_events_share_one_timezone():
    text = ics.calendar_for(
        [
            ics.CalendarEvent(
                "a", datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 10, tzinfo=UTC), "A"
            ),
            ics.CalendarEvent(
                "b", datetime(2026, 7, 5, 9, tzinfo=UTC), datetime(2026, 7, 5, 10, tzinfo=UTC), "B"
            ),
        ]
    ).decode()
    assert text.count("BEGIN:VEVENT") == 2
    assert text.count("BEGIN:VTIMEZONE") == 1


def test_naive_or_backwards_events_are_refused():
    with pytest.raises(ValueError):
        ics.calendar_for([_event(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))])
    with pytest.raises(ValueError):
        ics.calendar_for(
            [_event(datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 9, tzinfo=UTC))]
        )
