"""Admin pages: the user list, inviting users, a user's roles and scope, the audit log, and the
installation's name, logo and colour.

The rules (who may, what is allowed, what is audited) live in `accounts.services`; these views
parse forms, call one service, and render.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.accounts import services, unlock
from digicoach.accounts.forms import apply_errors
from digicoach.accounts.models import Role, User
from digicoach.accounts.services import signing_in
from digicoach.admin import queries, rules
from digicoach.admin import services as admin_services
from digicoach.admin.forms import (
    ROLE_LABELS,
    ActionForm,
    AuditFilterForm,
    InstallationForm,
    InviteForm,
    RolesForm,
    UserFilterForm,
)
from digicoach.admin.permissions import (
    can_manage_installation,
    can_manage_users,
    can_view_audit_log,
)
from digicoach.core import clock, installation
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import read_filter_form
from digicoach.core.paging import page_number
from digicoach.core.permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _filter_arguments() -> dict[str, str]:
    """The current filters, for the links to the previous and next page."""
    return {key: value for key, value in request.args.items() if key != "page" and value}


# --- users -------------------------------------------------------------------------------


@bp.get("/users")
@require(can_manage_users)
def users() -> ResponseReturnValue:
    municipalities = queries.municipality_choices()
    form = UserFilterForm(request.args)
    form.municipality.choices = [SelectChoice("", _("All municipalities"))] + [
        SelectChoice(str(id_), name) for id_, name in municipalities
    ]
    page = None
    if form.validate():
        filters = queries.UserFilters(
            search=form.q.data or "",
            role=Role(form.role.data) if form.role.data else None,
            municipality_id=parse_id(form.municipality.data),
            active={"yes": True, "no": False}.get(form.active.data or ""),
        )
        page = queries.users(filters, _page_number())
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        arguments=_filter_arguments(),
        municipality_names=dict(municipalities),
        role_labels=ROLE_LABELS,
        invitation_pending=services.invitation_is_pending,
        slowdowns=unlock.slowdowns(page.items, now=clock.now()) if page else {},
    )


def _with_municipalities(form: RolesForm) -> RolesForm:
    form.municipalities.choices = [
        SelectChoice(str(id_), name) for id_, name in queries.municipality_choices()
    ]
    return form


@bp.route("/users/invite", methods=["GET", "POST"])
@require(can_manage_users)
def invite() -> ResponseReturnValue:
    form = _with_municipalities(InviteForm())
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.invite_user(
                    actor=_me(),
                    email=form.email.data,
                    name=form.name.data,
                    roles=[Role(role) for role in form.roles.data or ()],
                    municipality_ids=form.municipalities.data or (),
                    language=form.language.data,
                    now=clock.now(),
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            # The same words whether or not the address had an account (no enumeration).
            flash(
                _("The invitation to %(email)s is on its way.", email=form.email.data.strip()),
                "success",
            )
            return redirect(url_for(".users"))
    return render_template("admin/invite.html", form=form)


def _user_page(user: User, form: RolesForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "admin/user.html",
        user=user,
        form=form,
        action_form=ActionForm(formdata=None),
        municipality_names=dict(queries.municipality_choices()),
        role_labels=ROLE_LABELS,
        invitation_pending=services.invitation_is_pending(user),
        unused_codes=signing_in.unused_recovery_codes(user),
        slowdown=unlock.slowdown(user, now=clock.now()),
    )
    return page, status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(can_manage_users)
def user(user_id: int) -> ResponseReturnValue:
    target = services.get_user(actor=_me(), user_id=user_id)
    form = RolesForm(
        data=None
        if request.method == "POST"
        else {
            "roles": [role.value for role in target.roles],
            "municipalities": sorted(target.municipality_ids),
        }
    )
    _with_municipalities(form)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.change_roles(
                    actor=_me(),
                    user=target,
                    roles=[Role(role) for role in form.roles.data or ()],
                    municipality_ids=form.municipalities.data or (),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Roles and municipalities are saved."), "success")
            return redirect(url_for(".user", user_id=user_id))
    return _user_page(target, form)


def _user_action(user_id: int, action: str) -> ResponseReturnValue:
    target = services.get_user(actor=_me(), user_id=user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if action == "resend":
                    services.resend_invitation(actor=_me(), user=target, now=clock.now())
                else:
                    services.set_active(
                        actor=_me(), user=target, active=action == "reactivate", now=clock.now()
                    )
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(
                {
                    "resend": _("A new invitation is on its way."),
                    "deactivate": _("The account is deactivated and signed out everywhere."),
                    "reactivate": _("The account is active again."),
                }[action],
                "success",
            )
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
@require(can_manage_users)
def deactivate(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, "deactivate")


@bp.post("/users/<int:user_id>/reactivate")
@require(can_manage_users)
def reactivate(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, "reactivate")


@bp.post("/users/<int:user_id>/clear-sign-in-slowdown")
@require(can_manage_users)
def clear_sign_in_slowdown(user_id: int) -> ResponseReturnValue:
    """Lift the slow-down of a user's sign-in (audited); for the owner who phoned the desk."""
    target = services.get_user(actor=_me(), user_id=user_id)
    if ActionForm().validate_on_submit():
        with unit_of_work():
            cleared = unlock.clear(actor=_me(), user=target, now=clock.now())
        flash(
            _("Signing in works normally again for this person.")
            if cleared
            else _("Signing in was not slowed for this person."),
            "success" if cleared else "warning",
        )
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/resend-invitation")
@require(can_manage_users)
def resend_invitation(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, "resend")


