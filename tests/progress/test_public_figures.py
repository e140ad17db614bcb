"""Small numbers never leave the building: /api/v1/progress and /impact (cards, tables,
charts) follow one rule (rules.public_count: 0 to 4 hidden), and the weekly running totals on
/impact are grouped so no difference between two rows is a small number."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from digicoach.progress import queries, rules
from tests.api.schema_check import problems
from tests.helpdesk.factories import make_help_session, make_working_coach
from tests.progress.factories import make_help_log

# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [(0, None), (1, None), (4, None), (5, 5), (117, 117)])
def test_counts_under_five_are_hidden_and_none_and_a_few_look_the_same(value, shown):
    assert rules.public_count(value) == shown


def test_weekly_totals_are_grouped_until_they_grew_by_five():
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(10)]
    # Two more every week: 2, 4, 6, ... 20.
    rows = rules.public_running_totals([(w, 2 * (n + 1)) for n, w in enumerate(weeks)])
    totals = [total for _first, _last, total in rows]
    assert totals[0] >= 5
    assert all(b - a >= 5 for a, b in itertools.pairwise(totals))
    # Every week is in exactly one row, in order, and the last row ends today with the total.
    assert rows[0][0] == weeks[0] and rows[-1][1] == weeks[-1] and totals[-1] == 20
    for (_f, last, _t), (first, _l, _u) in itertools.pairwise(rows):
        assert first == last + timedelta(weeks=1)


def test_a_tail_of_small_growth_joins_the_last_row():
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(3)]
    rows = rules.public_running_totals(list(zip(weeks, (6, 7, 9), strict=True)))
    assert rows == [(weeks[0], weeks[2], 9)]


def test_nothing_is_shown_while_the_total_is_under_five():
    assert rules.public_running_totals([(date(2026, 1, 5), 3), (date(2026, 1, 12), 4)]) == []


# --- a programme with a handful of citizens ---------------------------------------------------


def _a_handful(world, frozen) -> None:
    """Three citizens (one came twice), two certified coaches, one in training, one session."""
    coach = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    make_working_coach(world.gent, status=CoachStatus.IN_TRAINING)
    make_help_session(world.location, starts_at=frozen - timedelta(days=2))
    make_help_log(coach, citizen_key="a" * 64, helped_on=frozen.date() - timedelta(days=20))
    make_help_log(coach, citizen_key="a" * 64, helped_on=frozen.date() - timedelta(days=9))
    make_help_log(coach, citizens=2, helped_on=frozen.date() - timedelta(days=2))
    db.session.commit()


def test_the_api_hides_every_small_count_in_the_documented_way(client, world, frozen):
    _a_handful(world, frozen)
    response = client.get(f"/api/v1/progress?programme={world.programme.id}")
    answer = response.get_json()
    assert answer["coaches"] == {
        "applied": None,
        "approved": None,
        "in_training": None,
        "certified": None,
        "active": None,
        "target": 100,
    }
    assert answer["citizens"] == {"supported": None, "contacts": None, "target": 3000}
    assert answer["help_minutes"] is None
    assert answer["sessions_held"] is None
    assert answer["suppressed_below"] == 5
    assert set(answer["suppressed"]) == {*queries.PUBLIC_COUNTS, "help_minutes"}
    # The answer is what the OpenAPI document promises, and the document says how.
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/progress"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert problems(schema, answer, document) == []
    progress = document["components"]["schemas"]["Progress"]
    assert progress["properties"]["coaches"]["properties"]["in_training"]["nullable"] is True
    assert (
        "suppressed"
        in progress["properties"]["coaches"]["properties"]["in_training"]["description"]
    )
    assert "suppressed" in progress["required"]


def _every_api_count(answer: dict) -> list[tuple[str, object]]:
    found = []
    for path in queries.PUBLIC_COUNTS:
        value: object = answer
        for part in path.split("."):
            value = value[part]  # type: ignore[index]
        found.append((path, value))
    return found


@pytest.mark.parametrize("citizens", [0, 1, 4, 5, 12])
def test_no_api_count_is_ever_between_one_and_four(client, world, frozen, citizens):
    coach = make_working_coach(world.gent)
    for n in range(citizens):
        make_help_log(coach, citizen_key=f"{n}".rjust(64, "0"))
    db.session.commit()
    answer = client.get(f"/api/v1/progress?programme={world.programme.id}").get_json()
    for path, value in _every_api_count(answer):
        assert value is None or value >= 5, path
        assert (value is None) == (path in answer["suppressed"]), path
    assert answer["citizens"]["supported"] == (citizens if citizens >= 5 else None)


NUMBER = re.compile(r"^\d[\d.,\u202f\u00a0 ]*$")


def _public_numbers(html: str) -> list[int]:
    """Every count of people /impact shows: the cards, the "reached" column of the weekly
    tables, the help contacts of the breakdowns and the values in the charts' legends."""
    texts = re.findall(r'<span class="figure-number">([^<]*)</span>', html)
    texts += re.findall(r'<tr><td>[^<]*</td><td class="numeric">([^<]*)</td>', html)
    texts += re.findall(r'data-label="Help contacts">([^<]*)<', html)
    texts += re.findall(r'class="chart-legend">Reached: ([^<]*)<', html)
    return [int(re.sub(r"\D", "", text)) for text in texts if NUMBER.match(text.strip())]


def test_impact_shows_no_small_number_for_a_handful_of_citizens(client, world, frozen):
    _a_handful(world, frozen)
    html = client.get(f"/impact/?programme={world.programme.id}").get_data(as_text=True)
    assert html.count("fewer than 5") >= 4
    assert _public_numbers(html) == []
    gent = client.get(f"/impact/?municipality={world.gent.id}").get_data(as_text=True)
    assert _public_numbers(gent) == []


def test_impact_groups_weeks_so_no_weekly_increase_is_small(client, world, frozen):
    """Two new citizens a week for ten weeks: the table never shows a rise of two."""
    coach = make_working_coach(world.gent)
    for week in range(10):
        day = frozen.date() - timedelta(weeks=10 - week)
        for n in range(2):
            make_help_log(coach, citizen_key=f"{week}-{n}".rjust(64, "0"), helped_on=day)
    db.session.commit()
    html = client.get(f"/impact/?programme={world.programme.id}").get_data(as_text=True)
    numbers = _public_numbers(html)
    assert numbers and all(n >= 5 for n in numbers)
    reached = [
        int(n) for n in re.findall(r'<tr><td>[^<]*</td><td class="numeric">(\d+)</td>', html)
    ]
    assert reached[0] >= 5 and reached[-1] == 20
    assert all(b - a >= 5 for a, b in itertools.pairwise(reached))
    # The chart draws the same grouped totals, one dot per row.
    citizens_chart = html.split('class="chart-svg"')[1].split("</svg>")[0]
    assert citizens_chart.count("<circle") == len(reached)
