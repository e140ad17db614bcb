"""Signing in and out, two-step verification, password reset, e-mail links, one's own account.

The views own the Flask session: the server-side session token after a full sign-in, and the
half-finished sign-in (user id, start time) between the password and the second factor.
`login_user` is only called once every factor is given.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from digicoach.accounts import rules, services, sessions, twofactor, unlock
from digicoach.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordCheckForm,
    ProfileForm,
    ResetPasswordForm,
    apply_errors,
)
from digicoach.accounts.models import User
from digicoach.accounts.services import signing_in
from digicoach.accounts.services.signing_in import SignInOutcome, Step
from digicoach.core import clock, i18n
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm
from digicoach.core.permissions import authenticated, public
from digicoach.extensions import db, limiter

bp = Blueprint("accounts", __name__)

PENDING_KEY = "pending_sign_in"
# Public forms that send mail or check passwords; the database throttle is the real guard.
PUBLIC_POST_LIMIT = "20 per minute"


def _me() -> User:
    """The signed-in user itself, not Flask-Login's proxy (the audit log records its type)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _next_path(target: str | None) -> str:
    """Where a completed sign-in goes: a safe `next` first; else staff and digicoaches land
    on their workspace home (/work, for anyone with a role), everyone else on the home page."""
    safe = rules.safe_next_path(target)
    if safe:
        return safe
    if current_user.is_authenticated and current_user.roles:
        return url_for("workspace.home")
    return url_for("content.home")


def _no_store(body: str, status: int = 200) -> Response:
    """Secrets and recovery codes must not stay in a browser or proxy cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the session -------------------------------------------------------------------------


def _establish(outcome: SignInOutcome, remember: bool) -> None:
    """Start the signed-in Flask session: a fresh one, so no earlier value survives (fixation)."""
    session.clear()
    session[sessions.SESSION_KEY] = outcome.session_token
    session.permanent = remember
    user = db.session.get(User, outcome.user_id)
    login_user(user)


def _start_pending(outcome: SignInOutcome, remember: bool, next_path: str | None) -> None:
    session.clear()
    session[PENDING_KEY] = {
        "user_id": outcome.user_id,
        "started_at": clock.now().timestamp(),
        "remember": remember,
        "next": rules.safe_next_path(next_path),
    }


def _pending() -> dict[str, Any] | None:
    """The half-finished sign-in, while it is fresh (ten minutes)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    started_at = pending.get("started_at")
    if not isinstance(started_at, int | float) or not rules.pending_sign_in_is_fresh(
        started_at, clock.now()
    ):
        session.pop(PENDING_KEY, None)
        return None
    return pending


def _pending_expired() -> ResponseReturnValue:
    flash(_("Signing in took too long. Please sign in again."), "warning")
    return redirect(url_for(".login"))


# --- signing in and out ------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_path(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = rules.safe_next_path(request.args.get("next")) or ""
    status = 200
    if form.validate_on_submit():
        remember = bool(form.remember.data)
        with unit_of_work():
            outcome = signing_in.sign_in_with_password(
                email=form.email.data,
                password=form.password.data,
                remember=remember,
                ip=request.remote_addr,
                now=clock.now(),
            )
        if outcome.step is Step.SIGNED_IN:
            _establish(outcome, remember)
            return redirect(_next_path(form.next.data))
        if outcome.step in (Step.CODE, Step.SETUP):
            _start_pending(outcome, remember, form.next.data)
            endpoint = ".two_factor" if outcome.step is Step.CODE else ".two_factor_setup"
            return redirect(url_for(endpoint))
        form.form_errors.append(outcome.error)
        status = 429 if outcome.throttled else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@public
def logout() -> ResponseReturnValue:
    token = session.get(sessions.SESSION_KEY)
    user = _me() if current_user.is_authenticated else None
    with unit_of_work():
        signing_in.sign_out(user=user, token=token, now=clock.now())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for(".login"))


