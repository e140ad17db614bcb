"""The curriculum pages (admins): programmes, their modules and threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.extensions import db
from digicoach.places import queries as place_queries
from digicoach.training import queries
from digicoach.training.forms import ModuleForm, ThresholdForm
from digicoach.training.models import CertificationRule
from digicoach.training.permissions import can_manage_curriculum
from digicoach.training.services import curriculum as curriculum_services
from digicoach.training.views.blueprint import bp, form_status


@bp.get("/programmes")
@require(can_manage_curriculum)
def programmes() -> ResponseReturnValue:
    rows = place_queries.programmes_in_scope(current_user)
    counts = {row.programme.id: len(queries.modules_of(row.programme.id)) for row in rows}
    return render_template("training/programmes.html", rows=rows, counts=counts)


@bp.route("/programmes/<int:programme_id>/modules", methods=["GET", "POST"])
@require(can_manage_curriculum)
def modules(programme_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    form = ModuleForm(prefix="module")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                curriculum_services.add_module(
                    actor=current_user, programme=programme, data=_module_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The module is added."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return _render_modules(programme, form, ThresholdForm(formdata=None)), form_status()


def _render_modules(programme: Any, form: ModuleForm, threshold_form: ThresholdForm) -> str:
    own = db.session.get(CertificationRule, programme.id)
    if own is not None and threshold_form.threshold_percent.data is None:
        threshold_form.threshold_percent.data = own.threshold_percent
    return render_template(
        "training/modules.html",
        programme=programme,
        modules=queries.modules_of(programme.id),
        form=form,
        threshold_form=threshold_form,
        threshold=queries.threshold_percent(programme.id),
        confirm_form=ConfirmForm(),
    )


def _module_input(form: ModuleForm) -> curriculum_services.ModuleInput:
    hours = form.expected_hours.data
    return curriculum_services.ModuleInput(
        title=form.title.data or "",
        description=form.description.data or "",
        required=bool(form.required.data),
        expected_minutes=int((hours or Decimal(0)) * 60) if hours is not None else None,
        position=form.position.data,
    )


@bp.post("/programmes/<int:programme_id>/threshold")
@require(can_manage_curriculum)
def threshold(programme_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                curriculum_services.set_threshold(
                    actor=current_user, programme=programme, percent=form.threshold_percent.data
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The certification rule is saved."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return _render_modules(programme, ModuleForm(prefix="module", formdata=None), form), 422


@bp.route("/programmes/<int:programme_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@require(can_manage_curriculum)
def edit_module(programme_id: int, module_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    module = queries.get_module(programme.id, module_id)
    form = ModuleForm(obj=module)
    if request.method == "GET":
        form.expected_hours.data = Decimal(module.expected_minutes) / 60
    if form.validate_on_submit():
        try:
            with unit_of_work():
                curriculum_services.update_module(
                    actor=current_user, module=module, data=_module_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The module is saved."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return render_template(
        "training/module_form.html",
        programme=programme,
        module=module,
        form=form,
        confirm_form=ConfirmForm(),
    ), form_status()


@bp.post("/programmes/<int:programme_id>/modules/<int:module_id>/remove")
@require(can_manage_curriculum)
def remove_module(programme_id: int, module_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    module = queries.get_module(programme.id, module_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                curriculum_services.remove_module(actor=current_user, module=module)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The module is removed."), "success")
    return redirect(url_for(".modules", programme_id=programme_id))
