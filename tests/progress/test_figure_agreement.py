"""One definition per figure: the dashboard, /impact, the figures export, /api/v1/progress and
the nightly snapshot give the same figure for the same programme, municipality and period
(the public ones after the one suppression rule), and "help sessions held" agrees with the
help logged at them."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog
from digicoach.progress import queries, rules, tasks
from digicoach.progress.models import ALL, ProgressSnapshot
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import certify, make_help_log


def _add_world(world, frozen) -> dict[str, object]:
    """Coaches at every step in Gent and Kortrijk, help logged at past sessions and outside
    any session, and sessions that did not take place (cancelled, future)."""
    held = [
        make_help_session(world.location, starts_at=frozen - timedelta(days=day, hours=3))
        for day in range(1, 7)
    ]
    held.append(
        make_help_session(
            world.kortrijk_location, starts_at=frozen - timedelta(days=2), coaches_max=9
        )
    )
    # Started an hour ago, still running, help already logged at it: it took place.
    running = make_help_session(world.location, starts_at=frozen - timedelta(hours=1))
    make_help_session(world.location, starts_at=frozen - timedelta(days=3), status="cancelled")
    make_help_session(world.location, starts_at=frozen + timedelta(days=2))
    for n in range(7):
        for municipality in (world.gent, world.kortrijk):
            for status in (CoachStatus.IN_TRAINING, CoachStatus.CERTIFIED, CoachStatus.ACTIVE):
                made = make_working_coach(municipality, status=status)
                if status != CoachStatus.IN_TRAINING and n % 3:
                    certify(made, world.programme)
            coach = make_working_coach(municipality, status=CoachStatus.ACTIVE)
            session = held[n % 6] if municipality is world.gent else held[6]
            make_shift(session, coach)
            day = frozen.date() - timedelta(days=3 + 9 * n)
            make_help_log(
                coach,
                helped_on=day,
                citizen_key=f"{municipality.id}-{n}".rjust(64, "0"),
                help_session_id=session.id,
            )
            make_help_log(coach, helped_on=day, citizens=2, topics=("email", "eid_itsme"))
    make_help_log(
        make_working_coach(world.gent), help_session_id=running.id, citizens=3, minutes=45
    )
    db.session.commit()
    return {"held": len(held) + 1}


def _selection(world, frozen, municipality=None) -> queries.Selection:
    ids = (municipality.id,) if municipality else (world.gent.id, world.kortrijk.id)
    return queries.Selection(
        programme=world.programme,
        municipality_ids=ids,
        starts_on=world.programme.starts_on,
        ends_on=world.programme.ends_on,
        now=frozen,
    )


FIGURE = re.compile(r'<span class="figure-number">([^<]*)</span>\s*([^<]*)</li>')


class _Cards:
    """A page's key-figure cards: cards["help contacts"] is the number of the card whose
    label starts with those words."""

    def __init__(self, html: str) -> None:
        self.cards = [(label.strip(), number.strip()) for number, label in FIGURE.findall(html)]

    def __getitem__(self, start: str) -> str:
        found = [number for label, number in self.cards if label.startswith(start)]
        assert len(found) == 1, (start, self.cards)
        return found[0]


def _figures_on(html: str) -> _Cards:
    return _Cards(html)


def _export_values(body: bytes) -> dict[str, object]:
    """{name: value} of the figures export (any sheet, the first number after the name)."""
    found: dict[str, object] = {}
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for index, cell in enumerate(row):
                if isinstance(cell, str) and cell not in found:
                    rest = [v for v in row[index + 1 :] if isinstance(v, int | float)]
                    if rest:
                        found[cell] = rest[0]
    return found


def test_sessions_held_are_those_that_took_place_and_agree_with_the_help_logged_at_them(
    world, frozen
):
    expected = _add_world(world, frozen)
    result = queries.session_figures(_selection(world, frozen))
    assert result.held == expected["held"]
    logged_at_sessions = sum(
        log.citizens
        for log in db.session.scalars(select(HelpLog).where(HelpLog.help_session_id.is_not(None)))
    )
    assert result.contacts == logged_at_sessions == 7 * 2 + 3
    gent = queries.session_figures(_selection(world, frozen, world.gent))
    kortrijk = queries.session_figures(_selection(world, frozen, world.kortrijk))
    assert gent.held + kortrijk.held == result.held
    assert gent.contacts + kortrijk.contacts == result.contacts


@pytest.mark.parametrize("scope", ["programme", "gent"])
def test_every_channel_gives_the_same_figures(client, world, frozen, scope):
    _add_world(world, frozen)
    municipality = world.gent if scope == "gent" else None
    figures = queries.figures(_selection(world, frozen, municipality))
    assert figures.help.contacts >= 5 and figures.sessions.held >= 5  # nothing hidden below

    # The nightly job, run now, stores exactly the live figures.
    tasks.write_snapshots(now=frozen)
    db.session.commit()
    snapshot = db.session.scalar(
        select(ProgressSnapshot).where(
            ProgressSnapshot.programme_id == world.programme.id,
            ProgressSnapshot.scope == (str(world.gent.id) if municipality else ALL),
        )
    )
    assert {name: getattr(snapshot, name) for name in tasks.snapshot_values(figures)} == (
        tasks.snapshot_values(figures)
    )

    args = {"programme": world.programme.id}
    if municipality:
        args["municipality"] = municipality.id

    # The dashboard (staff, whole numbers as they are).
    sign_in(client, world.admin)
    dashboard = _figures_on(client.get("/progress/", query_string=args).get_data(as_text=True))
    assert dashboard["distinct citizens supported"] == str(figures.help.citizens_supported)
    assert dashboard["certified digicoaches"] == str(figures.coaches.certified)
    assert dashboard["help contacts"] == str(figures.help.contacts)
    assert dashboard["help sessions held"] == str(figures.sessions.held)
    assert dashboard["digicoaches active"] == str(figures.coaches.active)

    # The figures export.
    exported = _export_values(
        client.get("/progress/export.xlsx", query_string={**args, "kind": "figures"}).data
    )
    assert exported["Distinct citizens supported"] == figures.help.citizens_supported
    assert exported["Certified"] == figures.coaches.certified
    assert exported["Help contacts"] == figures.help.contacts
    assert exported["Help sessions held"] == figures.sessions.held
    assert exported["Active in the last 90 days"] == figures.coaches.active

    # /impact (public: the same figures through the one rule).
    with client.session_transaction() as cookie:
        cookie.clear()
    impact = _figures_on(client.get("/impact/", query_string=args).get_data(as_text=True))
    public = rules.public_count
    assert impact["people helped"] == str(public(figures.help.citizens_supported))
    assert impact["digicoaches with a certificate"] == str(public(figures.coaches.certified))
    assert impact["times people got help"] == str(public(figures.help.contacts))

    # The API answers for the whole programme only.
    if municipality is None:
        answer = client.get("/api/v1/progress", query_string=args).get_json()
        assert answer["citizens"]["supported"] == public(figures.help.citizens_supported)
        assert answer["citizens"]["contacts"] == public(figures.help.contacts)
        assert answer["sessions_held"] == public(figures.sessions.held)
        assert answer["help_minutes"] == figures.help.minutes
        for name in ("applied", "approved", "in_training", "certified", "active"):
            assert answer["coaches"][name] == public(getattr(figures.coaches, name)), name


def test_the_nightly_row_of_today_is_the_key_figure_of_that_moment(world, frozen):
    _add_world(world, frozen)
    tasks.write_snapshots(now=frozen)
    selection = _selection(world, frozen)
    rows = queries.snapshot_rows(selection)
    assert rows[-1].taken_on == date(2026, 6, 15)
    assert rows[-1].citizens_supported == queries.figures(selection).help.citizens_supported


@pytest.mark.parametrize(
    ("language", "hours", "day"),
    [
        ("nl", "117,4", "1 jan 2026"),
        ("fr", "117,4", "1 janv. 2026"),
        ("en", "117.4", "1 Jan 2026"),
    ],
)
def test_numbers_and_chart_days_are_written_the_readers_way(
    client, world, frozen, language, hours, day
):
    coach = make_working_coach(world.gent)
    # 36 times 3 hours and 3 times 188 minutes: 7,044 minutes, 117.4 hours.
    for n in range(39):
        make_help_log(coach, citizen_key=f"{n}".rjust(64, "0"), minutes=180 if n < 36 else 188)
    world.admin.language = language
    db.session.commit()
    sign_in(client, world.admin)
    html = client.get("/progress/").get_data(as_text=True)
    assert f'<span class="figure-number">{hours}</span>' in html
    assert f">{day}</text>" in html
    assert ">2026-01-01</text>" not in html
