"""Referral pages: the referral form (from a help log or the desk), "my referrals" for the
referrer, and the inbox of incoming referrals at /partners/referrals: partner staff see their
organisation's, coordinators and desk staff those to their municipalities' own digipunten.

Thin views: parse the form, call one service inside a unit of work, render or redirect. Reads
go through `queries`, which answer NotFound (404) for ids outside the actor's scope.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.accounts.permissions import is_desk, is_partner_staff
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.referrals import queries, services
from digicoach.referrals.forms import CloseForm, ReferForm
from digicoach.referrals.permissions import (
    can_receive_referrals,
    can_refer,
    receives_for_municipalities,
)

bp = Blueprint("referrals", __name__)


@bp.route("/referrals/new", methods=["GET", "POST"])
@require(can_refer)
def new() -> ResponseReturnValue:
    """Refer a citizen: `?help_log=<id>` from a help log, `?appointment=<id>` from an
    appointment, `?location=<id>` from a digipunt's desk."""
    help_log_id = request.values.get("help_log", type=int)
    location_id = request.values.get("location", type=int)
    appointment_id = request.values.get("appointment", type=int)
    if help_log_id is None and location_id is None and appointment_id is None:
        abort(404)
    source = services.source_of(
        actor=current_user,
        help_log_id=help_log_id,
        location_id=location_id,
        appointment_id=appointment_id,
    )
    targets = services.targets(source.municipality_id)
    form = ReferForm()
    form.target.choices = [SelectChoice("", _("Choose an offer or a digipunt"))] + [
        SelectChoice(target.key, target.label) for target in targets
    ]
    if request.method == "GET":
        for name, value in source.prefill().items():
            getattr(form, name).data = value
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.refer(
                    actor=current_user,
                    source=source,
                    data=services.ReferralInput(
                        target=form.target.data,
                        consent=bool(form.consent.data),
                        reason=form.reason.data or "",
                        first_name=form.first_name.data or "",
                        phone=form.phone.data or "",
                        email=form.email.data or "",
                    ),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
            status = 422
        else:
            flash(_("The referral is sent. You can follow it under My referrals."), "success")
            return redirect(url_for(".mine"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "referrals/new.html", form=form, source=source, has_targets=bool(targets)
    ), status


@bp.get("/referrals/mine")
@require(can_refer)
def mine() -> ResponseReturnValue:
    """The referrer's referrals and their status; the desk starts a referral here too."""
    desk_locations = queries.desk_locations(current_user) if is_desk(current_user) else []
    return render_template(
        "referrals/mine.html",
        referrals=queries.made_by(current_user),
        desk_locations=desk_locations,
    )


@bp.get("/partners/referrals")
@require(can_receive_referrals)
def inbox() -> ResponseReturnValue:
    return render_template(
        "referrals/inbox.html",
        referrals=queries.incoming(current_user),
        for_organisation=is_partner_staff(current_user),
        for_municipalities=receives_for_municipalities(current_user),
    )


@bp.get("/partners/referrals/<int:referral_id>")
@require(can_receive_referrals)
def detail(referral_id: int) -> ResponseReturnValue:
    referral = queries.get_incoming(current_user, referral_id)
    return _render_detail(referral, CloseForm(formdata=None))


def _render_detail(referral: Any, close_form: CloseForm, status: int = 200) -> Any:
    return render_template(
        "referrals/detail.html",
        referral=referral,
        close_form=close_form,
        confirm_form=ConfirmForm(formdata=None),
    ), status


def _step(referral_id: int, step: Any, message: str) -> ResponseReturnValue:
    referral = queries.get_incoming(current_user, referral_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            step(actor=current_user, referral=referral, now=clock.now())
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for(".detail", referral_id=referral_id))


@bp.post("/partners/referrals/<int:referral_id>/accept")
@require(can_receive_referrals)
def accept(referral_id: int) -> ResponseReturnValue:
    return _step(referral_id, services.accept, _("You accepted the referral."))


@bp.post("/partners/referrals/<int:referral_id>/contacted")
@require(can_receive_referrals)
def contacted(referral_id: int) -> ResponseReturnValue:
    return _step(referral_id, services.mark_contacted, _("Noted: you contacted the citizen."))


@bp.post("/partners/referrals/<int:referral_id>/close")
@require(can_receive_referrals)
def close(referral_id: int) -> ResponseReturnValue:
    referral = queries.get_incoming(current_user, referral_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.close(
                    actor=current_user,
                    referral=referral,
                    outcome=form.outcome.data,
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".detail", referral_id=referral_id))
        else:
            flash(_("The referral is closed."), "success")
            return redirect(url_for(".inbox"))
    return _render_detail(referral, form, 422)
