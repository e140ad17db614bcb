"""Pages: the nominative list of a year and its export (coordinators), a coach's allowances
with the form to record one, the caps of each year and the programmes' insurance (admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.allowances import export, queries, rules, services
from digicoach.allowances.forms import KIND_LABELS, AllowanceForm, CapsForm, InsuranceForm
from digicoach.allowances.permissions import (
    can_record_allowances,
    can_see_own_allowances,
    can_set_allowance_caps,
    can_set_insurance,
)
from digicoach.coaches import services as coach_services
from digicoach.core import clock, i18n
from digicoach.core.db import get_or_not_found, parse_id, unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.core.spreadsheets import download, write_xlsx
from digicoach.places.models import Programme

bp = Blueprint("allowances", __name__, url_prefix="/allowances")
# The coach's own page lives with their other pages under /me.
mine_bp = Blueprint("my_allowances", __name__, url_prefix="/me")


def _form_status() -> int:
    return 422 if request.method == "POST" else 200


def _year(value: Any) -> int:
    year = parse_id(value)
    return year if year is not None and 2000 <= year <= 2100 else queries.this_year()


@bp.get("/")
@require(can_record_allowances)
def index() -> ResponseReturnValue:
    year = _year(request.args.get("year"))
    lines = queries.year_list(current_user, year)
    return render_template(
        "allowances/index.html",
        year=year,
        lines=lines,
        totals=queries.coach_years(lines),
        coaches=queries.coaches_in_scope(current_user),
        caps=queries.caps(year),
        kind_labels=KIND_LABELS,
        money=services.money,
    )


@bp.get("/coach")
@require(can_record_allowances)
def choose_coach() -> ResponseReturnValue:
    """The coach chooser of the list page (a GET form, works without JavaScript)."""
    coach = queries.get_coach(current_user, parse_id(request.args.get("coach")))
    return redirect(url_for(".coach", coach_id=coach.id))


@bp.get("/export.xlsx")
@require(can_record_allowances)
def export_year() -> ResponseReturnValue:
    year = _year(request.args.get("year"))
    lines = queries.year_list(current_user, year)
    body = write_xlsx(export.sheets(lines, year))
    return download(body, filename=_("expense-allowances-%(year)d.xlsx", year=year))


def _shift_choices(coach: Any) -> list[tuple[str, str]]:
    shifts = queries.recent_shifts(coach, clock.now())
    return [("", _("None: an allowance for a day"))] + [
        (str(s.shift_id), f"{i18n.when(s.starts_at)}, {s.place}") for s in shifts
    ]


@bp.route("/coaches/<int:coach_id>", methods=["GET", "POST"])
@require(can_record_allowances)
def coach(coach_id: int) -> ResponseReturnValue:
    found = queries.get_coach(current_user, coach_id)
    form = AllowanceForm()
    form.shift.choices = _shift_choices(found)
    if form.validate_on_submit():
        data = services.AllowanceInput(
            kind=form.kind.data,
            day=form.day.data,
            amount=form.amount.data,
            km=form.km.data,
            shift_id=parse_id(form.shift.data) if form.shift.data else None,
            note=form.note.data or "",
        )
        try:
            with unit_of_work():
                services.record(actor=current_user, coach=found, data=data, now=clock.now())
        except (ValidationFailed, Conflict) as error:
            show_errors(form, error)
        else:
            flash(_("The allowance is recorded."), "success")
            return redirect(url_for(".coach", coach_id=coach_id))
    year = queries.this_year()
    lines = queries.coach_lines(current_user, found, year)
    return (
        render_template(
            "allowances/coach.html",
            coach=found,
            form=form,
            year=year,
            lines=lines,
            totals=next(iter(queries.coach_years(lines)), None),
            caps=queries.caps(year),
            kind_labels=KIND_LABELS,
            money=services.money,
            remove_form=ConfirmForm(),
            flat=rules.Kind.FLAT.value,
        ),
        _form_status(),
    )


@bp.post("/entries/<int:allowance_id>/remove")
@require(can_record_allowances)
def remove(allowance_id: int) -> ResponseReturnValue:
    allowance = queries.get_allowance(current_user, allowance_id)
    coach_id = allowance.coach_id
    if ConfirmForm().validate_on_submit():
        with unit_of_work():
            services.remove(actor=current_user, allowance=allowance)
        flash(_("The allowance is removed."), "success")
    return redirect(url_for(".coach", coach_id=coach_id))


@bp.route("/caps", methods=["GET", "POST"])
@require(can_set_allowance_caps)
def caps() -> ResponseReturnValue:
    wanted = queries.caps(_year(request.args.get("year")))
    form = CapsForm()
    if request.method == "GET":
        if wanted is not None:
            form.year.data = wanted.year
            form.daily_cap.data = str(rules.euros(wanted.daily_cap_cents)).replace(".", ",")
            form.yearly_cap.data = str(rules.euros(wanted.yearly_cap_cents)).replace(".", ",")
            form.car_rate.data = str(rules.rate_euros(wanted.car_rate)).replace(".", ",")
            form.bicycle_rate.data = str(rules.rate_euros(wanted.bicycle_rate)).replace(".", ",")
            form.km_cap.data = wanted.km_cap
            form.source.data = wanted.source
        else:
            form.year.data = queries.this_year()
    elif form.validate_on_submit():
        data = services.CapsInput(
            year=form.year.data,
            daily_cap=form.daily_cap.data,
            yearly_cap=form.yearly_cap.data,
            car_rate=form.car_rate.data,
            bicycle_rate=form.bicycle_rate.data,
            km_cap=form.km_cap.data,
            source=form.source.data or "",
        )
        try:
            with unit_of_work():
                services.set_caps(actor=current_user, data=data, now=clock.now())
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The caps for %(year)d are saved.", year=data.year), "success")
            return redirect(url_for(".caps"))
    return (
        render_template(
            "allowances/caps.html",
            form=form,
            rows=queries.all_caps(),
            money=services.money,
            rate=lambda value: format_decimal(rules.rate_euros(value), format="0.00##"),
        ),
        _form_status(),
    )


@bp.get("/insurance")
@require(can_set_insurance)
def insurance() -> ResponseReturnValue:
    return render_template("allowances/insurance.html", rows=queries.programmes_with_insurance())


@bp.route("/insurance/<int:programme_id>", methods=["GET", "POST"])
@require(can_set_insurance)
def edit_insurance(programme_id: int) -> ResponseReturnValue:
    programme = get_or_not_found(Programme, programme_id)
    current = queries.insurance_of(programme)
    form = InsuranceForm(obj=current)
    if form.validate_on_submit():
        data = services.InsuranceInput(
            insurer=form.insurer.data, policy_number=form.policy_number.data, cover=form.cover.data
        )
        try:
            with unit_of_work():
                services.set_insurance(
                    actor=current_user, programme=programme, data=data, now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The insurance is saved."), "success")
            return redirect(url_for(".insurance"))
    return (
        render_template("allowances/insurance_form.html", form=form, programme=programme),
        _form_status(),
    )


@mine_bp.get("/allowances")
@require(can_see_own_allowances)
def mine() -> ResponseReturnValue:
    coach = coach_services.coach_of(current_user)
    if coach is None or coach.erased_at is not None:
        raise NotFound("coach")
    this = queries.this_year()
    years = queries.own_years(coach, this)
    wanted = parse_id(request.args.get("year"))
    year = wanted if wanted in years else this
    lines = queries.own_lines(coach, year)
    return render_template(
        "allowances/mine.html",
        year=year,
        years=years,
        lines=lines,
        totals=next(iter(queries.coach_years(lines)), None),
        caps=queries.caps(year),
        kind_labels=KIND_LABELS,
        money=services.money,
    )
