"""The coach's shift lists page in SQL: "find a shift" (needs first, then by time) and "my
shifts" (coming or past), ten a page, the filters kept in the links and read leniently."""

from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit

from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk import queries, rules
from digicoach.helpdesk.models import HelpSession
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift
from tests.paging import counting_statements, ids_shown, page_links


def _day(offset: int, hour: int = 14):
    return timeslots.local_moment(clock.local_today() + timedelta(days=offset), time(hour))


def _sessions(world, count: int, **values) -> list[HelpSession]:
    """`count` sessions a day apart, from tomorrow on, in the order find a shift lists them."""
    return [
        make_help_session(world.location, starts_at=_day(1 + n), **values) for n in range(count)
    ]


def test_find_a_shift_shows_no_error_on_a_first_visit(client, world):
    _sessions(world, 1)
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/helpdesk/shifts").get_data(as_text=True)
    assert "Not a valid choice" not in page
    assert "field-error" not in page and "aria-invalid" not in page
    assert "filter-note" not in page


def test_find_a_shift_shows_ten_a_page_and_page_two_the_next_ones(client, world):
    sessions = _sessions(world, 13, topics=("email",))
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    first = client.get("/helpdesk/shifts?topic=email").get_data(as_text=True)
    assert ids_shown(first, "offer") == [s.id for s in sessions[:10]]
    assert "Page 1 of 2" in first
    following = [link for link in page_links(first) if "page=2" in link]
    assert following, "a link to page 2"
    assert parse_qs(urlsplit(following[0]).query)["topic"] == ["email"]
    second = client.get(following[0]).get_data(as_text=True)
    assert ids_shown(second, "offer") == [s.id for s in sessions[10:]]
    assert 'aria-current="page"' in second


def test_a_page_past_the_end_shows_the_last_page(client, world):
    sessions = _sessions(world, 12)
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    response = client.get("/helpdesk/shifts?page=99")
    assert response.status_code == 200
    assert ids_shown(response.get_data(as_text=True), "offer") == [s.id for s in sessions[10:]]
    for nonsense in ("0", "-1", "abc", "9" * 18):
        response = client.get(f"/helpdesk/shifts?page={nonsense}")
        assert response.status_code == 200
        assert ids_shown(response.get_data(as_text=True), "offer")[:1] == [sessions[0].id]
    # Past 64 bits no number is a page: the input layer says so (core.security).
    response = client.get(f"/helpdesk/shifts?page={'9' * 40}")
    assert response.status_code == 400
    assert "A number in your request is too large." in response.get_data(as_text=True)


def test_an_unknown_filter_value_is_ignored_with_one_note(client, world):
    sessions = _sessions(world, 2, topics=("email",))
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/helpdesk/shifts?topic=lottery&neighbourhood_id=99999&day=someday")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("filter-note") == 1
    assert "3 filters were ignored: unknown values." in html
    assert "field-error" not in html
    assert ids_shown(html, "offer") == [s.id for s in sessions]
    # A known value next to an unknown one still filters.
    html = client.get(f"/helpdesk/shifts?topic=lottery&neighbourhood_id={world.rabot.id}").get_data(
        as_text=True
    )
    assert "A filter was ignored: unknown value." in html
    assert ids_shown(html, "offer") == []


def test_sessions_that_need_coaches_come_first_across_pages(client, world):
    """The SQL order is the rule's order (rules.needs_first), whatever the mode."""
    combinations = [
        ("walk_in", 1, 0),
        ("walk_in", 1, 1),
        ("hybrid", 1, 1),  # a hybrid session needs two
        ("hybrid", 2, 2),
        ("appointment", 2, 1),
        ("appointment", 1, 1),
    ]
    sessions = []
    for n, (mode, minimum, taken) in enumerate(combinations * 2):
        session = make_help_session(
            world.location, starts_at=_day(1 + n), mode=mode, coaches_min=minimum, coaches_max=3
        )
        for _ in range(taken):
            make_shift(session, world.coach())
        sessions.append(session)
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    shown = ids_shown(client.get("/helpdesk/shifts").get_data(as_text=True), "offer")
    shown += ids_shown(client.get("/helpdesk/shifts?page=2").get_data(as_text=True), "offer")
    expected = sorted(
        sessions, key=lambda s: (*rules.needs_first(queries.staffing_of(s), s.starts_at), s.id)
    )
    assert shown == [s.id for s in expected]


def test_find_a_shift_sends_as_many_statements_for_ten_sessions_as_for_two(client, world):
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)

    def statements_for(count: int) -> int:
        for session in _sessions(world, count, topics=("email", "eid")):
            make_shift(session, world.coach())
        db.session.commit()
        with counting_statements() as sent:
            assert client.get("/helpdesk/shifts").status_code == 200
        return sent.count

    few = statements_for(2)
    many = statements_for(10)
    assert many == few


def _shifts(world, coach, days: list[int]):
    return [make_shift(make_help_session(world.location, starts_at=_day(d)), coach) for d in days]


def test_my_shifts_lists_ten_coming_shifts_a_page_and_the_past_ones_apart(client, world):
    coach = world.coach()
    coming = _shifts(world, coach, list(range(1, 13)))
    past = _shifts(world, coach, [-3, -2, -1])
    db.session.commit()
    sign_in(client, coach.user)
    first = client.get("/helpdesk/my-shifts").get_data(as_text=True)
    assert ids_shown(first, "shift") == [s.id for s in coming[:10]]
    assert "Coming shifts (12)" in first and "Past shifts (3)" in first
    assert "Not a valid choice" not in first and "filter-note" not in first
    second = client.get("/helpdesk/my-shifts?page=2").get_data(as_text=True)
    assert ids_shown(second, "shift") == [s.id for s in coming[10:]]
    older = client.get("/helpdesk/my-shifts?when=past").get_data(as_text=True)
    assert "Dienstencentrum Ledeberg" in older
    assert ids_shown(older, "shift") == []  # the past list has no cards
    assert older.count("<li>") >= len(past)
    assert 'aria-current="page">Past shifts (3)' in older


def test_my_shifts_keeps_the_tab_in_the_paging_links_and_ignores_an_unknown_tab(client, world):
    coach = world.coach()
    _shifts(world, coach, [-n for n in range(1, 13)])
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/helpdesk/my-shifts?when=past").get_data(as_text=True)
    assert any("when=past" in link and "page=2" in link for link in page_links(page))
    assert client.get("/helpdesk/my-shifts?when=past&page=50").status_code == 200
    odd = client.get("/helpdesk/my-shifts?when=tomorrow").get_data(as_text=True)
    assert "A filter was ignored: unknown value." in odd
    assert 'aria-current="page">Coming shifts (0)' in odd
    assert "You have no shift planned." in odd


def test_my_shifts_sends_as_many_statements_for_ten_shifts_as_for_two(client, world):
    coach = world.coach()
    mentor = world.coach()
    db.session.commit()
    sign_in(client, coach.user)

    def statements_for(days: list[int]) -> int:
        for day in days:
            session = make_help_session(world.location, starts_at=_day(day), topics=("email",))
            make_shift(session, mentor)
            make_shift(session, coach, as_shadow=True, mentor=mentor)
        db.session.commit()
        with counting_statements() as sent:
            assert client.get("/helpdesk/my-shifts").status_code == 200
        return sent.count

    few = statements_for([1, 2])
    many = statements_for(list(range(3, 11)))
    assert many == few
