"""Pages under /helpdesk/ (planning, the staffing board, shifts), the calendar feeds under
/feeds/, and the public digipunt pages under /digipunten.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
Reads go through `queries`, which answer NotFound (404) for ids outside the actor's scope.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import clock, vocabulary
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm, read_filter_form, show_errors
from digicoach.core.page_cache import kept_public_page
from digicoach.core.paging import page_number
from digicoach.core.permissions import public, require
from digicoach.extensions import limiter
from digicoach.helpdesk import feeds, invitations, queries, rules, wording
from digicoach.helpdesk.forms import (
    REPEAT_NONE,
    AssignForm,
    CancelSessionForm,
    EditSessionForm,
    MyShiftsFilterForm,
    NewSessionForm,
    SessionDetailsForm,
    ShiftFilterForm,
)
from digicoach.helpdesk.models import HelpSession
from digicoach.helpdesk.permissions import can_plan_help_sessions, can_take_shifts
from digicoach.helpdesk.services import (
    calendar_feeds,
    cancelling,
    editing,
    planning,
    shifts,
)
from digicoach.helpdesk.services import invitations as invitation_links
from digicoach.helpdesk.services.common import AppointmentsAffected
from digicoach.places import queries as place_queries

bp = Blueprint("helpdesk", __name__, url_prefix="/helpdesk")
feeds_bp = Blueprint("feeds", __name__, url_prefix="/feeds")
public_bp = Blueprint("digipunten", __name__, url_prefix="/digipunten")


# Globals, not a context processor: imported macros (helpdesk/_macros.html) see globals only.
@bp.app_template_global("topic_labels")
def _topic_labels(codes: list[str]) -> list[str]:
    return vocabulary.labels(vocabulary.TOPICS, codes)


@bp.app_template_global("language_labels")
def _language_labels(codes: list[str]) -> list[str]:
    return vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, codes)


@bp.app_template_filter("period")
def _period_filter(session: Any) -> str:
    return wording.period(session.starts_at, session.ends_at)


@bp.app_template_filter("hours")
def _hours_filter(session: Any) -> str:
    return wording.hours(session.starts_at, session.ends_at)


def _form_status() -> int:
    """A form shown again after a failed submission answers 422, as the API does."""
    return 422 if request.method == "POST" else 200


def _my_coach() -> Coach:
    coach = coach_services.coach_of(current_user)
    if coach is None:
        raise NotFound("coach")
    return coach


def _session_input(form: SessionDetailsForm, location_id: int | None) -> planning.SessionInput:
    return planning.SessionInput(
        location_id=location_id,
        day=form.day.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        mode=form.mode.data or "",
        slot_minutes=form.slot_minutes.data,
        citizens_per_slot=form.citizens_per_slot.data,
        coaches_min=form.coaches_min.data,
        coaches_max=form.coaches_max.data,
        topics=tuple(form.topics.data or ()),
        languages=tuple(form.languages.data or ()),
        notes=form.notes.data or "",
    )


# --- planning (coordinators) ------------------------------------------------------------------


@bp.get("/board")
@require(can_plan_help_sessions)
def board() -> ResponseReturnValue:
    """One week of the board (`?week=0` to 3; anything else shows this week)."""
    now = clock.now()
    week = request.args.get("week", 0, type=int)
    if week not in range(queries.BOARD_WEEKS):
        week = 0
    return render_template(
        "helpdesk/board.html",
        board=queries.board(current_user, now=now, week=week),
        confirm_form=ConfirmForm(),
        now=now,
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@require(can_plan_help_sessions)
def new_session() -> ResponseReturnValue:
    form = NewSessionForm()
    locations = place_queries.locations_in_scope(current_user, active=True)
    form.location_id.choices = [SelectChoice("", _("Choose a digital help point"))] + [
        SelectChoice(loc.id, f"{loc.name} ({loc.municipality.name})") for loc in locations
    ]
    location_id = parse_id(request.args.get("location_id"))
    if request.method == "GET" and location_id is not None:
        form.location_id.data = location_id
    if form.validate_on_submit():
        data = _session_input(form, form.location_id.data)
        try:
            with unit_of_work():
                if form.repeat.data == REPEAT_NONE:
                    sessions = [
                        planning.create_session(actor=current_user, data=data, now=clock.now())
                    ]
                else:
                    sessions = planning.create_series(
                        actor=current_user,
                        data=data,
                        repeat=planning.Repeat(
                            weekdays=tuple(form.weekdays.data or ()),
                            every_weeks=int(form.repeat.data),
                            until=form.until.data,
                            count=form.count.data,
                        ),
                        now=clock.now(),
                    )
                count = len(sessions)
                first_id = sessions[0].id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(
                ngettext(
                    "%(num)d help session is planned.", "%(num)d help sessions are planned.", count
                ),
                "success",
            )
            return redirect(url_for(".session", session_id=first_id))
    return render_template("helpdesk/session_form.html", form=form), _form_status()


@bp.get("/sessions/<int:session_id>")
@require(can_plan_help_sessions)
def session(session_id: int) -> ResponseReturnValue:
    found = queries.get_session_for_staff(current_user, session_id)
    assign_form = AssignForm()
    assign_form.coach_id.choices = _coach_choices(found)
    return render_template(
        "helpdesk/session.html",
        session=found,
        staffing=queries.staffing_of(found),
        shifts=queries.active_shifts(found),
        assign_form=assign_form,
        confirm_form=ConfirmForm(),
        now=clock.now(),
    )


def _coach_choices(found: HelpSession) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Choose a digicoach"))]
    for coach in queries.assignable_coaches(current_user, found):
        label = f"{coach.user.name} ({coach.status_label})"
        choices.append(SelectChoice(coach.id, label))
    return choices


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@require(can_plan_help_sessions)
def edit_session(session_id: int) -> ResponseReturnValue:
    found = queries.get_session_for_staff(current_user, session_id)
    form = EditSessionForm()
    # How many booked appointments the last try would have left without a place (the choice
    # what to do with them is shown only then, or once made).
    affected_count = None
    if request.method == "GET":
        _fill(form, found)
    elif form.validate_on_submit():
        try:
            with unit_of_work():
                changed = editing.update_session(
                    actor=current_user,
                    session=found,
                    data=_session_input(form, found.location_id),
                    now=clock.now(),
                    following=form.scope.data == "following",
                    affected=form.affected.data or None,
                )
                count = len(changed)
        except AppointmentsAffected as error:
            show_errors(form, error)
            affected_count = error.affected
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".session", session_id=session_id))
        else:
            flash(
                ngettext(
                    "%(num)d help session is changed.", "%(num)d help sessions are changed.", count
                ),
                "success",
            )
            return redirect(url_for(".session", session_id=session_id))
    return (
        render_template(
            "helpdesk/edit_session.html",
            form=form,
            session=found,
            affected_count=affected_count,
        ),
        _form_status(),
    )


def _fill(form: EditSessionForm, found: HelpSession) -> None:
    local_start, local_end = clock.local(found.starts_at), clock.local(found.ends_at)
    form.day.data = local_start.date()
    form.start_time.data = local_start.time().replace(tzinfo=None)
    form.end_time.data = local_end.time().replace(tzinfo=None)
    form.mode.data = found.mode
    form.slot_minutes.data = found.slot_minutes
    form.citizens_per_slot.data = found.citizens_per_slot
    form.coaches_min.data = found.coaches_min
    form.coaches_max.data = found.coaches_max
    form.topics.data = found.topics
    form.languages.data = found.languages
    form.notes.data = found.notes


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@require(can_plan_help_sessions)
def cancel_session(session_id: int) -> ResponseReturnValue:
    found = queries.get_session_for_staff(current_user, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cancelling.cancel_session(
                    actor=current_user, session=found, reason=form.reason.data, now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".session", session_id=session_id))
        else:
            flash(_("The help session is cancelled. The digicoaches are told."), "success")
            return redirect(url_for(".session", session_id=session_id))
    return (
        render_template(
            "helpdesk/cancel_session.html",
            form=form,
            session=found,
            shifts=queries.active_shifts(found),
        ),
        _form_status(),
    )


@bp.post("/sessions/<int:session_id>/invite")
@require(can_plan_help_sessions)
def invite(session_id: int) -> ResponseReturnValue:
    found = queries.get_session_for_staff(current_user, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                outcome = invitations.invite_matching_coaches(
                    actor=current_user, session=found, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
        else:
            if outcome.invited:
                flash(
                    ngettext(
                        "%(num)d matching digicoach is invited.",
                        "%(num)d matching digicoaches are invited.",
                        outcome.invited,
                    ),
                    "success",
                )
            else:
                _flash_why_nobody(invitations.explain(outcome, found))
    if request.form.get("back") == "session":
        return redirect(url_for(".session", session_id=session_id))
    week = queries.board_week_of(found, now=clock.now())
    return redirect(url_for(".board", week=week or None, _anchor=f"session-{session_id}"))


def _flash_why_nobody(why: invitations.Explanation | None) -> None:
    reason = why.reason if why else ""
    flash(_("No new matching digicoach to invite. %(reason)s", reason=reason).strip(), "warning")
    if why and why.near:
        nearest = "; ".join(f"{name} ({lacks})" for name, lacks in why.near)
        flash(_("Nearly fitting: %(coaches)s.", coaches=nearest), "warning")


@bp.post("/sessions/<int:session_id>/assign")
@require(can_plan_help_sessions)
def assign(session_id: int) -> ResponseReturnValue:
    found = queries.get_session_for_staff(current_user, session_id)
    candidates = {c.id: c for c in queries.assignable_coaches(current_user, found)}
    form = AssignForm()
    form.coach_id.choices = _coach_choices(found)
    coach = candidates.get(form.coach_id.data) if form.validate_on_submit() else None
    if coach is None:
        flash(_("Choose a digicoach from the list."), "error")
        return redirect(url_for(".session", session_id=session_id))
    try:
        with unit_of_work():
            shifts.sign_up(
                actor=current_user,
                coach=coach,
                session=found,
                now=clock.now(),
                as_shadow=rules.joins_as_shadow(coach.status),
            )
            name = coach.user.name
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s is on the help session.", name=name), "success")
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/shifts/<int:shift_id>/remove")
@require(can_plan_help_sessions)
def remove_shift(shift_id: int) -> ResponseReturnValue:
    shift = queries.get_shift_for_staff(current_user, shift_id)
    session_id = shift.session_id
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                shifts.cancel_shift(actor=current_user, shift=shift, now=clock.now())
                name = shift.coach.user.name
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is no longer on the help session.", name=name), "success")
    return redirect(url_for(".session", session_id=session_id))


# --- coaches ----------------------------------------------------------------------------------


def _neighbourhood_label(neighbourhood: Any, coach: Any) -> str:
    """A coach who serves several municipalities sees which one each neighbourhood is in."""
    if len(coach.served_municipality_ids) > 1:
        return f"{neighbourhood.municipality.name}: {neighbourhood.name}"
    return str(neighbourhood.name)


@bp.get("/shifts")
@require(can_take_shifts)
def find_shifts() -> ResponseReturnValue:
    coach = _my_coach()
    form = ShiftFilterForm(request.args)
    neighbourhoods = queries.neighbourhoods_of_coach(coach)
    form.neighbourhood_id.choices = [
        SelectChoice("", _("All neighbourhoods")),
        *(SelectChoice(n.id, _neighbourhood_label(n, coach)) for n in neighbourhoods),
    ]
    form.topic.choices = [
        SelectChoice("", _("All topics")),
        *vocabulary.select_choices(vocabulary.TOPICS),
    ]
    reading = read_filter_form(form, request.args)
    filters = queries.ShiftFilters(
        neighbourhood_id=form.neighbourhood_id.data,
        day=form.day.data,
        topic=form.topic.data or None,
    )
    return render_template(
        "helpdesk/find_shifts.html",
        coach=coach,
        form=form,
        reading=reading,
        offers=queries.open_sessions_for_coach(
            coach, filters, now=clock.now(), page=page_number(request.args)
        ),
        confirm_form=ConfirmForm(),
        in_training=coach.status == "in_training",
    )


@bp.post("/sessions/<int:session_id>/sign-up")
@require(can_take_shifts)
def sign_up(session_id: int) -> ResponseReturnValue:
    coach = _my_coach()
    found = queries.get_session_for_coach(coach, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                shift = shifts.sign_up(
                    actor=current_user,
                    coach=coach,
                    session=found,
                    now=clock.now(),
                    as_shadow=request.form.get("as_shadow") == "1",
                )
                shadow = shift.as_shadow
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".find_shifts"))
        flash(
            _("You are on it as a shadow. Thank you!")
            if shadow
            else _("You are signed up. Thank you!"),
            "success",
        )
        return redirect(url_for(".my_shifts"))
    return redirect(url_for(".find_shifts"))


@bp.get("/my-shifts")
@require(can_take_shifts)
def my_shifts() -> ResponseReturnValue:
    coach = _my_coach()
    now = clock.now()
    cutoff = int(current_app.config["SHIFT_CANCEL_CUTOFF_HOURS"])
    form = MyShiftsFilterForm(request.args)
    reading = read_filter_form(form, request.args)
    when = queries.PAST if form.when.data == queries.PAST else queries.UPCOMING
    return render_template(
        "helpdesk/my_shifts.html",
        coach=coach,
        when=when,
        reading=reading,
        counts=queries.count_my_shifts(coach, now=now),
        shifts=queries.my_shifts(coach, now=now, when=when, page=page_number(request.args)),
        can_cancel=lambda shift: rules.may_cancel_shift(
            starts_at=shift.session.starts_at, now=now, cutoff_hours=cutoff
        ),
        cutoff=cutoff,
        feed=queries.feed_of(coach),
        confirm_form=ConfirmForm(),
    )


@bp.post("/my-shifts/<int:shift_id>/cancel")
@require(can_take_shifts)
def cancel_my_shift(shift_id: int) -> ResponseReturnValue:
    shift = queries.get_own_shift(_my_coach(), shift_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                shifts.cancel_shift(actor=current_user, shift=shift, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Your shift is cancelled. Thank you for letting us know in time."), "success")
    return redirect(url_for(".my_shifts"))


@bp.get("/my-shifts/<int:shift_id>.ics")
@require(can_take_shifts)
def shift_calendar(shift_id: int) -> ResponseReturnValue:
    shift = queries.get_own_shift(_my_coach(), shift_id)
    if not shift.is_active or shift.session.is_cancelled:
        raise NotFound(shift_id)
    body = feeds.events_calendar([feeds.shift_event(shift)], now=clock.now())
    return feeds.response(body, f"shift-{shift.id}.ics")


@bp.post("/my-shifts/calendar-address")
@require(can_take_shifts)
def create_feed() -> ResponseReturnValue:
    coach = _my_coach()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".my_shifts"))
    with unit_of_work():
        token = calendar_feeds.create_calendar_feed(
            actor=current_user, coach=coach, now=clock.now()
        )
    address = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "feeds.coach_feed", token=token
    )
    return render_template("helpdesk/feed_created.html", address=address)


@bp.post("/my-shifts/calendar-address/revoke")
@require(can_take_shifts)
def revoke_feed() -> ResponseReturnValue:
    coach = _my_coach()
    if ConfirmForm().validate_on_submit():
        with unit_of_work():
            calendar_feeds.revoke_calendar_feed(actor=current_user, coach=coach, now=clock.now())
        flash(_("Your calendar address is switched off."), "success")
    return redirect(url_for(".my_shifts"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@require(can_take_shifts)
def invitation(token: str) -> ResponseReturnValue:
    """The link in an invitation: GET shows the session and one button; POST signs up."""
    found = invitation_links.invitation_session(actor=current_user, token=token, now=clock.now())
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work():
                invitation_links.accept_invitation(actor=current_user, token=token, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".find_shifts"))
        flash(_("You are signed up. Thank you!"), "success")
        return redirect(url_for(".my_shifts"))
    return render_template(
        "helpdesk/invitation.html",
        session=found,
        staffing=queries.staffing_of(found),
        form=form,
    )


# --- calendar feeds ---------------------------------------------------------------------------


@feeds_bp.get("/coach/<token>.ics")
@public
@limiter.limit("60 per minute")
def coach_feed(token: str) -> ResponseReturnValue:
    coach = queries.coach_by_feed_token(token)
    if coach is None:
        raise NotFound("feed")
    body = feeds.coach_calendar(coach, now=clock.now())
    return feeds.response(body, "digicoach.ics", download=False)


@feeds_bp.get("/location/<int:location_id>.ics")
@public
def location_feed(location_id: int) -> ResponseReturnValue:
    location = place_queries.active_location(location_id)
    body = feeds.location_calendar(location, now=clock.now())
    return feeds.response(body, f"digipunt-{location.id}.ics", download=False)


# --- public digipunt pages --------------------------------------------------------------------


@public_bp.get("")
@public
def digipunten() -> ResponseReturnValue:
    return render_template(
        "helpdesk/digipunten.html", groups=place_queries.active_locations_by_municipality()
    )


@public_bp.get("/<int:location_id>")
@public
@kept_public_page()
def digipunt(location_id: int) -> ResponseReturnValue:
    location = place_queries.active_location(location_id)
    return render_template(
        "helpdesk/digipunt.html",
        location=location,
        sessions=queries.coming_sessions(location, now=clock.now()),
        weeks=queries.BOARD_WEEKS,
    )


@public_bp.get("/sessions/<int:session_id>.ics")
@public
def session_calendar(session_id: int) -> ResponseReturnValue:
    found = queries.public_session(session_id)
    body = feeds.events_calendar([feeds.session_event(found)], now=clock.now())
    return feeds.response(body, f"help-session-{found.id}.ics")