# --- the audit log -----------------------------------------------------------------------


@bp.get("/audit")
@require(can_view_audit_log)
def audit_log() -> ResponseReturnValue:
    """The log, in words, filtered by the query string (never a field error: a link or an old
    bookmark is not a wrong answer) and cut in SQL, 25 events a page."""
    form = AuditFilterForm(request.args)
    # A user with no event yet is a valid filter with an empty result ("What this user did").
    asked_actor = parse_id(request.args.get("actor"))
    form.actor.choices = [SelectChoice("", _("Everyone"))] + [
        SelectChoice(str(id_), label) for id_, label in queries.audit_actors(also=asked_actor)
    ]
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(code, label)
        for code, label in queries.audit_actions(also=request.args.get("action"))
    ]
    form.object_type.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(code, label)
        for code, label in queries.audit_object_types(also=request.args.get("object_type"))
    ]
    reading = read_filter_form(form, request.args)
    filters = queries.AuditFilters(
        actor_id=parse_id(form.actor.data),
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    page = queries.audit_events(filters, page_number(request.args))
    arguments = _audit_arguments()
    actor_label = next(
        (choice.label for choice in form.actor.choices if choice.value == form.actor.data), ""
    )
    return render_template(
        "admin/audit_log.html",
        form=form,
        page=page,
        reading=reading,
        arguments=arguments,
        filter_arguments={key: value for key, value in arguments.items() if key != "page"},
        filtered=filters != queries.AuditFilters(),
        actor_label=actor_label if filters.actor_id is not None else None,
    )


@bp.get("/audit/<int:event_id>")
@require(can_view_audit_log)
def audit_event(event_id: int) -> ResponseReturnValue:
    """One event: everything the log holds about it, the codes too."""
    row = queries.audit_event(event_id)
    if row is None:
        abort(404)
    return render_template("admin/audit_event.html", row=row, back=_audit_arguments())


# The list's filters and page ride along to an event's page, so "back" returns to the same
# list; only these names, so nothing else in a query string reaches url_for.
_AUDIT_ARGUMENTS = ("actor", "action", "object_type", "date_from", "date_to", "page")


def _audit_arguments() -> dict[str, str]:
    return {key: value for key in _AUDIT_ARGUMENTS if (value := request.args.get(key, ""))}


# --- the installation's name, logo and colour --------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@require(can_manage_installation)
def settings() -> ResponseReturnValue:
    current = installation.branding()
    form = InstallationForm(
        data=None if request.method == "POST" else {"name": current.name, "colour": current.colour}
    )
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read(rules.LOGO_MAX_BYTES + 1) if upload and upload.filename else None
        change = admin_services.IdentityChange(
            name=form.name.data or "",
            colour=form.colour.data or "",
            logo=logo or None,
            remove_logo=bool(form.remove_logo.data),
        )
        try:
            with unit_of_work():
                admin_services.change_identity(actor=_me(), change=change, now=clock.now())
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("The name, logo and colour are saved."), "success")
            return redirect(url_for(".settings"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form), status
