"""Pages under /loans: a digipunt's devices, lending in two steps (who and until when, then the
loan agreement), a loan's page (extend, take back, mark lost, note a call) and the overdue list.

Thin views: parse the form, call one service inside a unit of work, render or redirect. Ids
outside the actor's municipalities are "not found" (services.get_scoped).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core import clock
from digicoach.core.contact import check_contact
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import DomainError, FieldErrors, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.extensions import db
from digicoach.loans import forms, queries, rules, services, wording
from digicoach.loans.models import Device, DeviceStatus, Loan
from digicoach.loans.permissions import can_manage_loans
from digicoach.places.models import Location

bp = Blueprint("loans", __name__, url_prefix="/loans")


@bp.app_context_processor
def _words() -> dict[str, Any]:
    return {"loan_words": wording}


def _form_status() -> int:
    return 422 if request.method == "POST" else 200


def _max_days() -> int:
    return int(current_app.config["LOAN_MAX_DAYS"])


def _location(location_id: Any) -> Location:
    for location in queries.locations_in_scope(current_user):
        if location.id == parse_id(location_id):
            return location
    raise NotFound(location_id)


@bp.get("")
@require(can_manage_loans)
def index() -> ResponseReturnValue:
    locations = queries.locations_in_scope(current_user)
    wanted = parse_id(request.args.get("location_id"))
    location = next((loc for loc in locations if loc.id == wanted), None)
    if location is None and locations:
        location = locations[0]
    rows = queries.inventory(location.id) if location else []
    return render_template(
        "loans/index.html",
        locations=locations,
        location=location,
        rows=rows,
        counts=queries.status_counts(rows),
        today=clock.local_today(),
    )


@bp.route("/locations/<int:location_id>/devices/new", methods=["GET", "POST"])
@require(can_manage_loans)
def new_device(location_id: int) -> ResponseReturnValue:
    location = _location(location_id)
    form = forms.DeviceForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                device = services.add_device(
                    actor=current_user, location=location, data=_device_input(form)
                )
                device_id = device.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The device is added."), "success")
            return redirect(url_for(".device", device_id=device_id))
    return render_template(
        "loans/device_form.html", form=form, location=location, device=None
    ), _form_status()


def _device_input(form: forms.DeviceForm) -> services.DeviceInput:
    return services.DeviceInput(
        kind=form.kind.data,
        label=form.label.data,
        serial=form.serial.data or "",
        condition=form.condition.data,
        accessories=form.accessories.data or "",
    )


@bp.get("/devices/<int:device_id>")
@require(can_manage_loans)
def device(device_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Device, current_user, device_id)
    loans = queries.device_loans(found.id)
    return render_template(
        "loans/device.html",
        device=found,
        loans=loans,
        staff=queries.staff_names(loan.lent_by_id for loan in loans),
        actions=[s for s in wording.STATUS_ACTIONS if rules.may_set_status(found.status, s)],
        confirm_form=ConfirmForm(),
    )


@bp.route("/devices/<int:device_id>/edit", methods=["GET", "POST"])
@require(can_manage_loans)
def edit_device(device_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Device, current_user, device_id)
    form = forms.DeviceForm(obj=found)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_device(actor=current_user, device=found, data=_device_input(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The device is saved."), "success")
            return redirect(url_for(".device", device_id=device_id))
    db.session.rollback()
    return render_template(
        "loans/device_form.html", form=form, location=found.location, device=found
    ), _form_status()


@bp.post("/devices/<int:device_id>/status")
@require(can_manage_loans)
def set_status(device_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Device, current_user, device_id)
    form = forms.DeviceStatusForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.set_device_status(
                    actor=current_user, device=found, status=form.status.data
                )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "The device is now: %(status)s.",
                    status=wording.label(wording.DEVICE_STATUSES, form.status.data),
                ),
                "success",
            )
    return redirect(url_for(".device", device_id=device_id))


@bp.route("/devices/<int:device_id>/lend", methods=["GET", "POST"])
@require(can_manage_loans)
def lend(device_id: int) -> ResponseReturnValue:
    """Step one asks who borrows and until when; step two (the same URL, `step=agreement`)
    shows the agreement in the citizen's language and lends when it is accepted."""
    found = services.get_scoped(Device, current_user, device_id)
    if found.status != DeviceStatus.AVAILABLE:
        flash(_("This device is not available: it is lent, in repair or retired."), "error")
        return redirect(url_for(".device", device_id=device_id))
    step = request.form.get("step") if request.method == "POST" else None
    if step == "agreement":
        return _lend_agreement(found)
    form = forms.LendForm()
    if request.method == "GET":
        form.due_on.data = clock.local_today() + timedelta(
            days=int(current_app.config["LOAN_DEFAULT_DAYS"])
        )
    if form.validate_on_submit():
        problems = _details_problems(form)
        if not problems:
            agreement_form = forms.AgreementForm(formdata=None, data=form.data)
            return _render_agreement(found, agreement_form, form.language.data, status=200)
        show_errors(form, problems)
    return render_template("loans/lend.html", form=form, device=found), _form_status()


