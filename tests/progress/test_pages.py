"""The dashboard, the impact page, the exports and the nightly snapshots."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from sqlalchemy import func, select

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from digicoach.progress import tasks
from digicoach.progress.models import ProgressSnapshot
from tests.conftest import sign_in
from tests.factories import make_neighbourhood
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import certify, make_help_log


def _add_data(world, frozen, size: int) -> None:
    """`size` coaches in Gent and in Kortrijk, each with a shift, an appointment log and a
    walk-in log, spread over the months."""
    session = make_help_session(world.location, starts_at=frozen - timedelta(days=1), coaches_max=5)
    for n in range(size):
        for municipality in (world.gent, world.kortrijk):
            coach = certify(
                make_working_coach(municipality, status=CoachStatus.CERTIFIED), world.programme
            )
            make_shift(session, coach, as_shadow=True, mentor=coach)
            day = date(2026, 1 + n % 5, 1 + n % 27)
            make_help_log(coach, helped_on=day, citizen_key=f"{municipality.id}-{n}".rjust(64, "0"))
            make_help_log(
                coach,
                helped_on=day,
                citizens=2,
                topics=("email", "eid_itsme"),
                neighbourhood_id=world.ledeberg.id if municipality is world.gent else None,
                language="ar",
            )
    db.session.commit()


def test_the_dashboard_shows_figures_charts_and_tables_for_an_admin(client, world, frozen):
    _add_data(world, frozen, 3)
    sign_in(client, world.admin)
    page = client.get("/progress/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 3
    assert "<title id=" in html and "<desc id=" in html
    assert "Ledeberg" in html and "Kortrijk" in html
    # Six appointment citizens plus twelve walk-in first visits.
    assert ">18</span>" in html


def test_a_coordinator_sees_only_their_municipalities(client, world, frozen):
    _add_data(world, frozen, 2)
    sign_in(client, world.coordinator)
    html = client.get("/progress/").get_data(as_text=True)
    assert "Gent" in html
    assert "Kortrijk" not in html
    assert client.get(f"/progress/?municipality={world.kortrijk.id}").status_code == 404
    assert client.get("/progress/?programme=987654").status_code == 404


def test_a_coordinator_without_a_programme_in_scope_gets_no_figures(client, world, frozen):
    sign_in(client, world.other_coordinator)
    page = client.get("/progress/")
    assert page.status_code == 200
    assert "There is no programme" in page.get_data(as_text=True)
    assert client.get(f"/progress/?programme={world.programme.id}").status_code == 404


def test_coaches_and_visitors_cannot_open_the_dashboard(client, world, frozen):
    assert client.get("/progress/").status_code == 302
    coach = make_working_coach(world.gent)
    db.session.commit()
    sign_in(client, coach.user)
    assert client.get("/progress/").status_code == 403


def test_bad_filters_fall_back_to_the_programme_period(client, world, frozen):
    sign_in(client, world.admin)
    assert client.get("/progress/?from=yesterday&to=2099-99-99").status_code == 200
    assert client.get("/progress/?from=2027-05-01&to=2026-02-01").status_code == 200
    assert client.get("/progress/?municipality=abc").status_code == 404


def test_the_dashboard_runs_a_constant_number_of_statements(
    client, world, frozen, count_statements
):
    _add_data(world, frozen, 2)
    sign_in(client, world.admin)
    client.get("/progress/")
    with count_statements() as small:
        assert client.get("/progress/").status_code == 200
    _add_data(world, frozen, 18)
    client.get("/progress/")  # the same warm-up: the commit above expired what was loaded
    with count_statements() as large:
        assert client.get("/progress/").status_code == 200
    assert small.count == large.count


def test_the_impact_page_is_public_and_suppresses_numbers_under_five(client, world, frozen):
    coach = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    make_help_log(coach, citizens=3)
    db.session.commit()
    page = client.get("/impact/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "fewer than 5" in html or "minder dan 5" in html
    assert ">3</span>" not in html
    assert 'role="img"' not in html  # no chart of a number that is not shown


def test_the_impact_page_shows_figures_from_five_and_answers_404_for_unknown_ids(
    client, world, frozen
):
    _add_data(world, frozen, 3)
    html = client.get("/impact/").get_data(as_text=True)
    assert ">18</span>" in html
    assert 'role="img"' in html
    assert client.get("/impact/?programme=987654").status_code == 404
    assert client.get(f"/impact/?municipality={world.elsewhere.id}").status_code == 404
    assert client.get(f"/impact/?municipality={world.gent.id}").status_code == 200


def test_exports_in_csv_and_xlsx_hold_no_coach_and_no_key(client, world, frozen):
    _add_data(world, frozen, 2)
    sign_in(client, world.coordinator)
    figures = client.get("/progress/export.csv?kind=figures")
    assert figures.status_code == 200
    assert figures.mimetype == "text/csv"
    logs = client.get("/progress/export.csv?kind=logs").get_data(as_text=True)
    assert "Kortrijk" not in logs
    assert "0000" not in logs  # no citizen key
    lines = logs.strip().splitlines()
    assert len(lines) == 1 + 4  # two Gent coaches, two logs each
    workbook = client.get("/progress/export.xlsx?kind=logs")
    assert workbook.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(workbook.data))
    assert client.get("/progress/export.csv?kind=secrets").status_code == 404


def test_a_snapshot_is_taken_once_per_programme_scope_and_day(app, world, frozen):
    _add_data(world, frozen, 2)
    first = tasks.take_snapshot(frozen)
    second = tasks.take_snapshot(frozen + timedelta(hours=1))
    assert first == 3  # the programme as a whole, Gent, Kortrijk
    assert second == 0
    assert tasks.take_snapshot(frozen + timedelta(days=1)) == 3
    whole = db.session.scalar(
        select(ProgressSnapshot).where(
            ProgressSnapshot.scope == "all", ProgressSnapshot.taken_on == date(2026, 6, 15)
        )
    )
    assert whole.citizens_supported == 12
    assert whole.coaches_certified == 4
    assert db.session.scalar(select(func.count(ProgressSnapshot.id))) == 6


def test_the_impact_page_writes_targets_the_way_the_reader_writes_numbers(app, world, frozen):
    for language, written in (("en", "3,000"), ("nl", "3.000"), ("fr", "3\u202f000")):
        reader = app.test_client()
        reader.set_cookie("lang", language)
        assert written in reader.get("/impact/").get_data(as_text=True)


def test_the_dashboard_lists_the_twenty_busiest_neighbourhoods_and_the_export_has_all(
    client, world, frozen
):
    """A Flemish programme has hundreds of neighbourhoods: the page lists the twenty with the
    most help contacts and says how many more there are; the figures export has every one,
    with its logs and hours as the page's table shows them."""
    coach = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    for n in range(23):
        neighbourhood = make_neighbourhood(world.gent, name=f"Wijk {n:02d}")
        for _ in range(n + 1):  # Wijk 22 has the most help contacts, Wijk 00 the fewest
            make_help_log(coach, helped_on=date(2026, 3, 2), neighbourhood_id=neighbourhood.id)
    db.session.commit()
    sign_in(client, world.admin)
    html = client.get("/progress/").get_data(as_text=True)
    table = html.split("Help contacts by neighbourhood</caption>")[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 20
    assert "Wijk 22" in table and "Wijk 03" in table
    assert "Wijk 02" not in table and "Wijk 00" not in html
    assert "3 more neighbourhoods, with fewer help contacts, are not in this table." in html
    assert "All of them are in the figures export:" in html
    assert html.count('href="/progress/export.csv?') == 3  # after the table and in Export

    figures = client.get("/progress/export.csv?kind=figures").get_data(as_text=True)
    lines = figures.splitlines()
    assert lines[0] == "Section,Name,Value,Target,Logs,Hours"
    neighbourhoods = [line for line in lines if line.startswith("Neighbourhood,")]
    assert len(neighbourhoods) == 23
    assert "Neighbourhood,Wijk 00,1,,1,0.5" in neighbourhoods
    assert "Neighbourhood,Wijk 22,23,,23,11.5" in neighbourhoods


def test_a_short_breakdown_is_listed_whole_without_a_sentence(client, world, frozen):
    _add_data(world, frozen, 2)
    sign_in(client, world.admin)
    html = client.get("/progress/").get_data(as_text=True)
    assert "Ledeberg" in html and "Kortrijk" in html
    assert "not in this table" not in html
