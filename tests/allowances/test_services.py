"""Recording allowances through the service: the caps per day, per year and per kilometre
hold at their edges, a refusal changes nothing, and the nominative list adds up."""

from __future__ import annotations

import io
from datetime import date, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from digicoach.allowances import export, queries, services
from digicoach.allowances.models import Allowance, AllowanceTotal
from digicoach.core import clock, timeslots
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.spreadsheets import write_xlsx
from digicoach.extensions import db
from tests.allowances.conftest import set_caps
from tests.helpdesk.factories import make_help_session, make_shift

DAY = date(2026, 6, 10)


def record(world, coach=None, actor=None, **values):
    data = services.AllowanceInput(
        kind=values.pop("kind", "flat"), day=values.pop("day", DAY), **values
    )
    return services.record(
        actor=actor or world.coordinator, coach=coach or world.coach, data=data, now=clock.now()
    )


def count_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(Allowance))


def refused(world, code: str, **values) -> None:
    before = count_entries()
    with pytest.raises(Conflict) as caught:
        record(world, **values)
    assert caught.value.code == code
    assert count_entries() == before


def test_the_daily_cap_can_be_reached_but_not_passed_by_a_cent(world):
    record(world, amount="40,00")
    record(world, amount="1,48")  # exactly 41.48
    refused(world, "allowances.daily_cap", amount="0,01")
    record(world, amount="0,01", day=DAY + timedelta(days=1))  # another day starts at zero


def test_one_entry_above_the_daily_cap_is_refused(world):
    refused(world, "allowances.daily_cap", amount="41,49")
    record(world, amount="41,48")


def test_the_yearly_cap_can_be_reached_but_not_passed_by_a_cent(world):
    first = date(2026, 1, 5)
    for n in range(40):  # 40 days at the daily cap: 1,659.20
        record(world, amount="41,48", day=first + timedelta(days=n))
    refused(world, "allowances.yearly_cap", amount="0,10", day=date(2026, 3, 1))
    record(world, amount="0,09", day=date(2026, 3, 1))  # exactly 1,659.29
    refused(world, "allowances.yearly_cap", amount="0,01", day=date(2026, 3, 2))
    total = db.session.get(AllowanceTotal, (world.coach.id, 2026))
    assert total.flat_cents == 165929


def test_the_kilometres_stop_at_2000_a_year_car_and_bicycle_together(world):
    record(world, kind="car", km=1500, day=date(2026, 2, 1))
    record(world, kind="bicycle", km=499, day=date(2026, 2, 2))
    record(world, kind="bicycle", km=1, day=date(2026, 2, 3))  # exactly 2,000
    refused(world, "allowances.km_cap", kind="car", km=1, day=date(2026, 2, 4))
    assert db.session.get(AllowanceTotal, (world.coach.id, 2026)).km == 2000


def test_kilometres_are_priced_with_the_year_rate_and_do_not_use_the_flat_cap(world):
    record(world, amount="41,48")
    car = record(world, kind="car", km=12)
    bicycle = record(world, kind="bicycle", km=10)
    assert car.amount_cents == 512
    assert bicycle.amount_cents == 350


def test_a_year_without_caps_refuses_with_a_clear_reason(world):
    refused(world, "allowances.no_caps", amount="10", day=date(2025, 12, 31))


def test_a_bad_amount_or_a_future_day_is_a_field_error(world):
    with pytest.raises(ValidationFailed) as caught:
        record(world, amount="tien euro", day=date(2026, 7, 1))
    assert set(caught.value.errors) == {"amount", "day"}
    assert count_entries() == 0


def test_a_shift_gives_its_day_and_municipality(world):
    start = timeslots.local_moment(date(2026, 6, 9), time(14))
    session = make_help_session(world.location, starts_at=start)
    shift = make_shift(session, world.coach)
    entry = record(world, amount="5", day=None, shift_id=shift.id)
    assert entry.day == date(2026, 6, 9)
    assert entry.municipality_id == world.gent.id
    assert entry.shift_id == shift.id


def test_coordinators_of_another_municipality_cannot_record_or_see(world):
    with pytest.raises(NotFound):
        record(world, actor=world.other_coordinator, amount="5")
    record(world, amount="5")
    assert queries.year_list(world.other_coordinator, 2026) == []
    with pytest.raises(NotFound):
        queries.get_coach(world.other_coordinator, world.coach.id)


def test_removing_an_entry_gives_the_room_back(world):
    entry = record(world, amount="41,48")
    services.remove(actor=world.coordinator, allowance=entry)
    record(world, amount="41,48")
    assert db.session.get(AllowanceTotal, (world.coach.id, 2026)).flat_cents == 4148


def test_the_nominative_list_adds_up_in_the_page_model_and_the_workbook(world):
    other = world.another_coach(first_name="Ahmed", last_name="Benali")
    amounts = {world.coach: ["12,50", "20", "8,98"], other: ["41,48", "3,02"]}
    for coach, values in amounts.items():
        for n, amount in enumerate(values):
            record(world, coach=coach, amount=amount, day=date(2026, 3, 1) + timedelta(days=n))
    record(world, kind="car", km=20, day=date(2026, 3, 1))
    lines = queries.year_list(world.coordinator, 2026)
    assert [line.coach_name for line in lines][:2] == ["Ahmed Benali", "Ahmed Benali"]
    totals = {t.name: t for t in queries.coach_years(lines)}
    assert totals["Sara Peeters"].flat_cents == 4148
    assert totals["Sara Peeters"].travel_cents == 854  # 20 km at 0.4269
    assert totals["Ahmed Benali"].flat_cents == 4450
    assert sum(line.allowance.amount_cents for line in lines) == 4148 + 854 + 4450

    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(export.sheets(lines, 2026), "en")))
    listed, summed = workbook.worksheets
    assert listed.freeze_panes == "A2"
    header = [cell.value for cell in listed[1]]
    assert header[:5] == ["Volunteer", "Day", "What", "Kilometres", "Amount (euro)"]
    rows = list(listed.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(lines)
    assert rows[0][1].date() == date(2026, 3, 1)  # a real date cell
    assert round(sum(Decimal(str(row[4])) for row in rows), 2) == Decimal("94.52")
    by_name = {row[0]: row for row in summed.iter_rows(min_row=2, values_only=True)}
    assert by_name["Sara Peeters"][4] == pytest.approx(50.02)
    assert by_name["Ahmed Benali"][1] == pytest.approx(44.50)


def test_caps_are_validated_and_can_be_corrected(world):
    with pytest.raises(ValidationFailed) as caught:
        set_caps(world.admin, year=2027, daily_cap="50", yearly_cap="40", car_rate="x")
    assert set(caught.value.errors) == {"yearly_cap", "car_rate"}
    set_caps(world.admin, year=2026, daily_cap="42,31")
    assert services.caps_of(2026).daily_cents == 4231
