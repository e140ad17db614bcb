"""Attendance (trainer and staff): the marks and the self check-in code."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core import clock
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm
from digicoach.core.permissions import authenticated
from digicoach.training import queries, rules
from digicoach.training.services import attendance as attendance_services
from digicoach.training.views.blueprint import bp


@bp.get("/teaching")
@authenticated
def teaching() -> ResponseReturnValue:
    cohorts = queries.cohorts_taught_by(current_user)
    return render_template("training/teaching.html", cohorts=cohorts, now=clock.now())


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@authenticated
def attendance(session_id: int) -> ResponseReturnValue:
    session = queries.get_session_for_attendance(current_user, session_id)
    form = ConfirmForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if "all_present" in request.form:
                    attendance_services.mark_all_present(
                        actor=current_user, session=session, now=clock.now()
                    )
                else:
                    attendance_services.record_attendance(
                        actor=current_user,
                        session=session,
                        marks=_parse_marks(request.form),
                        now=clock.now(),
                    )
        except ValidationFailed as error:
            problems = [m for messages in error.errors.values() for m in messages]
        except Conflict as error:
            problems = [error.message]
        else:
            flash(_("The attendance is saved."), "success")
            return redirect(url_for(".attendance", session_id=session_id))
    form.form_errors.extend(problems)  # the layout's summary, first in <main>
    return render_template(
        "training/attendance.html",
        session=session,
        cohort=session.cohort,
        lines=queries.attendance_grid(session),
        form=form,
        problems=problems,
        marks=rules.ATTENDANCE_MARKS,
        check_in_open=rules.check_in_is_open(
            starts_at=session.starts_at, ends_at=session.ends_at, now=clock.now()
        ),
    ), (422 if problems else 200)


def _parse_marks(form: Any) -> dict[int, str]:
    """`mark-<coach id>` radio values; anything else unreadable becomes an invalid mark."""
    marks: dict[int, str] = {}
    for name, value in form.items():
        if not name.startswith("mark-"):
            continue
        coach_id = parse_id(name.removeprefix("mark-"))
        # -1 is no coach: the service refuses the whole form rather than skip the mark.
        marks[coach_id if coach_id is not None else -1] = value
    return marks


@bp.post("/sessions/<int:session_id>/check-in-code")
@authenticated
def check_in_code(session_id: int) -> ResponseReturnValue:
    session = queries.get_session_for_attendance(current_user, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                attendance_services.open_check_in(
                    actor=current_user, session=session, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
    return redirect(url_for(".attendance", session_id=session_id))
