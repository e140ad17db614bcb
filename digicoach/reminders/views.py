"""The outbox page for administrators (and a page per message), the scheduler warning shown on
their pages, and a programme's reminder settings (beside the programme's page under
/places/programmes/)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.core import clock, heartbeat
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import read_filter_form, show_errors
from digicoach.core.i18n import LANGUAGE_NAMES
from digicoach.core.paging import page_number
from digicoach.core.permissions import require
from digicoach.reminders import permissions, queries
from digicoach.reminders.forms import (
    CHANNEL_LABELS,
    JOB_LABELS,
    PLANNING_LABELS,
    STATUS_LABELS,
    OutboxFilterForm,
    ReminderSettingsForm,
    RetryForm,
    UseDefaultsForm,
)
from digicoach.reminders.services import programme_settings as settings_services
from digicoach.reminders.services import retry as outbox_services
from digicoach.reminders.services.settings import Settings

# No common prefix: the outbox is an admin page, the settings belong beside the programme.
bp = Blueprint("reminders", __name__)


@bp.get("/admin/outbox/")
@require(permissions.can_manage_outbox)
def outbox() -> ResponseReturnValue:
    """The messages in words, filtered by the query string (an unknown value is ignored with a
    note, never a field error) and cut in SQL, 25 a page."""
    form = OutboxFilterForm(request.args)
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(code, label) for code, label in queries.kinds(also=request.args.get("kind"))
    ]
    reading = read_filter_form(form, request.args)
    page = queries.outbox_page(
        status=form.status.data or None,
        kind=form.kind.data or None,
        page=page_number(request.args),
    )
    now = clock.now()
    arguments = _list_arguments()
    return render_template(
        "reminders/outbox.html",
        arguments=arguments,
        filter_arguments={key: value for key, value in arguments.items() if key != "page"},
        form=form,
        reading=reading,
        page=page,
        filtered=bool(form.status.data or form.kind.data),
        retry_form=RetryForm(),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        heartbeat_age=heartbeat.age_seconds(now),
        stale=heartbeat.is_stale(now),
        runs=heartbeat.last_runs(),
        job_labels=JOB_LABELS,
        planning_failures=queries.planning_failures(),
        planning_labels=PLANNING_LABELS,
    )


@bp.get("/admin/outbox/<int:message_id>")
@require(permissions.can_manage_outbox)
def outbox_message(message_id: int) -> ResponseReturnValue:
    """One message: its kind, subject, status and history in words, the codes below; never
    its body (it may hold a citizen's name), the recipient masked as in the list."""
    message = queries.outbox_message(message_id)
    if message is None:
        abort(404)
    return render_template(
        "reminders/outbox_message.html",
        message=message,
        row=message.row,
        back=_list_arguments(),
        retry_form=RetryForm(),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        language_names=LANGUAGE_NAMES,
    )


def _list_arguments() -> dict[str, str]:
    """The list's filters and page, carried through a detail page and a retry; only these
    names, so nothing else in a query string reaches url_for."""
    return {key: value for key in ("status", "kind", "page") if (value := request.args.get(key))}


@bp.post("/admin/outbox/<int:message_id>/retry")
@require(permissions.can_manage_outbox)
def retry(message_id: int) -> ResponseReturnValue:
    form = RetryForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                outbox_services.retry_message(
                    actor=current_user, message_id=message_id, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The message is back in the queue. Its status is below."), "success")
    if request.args.get("from") == "message":
        return redirect(url_for(".outbox_message", message_id=message_id, **_list_arguments()))
    return redirect(url_for(".outbox", **_list_arguments()))


@bp.route("/places/programmes/<int:programme_id>/reminders", methods=["GET", "POST"])
@require(permissions.can_open_reminder_settings)
def programme_settings(programme_id: int) -> ResponseReturnValue:
    defaults = Settings.from_config(current_app.config)
    current = settings_services.programme_reminders(
        actor=current_user, programme_id=programme_id, defaults=defaults
    )
    if request.method == "POST":
        form = ReminderSettingsForm()
    else:
        form = ReminderSettingsForm(data=_form_values(current.settings))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                settings_services.save_programme_settings(
                    actor=current_user,
                    programme_id=programme_id,
                    data=_settings_input(form),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The reminder settings of this programme are saved."), "success")
            return redirect(url_for(".programme_settings", programme_id=programme_id))
    return render_template(
        "reminders/settings.html",
        form=form,
        current=current,
        programme=current.programme,
        use_defaults_form=UseDefaultsForm(formdata=None),
    ), 422 if request.method == "POST" else 200


@bp.post("/places/programmes/<int:programme_id>/reminders/defaults")
@require(permissions.can_open_reminder_settings)
def use_defaults(programme_id: int) -> ResponseReturnValue:
    if UseDefaultsForm().validate_on_submit():
        with unit_of_work():
            settings_services.use_default_settings(actor=current_user, programme_id=programme_id)
        flash(_("This programme uses the default reminder settings again."), "success")
    return redirect(url_for(".programme_settings", programme_id=programme_id))


def _form_values(settings: Settings) -> dict[str, Any]:
    return {
        "citizen_days_before": str(settings.citizen_days_before),
        "same_morning_sms": settings.same_morning_sms,
        "same_morning_at": settings.same_morning_at.strftime("%H:%M"),
        "shift_days_before": str(settings.shift_days_before),
        "training_days_before": str(settings.training_days_before),
        "understaffed_alert_days": ", ".join(str(d) for d in settings.understaffed_alert_days),
        "help_log_nudge": settings.help_log_nudge,
        "help_log_nudge_at": settings.help_log_nudge_at.strftime("%H:%M"),
        "weekly_digest": settings.weekly_digest,
    }


def _settings_input(form: ReminderSettingsForm) -> settings_services.SettingsInput:
    return settings_services.SettingsInput(
        citizen_days_before=form.citizen_days_before.data,
        same_morning_sms=bool(form.same_morning_sms.data),
        same_morning_at=form.same_morning_at.data,
        shift_days_before=form.shift_days_before.data,
        training_days_before=form.training_days_before.data,
        understaffed_alert_days=form.understaffed_alert_days.data,
        help_log_nudge=bool(form.help_log_nudge.data),
        help_log_nudge_at=form.help_log_nudge_at.data,
        weekly_digest=bool(form.weekly_digest.data),
    )


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