@bp.route("/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def two_factor() -> ResponseReturnValue:
    pending = _pending()
    if pending is None:
        return _pending_expired()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work():
            outcome = signing_in.sign_in_with_code(
                user_id=pending["user_id"],
                code=form.code.data,
                remember=bool(pending.get("remember")),
                ip=request.remote_addr,
                now=clock.now(),
            )
        if outcome.step is Step.SIGNED_IN:
            _establish(outcome, bool(pending.get("remember")))
            return redirect(_next_path(pending.get("next")))
        form.code.errors = [outcome.error]
        status = 429 if outcome.throttled else 200
    return render_template("accounts/two_factor.html", form=form), status


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def two_factor_setup() -> ResponseReturnValue:
    """Set up two-step verification: halfway through signing in, or from one's account."""
    pending = _pending()
    user = services.load_pending_user(pending["user_id"]) if pending else None
    if user is None and current_user.is_authenticated:
        user = _me()
    if user is None:
        return _pending_expired()
    if user.totp_enabled_at is not None:
        return redirect(url_for(".two_factor" if pending else ".security"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        if pending:
            remember = bool(pending.get("remember"))
            with unit_of_work():
                outcome = signing_in.sign_in_after_setup(
                    user_id=user.id,
                    code=form.code.data,
                    remember=remember,
                    ip=request.remote_addr,
                    now=clock.now(),
                )
            if outcome.step is Step.SIGNED_IN:
                _establish(outcome, remember)
                return _show_recovery_codes(outcome.recovery_codes, _next_path(pending.get("next")))
            form.code.errors = [outcome.error]
            status = 429 if outcome.throttled else 200
        else:
            try:
                with unit_of_work():
                    codes = signing_in.enable_two_factor(
                        actor=user, code=form.code.data, now=clock.now()
                    )
            except ValidationFailed as error:
                apply_errors(form, error)
            else:
                return _show_recovery_codes(codes, url_for(".security"))
    with unit_of_work():
        secret = signing_in.begin_two_factor_setup(user, now=clock.now())
    uri = twofactor.provisioning_uri(secret, user.email)
    page = render_template(
        "accounts/two_factor_setup.html",
        form=form,
        grouped_secret=rules.group_secret(secret),
        qr=twofactor.qr_svg(uri, _("QR code for your authenticator app")),
        signing_in=bool(pending),
    )
    return _no_store(page, status)


def _show_recovery_codes(codes: list[str], continue_to: str) -> ResponseReturnValue:
    page = render_template("accounts/recovery_codes.html", codes=codes, continue_to=continue_to)
    return _no_store(page)


# --- forgotten password, e-mail links ----------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.request_password_reset(form.email.data, now=clock.now())
        return render_template("accounts/forgot_password_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


def _link_invalid() -> ResponseReturnValue:
    return render_template("accounts/link_invalid.html"), 404


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    user = services.password_reset_user(token, now=clock.now())
    if user is None:
        return _link_invalid()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.reset_password(token, password=form.password.data, now=clock.now())
        except ValidationFailed as error:
            apply_errors(form, error)
        except NotFound:
            return _link_invalid()
        else:
            flash(_("Your new password is saved. Sign in with it."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form, user=user)


@bp.route("/sign-in/unlock/<token>", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def unlock_sign_in(token: str) -> ResponseReturnValue:
    """The e-mailed link of an account attacked from many addresses: lift the slow-down and
    sign in, or go on to choose a new password. Confirmed by a POST (mail scanners)."""
    user = unlock.unlock_link_user(token, now=clock.now())
    if user is None:
        return _link_invalid()
    form = ConfirmForm()
    if form.validate_on_submit():
        choose_password = request.form.get("choice") == "password"
        try:
            with unit_of_work():
                reset_token = unlock.unlock(token, choose_password=choose_password, now=clock.now())
        except NotFound:
            return _link_invalid()
        if reset_token is not None:
            return redirect(url_for(".reset_password", token=reset_token))
        flash(_("Signing in works normally again. Sign in with your password."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/unlock_sign_in.html", form=form, user=user)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str) -> ResponseReturnValue:
    if not services.email_verification_is_valid(token, now=clock.now()):
        return _link_invalid()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.verify_email(token, now=clock.now())
        except NotFound:
            return _link_invalid()
        return render_template("accounts/email_verified.html")
    return render_template("accounts/verify_email.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    user = services.invitation_user(token, now=clock.now())
    if user is None:
        return _link_invalid()
    form = AcceptInvitationForm(data={"name": user.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.accept_invitation(
                    token, name=form.name.data, password=form.password.data, now=clock.now()
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        except NotFound:
            return _link_invalid()
        else:
            flash(_("Your password is saved. Sign in with your e-mail address."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/accept_invitation.html", form=form, user=user)


# --- one's own account -------------------------------------------------------------------


def _security_page(status: int = 200, **forms: Any) -> ResponseReturnValue:
    user = _me()
    forms.setdefault("profile_form", ProfileForm(obj=user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("codes_form", PasswordCheckForm(prefix="codes", formdata=None))
    forms.setdefault("disable_form", PasswordCheckForm(prefix="disable", formdata=None))
    page = render_template(
        "accounts/security.html",
        user=user,
        unused_codes=signing_in.unused_recovery_codes(user),
        **forms,
    )
    return page, status


@bp.get("/account")
@authenticated
def security() -> ResponseReturnValue:
    return _security_page()


@bp.post("/account/profile")
@authenticated
def update_profile() -> ResponseReturnValue:
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_profile(
                    actor=_me(), name=form.name.data, language=form.language.data
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            i18n.reader_language_changed(current_user._get_current_object(), form.language.data)
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".security"))
    return _security_page(profile_form=form)


@bp.post("/account/password")
@authenticated
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.change_password(
                    actor=_me(),
                    current_password=form.current_password.data,
                    new_password=form.new_password.data,
                    keep_session_token=session.get(sessions.SESSION_KEY),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(
                _("Your new password is saved. You are signed out on your other devices."),
                "success",
            )
            return redirect(url_for(".security"))
    return _security_page(password_form=form)


@bp.post("/account/recovery-codes")
@authenticated
def regenerate_recovery_codes() -> ResponseReturnValue:
    form = PasswordCheckForm(prefix="codes")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                codes = signing_in.regenerate_recovery_codes(
                    actor=_me(), password=form.password.data, now=clock.now()
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".security"))
        else:
            return _show_recovery_codes(codes, url_for(".security"))
    return _security_page(codes_form=form)


@bp.post("/account/two-factor/disable")
@authenticated
def disable_two_factor() -> ResponseReturnValue:
    form = PasswordCheckForm(prefix="disable")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                signing_in.disable_two_factor(
                    actor=_me(), password=form.password.data, now=clock.now()
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("Two-step verification is off."), "success")
            return redirect(url_for(".security"))
    return _security_page(disable_form=form)
