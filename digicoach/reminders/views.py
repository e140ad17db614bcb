"""The outbox page for administrators, and the scheduler warning shown on their pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.core import clock, heartbeat
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict
from digicoach.core.permissions import require
from digicoach.reminders import permissions, queries, services
from digicoach.reminders.forms import CHANNEL_LABELS, STATUS_LABELS, OutboxFilterForm, RetryForm

bp = Blueprint("reminders", __name__, url_prefix="/admin/outbox")


@bp.get("/")
@require(permissions.can_manage_outbox)
def outbox() -> ResponseReturnValue:
    form = OutboxFilterForm(request.args)
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(kind, kind) for kind in queries.kinds()
    ]
    status = kind = None
    if form.validate():
        status = form.status.data or None
        kind = form.kind.data or None
    page = queries.outbox_page(status=status, kind=kind)
    now = clock.now()
    return render_template(
        "reminders/outbox.html",
        form=form,
        page=page,
        retry_form=RetryForm(),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        heartbeat_age=heartbeat.age_seconds(now),
        stale=heartbeat.is_stale(now),
        runs=heartbeat.last_runs(),
    )


@bp.post("/<int:message_id>/retry")
@require(permissions.can_manage_outbox)
def retry(message_id: int) -> ResponseReturnValue:
    form = RetryForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.retry_message(actor=current_user, message_id=message_id, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The message is back in the queue. Its status is below."), "success")
    return redirect(url_for(".outbox", **{k: v for k, v in request.args.items() if v}))


@bp.app_context_processor
def scheduler_warning() -> dict[str, Any]:
    """`scheduler_warning()` in base.html: the heartbeat's age in minutes for administrators
    when the scheduler seems stopped (older than five minutes or never seen), else None."""

    def warning() -> int | None:
        if not current_user.is_authenticated or not permissions.can_see_scheduler_warning(
            current_user
        ):
            return None
        age = heartbeat.age_seconds(clock.now())
        if age is not None and age <= heartbeat.STALE_AFTER_SECONDS:
            return None
        return -1 if age is None else int(age // 60)

    return {"scheduler_warning": warning}
