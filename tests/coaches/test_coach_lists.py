"""The applications queue and the directory: 25 a page in SQL, the filters kept in the paging
links, filters read leniently (an unknown value is ignored with one note), and as many SQL
statements for a full page as for a nearly empty one."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from digicoach.coaches.models import CoachLanguage, CoachStatus, CoachTopic
from digicoach.core import clock
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_admin
from tests.paging import counting_statements, page_links


@pytest.fixture
def signed_in_coordinator(client, coordinator):
    sign_in(client, coordinator)
    return coordinator


def _applicants(gent, count: int, **values):
    now = clock.now()
    coaches = [
        make_coach(
            gent, last_name=f"Kandidaat{n:02d}", applied_at=now - timedelta(days=90 - n), **values
        )
        for n in range(count)
    ]
    db.session.commit()
    return coaches


def _names(html: str, coaches) -> list[str]:
    return [c.last_name for c in coaches if f">{c.user.name}<" in html]


@pytest.mark.parametrize("path", ["/coaches/queue", "/coaches"])
def test_a_first_visit_shows_no_field_error_and_no_note(client, gent, signed_in_coordinator, path):
    _applicants(gent, 1)
    html = client.get(path).get_data(as_text=True)
    assert "Not a valid choice" not in html
    assert "field-error" not in html and "filter-note" not in html


def test_page_two_of_the_queue_shows_the_next_applicants_and_keeps_the_filters(
    client, gent, signed_in_coordinator
):
    coaches = _applicants(gent, 30)
    first = client.get(f"/coaches/queue?language=nl&municipality={gent.id}").get_data(as_text=True)
    assert _names(first, coaches) == [c.last_name for c in coaches[:25]]
    following = next(link for link in page_links(first) if "page=2" in link)
    query = parse_qs(urlsplit(following).query)
    assert query["language"] == ["nl"] and query["municipality"] == [str(gent.id)]
    second = client.get(following).get_data(as_text=True)
    assert _names(second, coaches) == [c.last_name for c in coaches[25:]]
    assert "Page 2 of 2" in second and 'aria-current="page"' in second


def test_the_directory_pages_by_name_and_a_page_past_the_end_shows_the_last(
    client, gent, signed_in_coordinator
):
    coaches = _applicants(gent, 27, status=CoachStatus.ACTIVE)
    response = client.get("/coaches?page=400")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Page 2 of 2" in html
    assert _names(html, coaches) == [c.last_name for c in coaches[25:]]


def test_an_unknown_filter_value_is_ignored_with_one_note(client, gent, signed_in_coordinator):
    coaches = _applicants(gent, 2)
    html = client.get("/coaches/queue?topic=astrology&language=nl").get_data(as_text=True)
    assert "A filter was ignored: unknown value." in html
    assert html.count("filter-note") == 1
    assert "field-error" not in html
    assert _names(html, coaches) == [c.last_name for c in coaches]
    html = client.get("/coaches?municipality=987654&status=banana").get_data(as_text=True)
    assert "2 filters were ignored: unknown values." in html


def test_a_blank_status_still_means_all_current_digicoaches(client, gent, signed_in_coordinator):
    _applicants(gent, 1)
    _applicants(gent, 1, status=CoachStatus.ACTIVE)
    html = client.get("/coaches/queue?status=").get_data(as_text=True)
    assert "2 found." in html and "filter-note" not in html


@pytest.mark.parametrize("path", ["/coaches/queue", "/coaches"])
def test_a_page_of_25_sends_as_many_statements_as_a_page_of_2(client, gent, kortrijk, path):
    admin = make_admin()
    db.session.commit()
    sign_in(client, admin)

    def statements_for(count: int) -> int:
        for n in range(count):
            coach = make_coach(gent if n % 2 else kortrijk, screened=bool(n % 3))
            coach.language_rows = [CoachLanguage(code="nl"), CoachLanguage(code="fr")]
            coach.topic_rows = [CoachTopic(code="email")]
        db.session.commit()
        with counting_statements() as sent:
            assert client.get(path).status_code == 200
        return sent.count

    few = statements_for(2)
    many = statements_for(40)
    assert many == few
