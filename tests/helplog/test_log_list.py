"""The coordinators' list of help logs: 25 a page in SQL, newest first, filtered by digipunt,
topic, period and digicoach in the query string (bookmarkable), read leniently."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from digicoach.extensions import db
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_working_coach
from tests.paging import counting_statements, page_links
from tests.progress.factories import make_help_log

DAY = date(2026, 6, 1)


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/helplog/logs/(\d+)/edit"', html)]


def _logs(world, count: int, **values):
    coach = values.pop("coach", None) or make_working_coach(world.gent)
    logs = [make_help_log(coach, helped_on=DAY - timedelta(days=n), **values) for n in range(count)]
    db.session.commit()
    return logs  # newest first, as the list shows them


def test_a_first_visit_shows_the_newest_logs_without_any_error(client, world):
    logs = _logs(world, 3)
    sign_in(client, world.coordinator)
    html = client.get("/helplog/logs").get_data(as_text=True)
    assert _shown(html) == [log.id for log in logs]
    assert "Not a valid choice" not in html
    assert "field-error" not in html and "filter-note" not in html


def test_page_two_shows_the_next_logs_and_the_links_keep_the_filters(client, world):
    logs = _logs(world, 30, topics=("email", "banking"))
    _logs(world, 3, topics=("eid",))
    sign_in(client, world.coordinator)
    first = client.get("/helplog/logs?topic=email&start=2026-01-01").get_data(as_text=True)
    assert _shown(first) == [log.id for log in logs[:25]]
    following = next(link for link in page_links(first) if "page=2" in link)
    query = parse_qs(urlsplit(following).query)
    assert query["topic"] == ["email"] and query["start"] == ["2026-01-01"]
    second = client.get(following).get_data(as_text=True)
    assert _shown(second) == [log.id for log in logs[25:]]
    last = client.get("/helplog/logs?topic=email&start=2026-01-01&page=7").get_data(as_text=True)
    assert _shown(last) == [log.id for log in logs[25:]]


def test_the_filters_narrow_by_digipunt_period_and_digicoach(client, world):
    fien = make_working_coach(world.gent, first_name="Fien", last_name="Filter")
    fien.user.name = "Fien Filter"
    session = make_help_session(world.location)
    at_ledeberg = _logs(
        world, 2, coach=fien, help_session_id=session.id, location_id=world.location.id
    )
    elsewhere = _logs(world, 2)
    sign_in(client, world.coordinator)
    html = client.get(f"/helplog/logs?location={world.location.id}").get_data(as_text=True)
    assert _shown(html) == [log.id for log in at_ledeberg]
    html = client.get("/helplog/logs?coach=fien").get_data(as_text=True)
    assert _shown(html) == [log.id for log in at_ledeberg]
    html = client.get("/helplog/logs?start=2026-06-01&end=2026-06-01").get_data(as_text=True)
    assert _shown(html) == [elsewhere[0].id, at_ledeberg[0].id]  # same day: newest log first
    html = client.get("/helplog/logs?topic=jobs&coach=nobody").get_data(as_text=True)
    assert "No log matches these filters." in html


def test_unknown_filter_values_are_ignored_with_one_note(client, world):
    logs = _logs(world, 2)
    sign_in(client, world.coordinator)
    html = client.get(
        f"/helplog/logs?location={world.kortrijk_location.id}&topic=astrology&start=soon"
    ).get_data(as_text=True)
    assert "3 filters were ignored: unknown values." in html
    assert html.count("filter-note") == 1 and "field-error" not in html
    assert _shown(html) == [log.id for log in logs]
    html = client.get("/helplog/logs?location=abc").get_data(as_text=True)
    assert "A filter was ignored: unknown value." in html


def test_a_coordinator_never_sees_logs_outside_their_municipalities(client, world):
    _logs(world, 2)
    sign_in(client, world.other_coordinator)
    html = client.get("/helplog/logs").get_data(as_text=True)
    assert _shown(html) == []
    assert "No help has been logged yet." in html


def test_a_page_of_25_logs_sends_as_many_statements_as_a_page_of_2(client, world):
    sign_in(client, world.admin)
    sessions = [make_help_session(world.location), make_help_session(world.kortrijk_location)]

    def statements_for(count: int) -> int:
        for n in range(count):
            municipality = world.gent if n % 2 else world.kortrijk
            session = sessions[n % 2]
            make_help_log(
                make_working_coach(municipality),
                helped_on=DAY,
                topics=("email", "eid"),
                help_session_id=session.id,
                location_id=session.location_id,
            )
        db.session.commit()
        with counting_statements() as sent:
            assert client.get("/helplog/logs").status_code == 200
        return sent.count

    few = statements_for(2)
    many = statements_for(40)
    assert many == few