def _details_problems(form: forms.LendForm) -> dict[str, list[Any]]:
    """The service's checks of step one (contact, due date), before the agreement is shown."""
    errors = FieldErrors()
    check_contact(form.first_name.data, form.phone.data, form.email.data, errors)
    services.check_due_date(
        form.due_on.data, today=clock.local_today(), max_days=_max_days(), errors=errors
    )
    return errors.by_field


def _render_agreement(
    device: Device, form: forms.AgreementForm, language: str, *, status: int
) -> Any:
    agreement = services.loan_agreement(language)
    if agreement is not None and not form.agreement_version_id.data:
        form.agreement_version_id.data = str(agreement.id)
    return render_template(
        "loans/agreement.html", form=form, device=device, agreement=agreement
    ), status


def _lend_agreement(device: Device) -> ResponseReturnValue:
    form = forms.AgreementForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                loan = services.lend(
                    actor=current_user,
                    device=device,
                    data=services.LoanInput(
                        first_name=form.first_name.data,
                        phone=form.phone.data or "",
                        email=form.email.data or "",
                        language=form.language.data,
                        due_on=form.due_on.data,
                        agreement_method=form.agreement_method.data,
                        accepted=form.accepted.data,
                        agreement_version_id=parse_id(form.agreement_version_id.data),
                    ),
                    now=clock.now(),
                    max_days=_max_days(),
                )
                loan_id = loan.id
        except ValidationFailed as error:
            show_errors(form, error)
        except DomainError as error:
            if error.code == "loans.agreement_changed":
                form.agreement_version_id.data = ""
            show_errors(form, error)
        else:
            flash(_("The device is lent."), "success")
            return redirect(url_for(".loan", loan_id=loan_id))
    return _render_agreement(device, form, form.language.data or "nl", status=422)


@bp.get("/<int:loan_id>")
@require(can_manage_loans)
def loan(loan_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Loan, current_user, loan_id)
    return _render_loan(found)


def _render_loan(
    found: Loan,
    *,
    extend_form: forms.ExtendForm | None = None,
    return_form: forms.ReturnForm | None = None,
    call_form: forms.CallForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if extend_form is None:
        extend_form = forms.ExtendForm(formdata=None)
        extend_form.due_on.data = found.due_on + timedelta(days=14)
    return render_template(
        "loans/loan.html",
        loan=found,
        today=clock.local_today(),
        days_overdue=rules.days_overdue(found.due_on, clock.local_today()),
        staff=queries.staff_names(
            [found.lent_by_id, found.closed_by_id, *(call.called_by_id for call in found.calls)]
        ),
        extend_form=extend_form,
        return_form=return_form or forms.ReturnForm(formdata=None),
        call_form=call_form or forms.CallForm(formdata=None),
        confirm_form=ConfirmForm(),
    ), status


@bp.post("/<int:loan_id>/extend")
@require(can_manage_loans)
def extend(loan_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Loan, current_user, loan_id)
    form = forms.ExtendForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.extend(
                    actor=current_user,
                    loan=found,
                    due_on=form.due_on.data,
                    now=clock.now(),
                    max_days=_max_days(),
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The loan is extended."), "success")
            return redirect(url_for(".loan", loan_id=loan_id))
    db.session.rollback()
    return _render_loan(found, extend_form=form, status=422)


@bp.post("/<int:loan_id>/return")
@require(can_manage_loans)
def take_back(loan_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Loan, current_user, loan_id)
    form = forms.ReturnForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.return_loan(
                    actor=current_user,
                    loan=found,
                    condition=form.condition.data,
                    note=form.note.data or "",
                    now=clock.now(),
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The device is taken back."), "success")
            return redirect(url_for(".loan", loan_id=loan_id))
    db.session.rollback()
    return _render_loan(found, return_form=form, status=422)


@bp.post("/<int:loan_id>/lost")
@require(can_manage_loans)
def mark_lost(loan_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Loan, current_user, loan_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                services.mark_lost(actor=current_user, loan=found, now=clock.now())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The device is marked lost and retired."), "success")
    return redirect(url_for(".loan", loan_id=loan_id))


@bp.post("/<int:loan_id>/calls")
@require(can_manage_loans)
def record_call(loan_id: int) -> ResponseReturnValue:
    found = services.get_scoped(Loan, current_user, loan_id)
    form = forms.CallForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.record_call(
                    actor=current_user, loan=found, note=form.note.data or "", now=clock.now()
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The call is noted."), "success")
            target = request.form.get("back")
            if target == "overdue":
                return redirect(url_for(".overdue"))
            return redirect(url_for(".loan", loan_id=loan_id))
    db.session.rollback()
    return _render_loan(found, call_form=form, status=422)


@bp.get("/overdue")
@require(can_manage_loans)
def overdue() -> ResponseReturnValue:
    locations = queries.locations_in_scope(current_user)
    wanted = parse_id(request.args.get("location_id"))
    chosen = next((loc for loc in locations if loc.id == wanted), None)
    rows = queries.overdue(
        current_user, today=clock.local_today(), location_id=chosen.id if chosen else None
    )
    return render_template(
        "loans/overdue.html",
        rows=rows,
        locations=locations,
        chosen=chosen,
        staff=queries.staff_names(row.last_call.called_by_id for row in rows if row.last_call),
        call_form=forms.CallForm(formdata=None),
    )
