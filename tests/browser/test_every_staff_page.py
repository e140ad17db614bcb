"""Every staff page, as each demo role, reflows at 320 px and passes axe at 320 and 1280 px.

The demo accounts sign in through the real sign-in form (the admin and the coordinator with a
two-step code from the demo secret), in Dutch and in French, and open every page of
`app.url_map` that is not public and answers GET, when the route's own access rule lets the
role in. Pages with URL values get them from the demo data through `URL_VALUES`: one object
the role may open, chosen with the features' own object-level predicates. Routes that are not
pages (downloads) are listed in `NOT_PAGES` with the reason. A new route with URL values and no
entry in either table fails the test, so no page escapes the walk.

On every page view: no 5xx (and no other error status), no sideways scrolling at 320 CSS
pixels (the page; a box inside it only as a named scroll region a keyboard reaches), and no
WCAG 2.1 A/AA violation found by axe-core at 320 and at 1280 pixels. A test
collects every failure of its role and language and reports them all at once.

The demo data are loaded once per module (seed-demo's steps, as `make run` does) into a
database that each test then copies, so every test still starts from the same data.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from digicoach import create_app
from digicoach.accounts import tokens, twofactor
from digicoach.accounts.models import User
from digicoach.accounts.permissions import in_scope, is_desk
from digicoach.allowances.models import Allowance
from digicoach.allowances.permissions import can_record_allowance_for, can_set_insurance
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.permissions import can_handle_appointment
from digicoach.cli import DEMO_ACCOUNTS, DEMO_TOTP_SECRET
from digicoach.coaches.models import Coach
from digicoach.coaches.permissions import can_manage_coach
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import DomainError
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helpdesk.permissions import can_manage_help_session
from digicoach.helpdesk.services.invitations import INVITE_PURPOSE
from digicoach.helplog import services as helplog_services
from digicoach.helplog.models import HelpLog
from digicoach.helplog.permissions import can_correct_help_log
from digicoach.homevisits import services as home_visit_services
from digicoach.homevisits.models import HomeVisit
from digicoach.homevisits.permissions import can_book_at, can_see_home_visit
from digicoach.loans.models import Device, Loan
from digicoach.loans.permissions import can_handle_device, can_handle_loan, can_lend_at
from digicoach.partners.models import Offer, Organisation
from digicoach.partners.permissions import (
    can_create_organisation,
    can_edit_offer,
    can_edit_organisation,
    can_manage_offers,
    can_view_organisation,
)
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme
from digicoach.places.permissions import (
    can_edit_location,
    can_edit_municipality,
    can_edit_neighbourhood,
    can_manage_locations,
    can_set_programme_phone,
    can_view_municipality,
    can_view_programme,
)
from digicoach.referrals.models import Referral
from digicoach.referrals.permissions import can_handle_referral
from digicoach.reminders.permissions import can_manage_reminder_settings
from digicoach.training.models import Certification, Cohort, TrainingModule, TrainingSession
from digicoach.training.permissions import (
    can_manage_cohort,
    can_record_attendance,
    can_view_certificate,
)
from tests.browser.conftest import CHROMIUM, LiveServer, axe_violations
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.browser

ROLES = ("admin", "coordinator", "desk", "coach", "partner")
LANGUAGES = ("nl", "fr")
NARROW, WIDE = 320, 1280

# GET routes that are not pages a person reads, with the reason.
NOT_PAGES: dict[str, str] = {
    "allowances.choose_coach": "a redirect to the chosen coach's allowances (a GET form)",
    "allowances.export_year": "an XLSX download",
    "recognition.certificate_pdf": "a PDF download",
    "recognition.hours_pdf": "a PDF download",
    "coaches.directory_export": "a CSV download",
    "rights.export_coach": "a JSON, XLSX or CSV download",
    "rights.export_own": "a JSON, XLSX or CSV download",
    "helpdesk.shift_calendar": "an iCalendar download",
    "organisations.mine": "a redirect to the partner staff member's own organisation page",
    "progress.export_file": "a CSV or XLSX download",
    "training.my_calendar": "an iCalendar download",
    "training.session_calendar": "an iCalendar download",
}

Values = dict[str, Any]


def _first(user: User, query: Any, allowed: Callable[[User, Any], bool]) -> Any:
    """The first row of `query` that `allowed(user, row)` lets the user open, or None."""
    return next((row for row in db.session.scalars(query) if allowed(user, row)), None)


def _values(**values: Any) -> list[Values]:
    """One page view with these URL values, or none when an object is missing (None)."""
    return [] if any(value is None for value in values.values()) else [values]


def _today() -> Any:
    return clock.now() - timedelta(hours=12)


def _coach_id(user: User) -> list[Values]:
    # The demo coach's page has the most on it (shifts, training, help logs).
    query = select(Coach).order_by(Coach.user_id != _demo_user("coach").id, Coach.id)
    coach = _first(user, query, can_manage_coach)
    return _values(coach_id=coach and coach.id)


def _allowance_coach_id(user: User) -> list[Values]:
    """A coach the user may record allowances for: one who has some, so the table shows."""
    query = select(Coach).order_by(
        Coach.id.not_in(select(Allowance.coach_id)), Coach.status != "active", Coach.id
    )
    coach = _first(
        user, query, lambda actor, c: can_record_allowance_for(actor, c, c.municipality_id)
    )
    return _values(coach_id=coach and coach.id)


def _help_session_id(user: User) -> list[Values]:
    """Today's (or the next) session the user plans: the busiest pages of the demo."""
    query = (
        select(HelpSession)
        .where(HelpSession.starts_at >= _today(), HelpSession.status == SessionStatus.PLANNED)
        .order_by(HelpSession.starts_at, HelpSession.id)
    )
    found = _first(user, query, can_manage_help_session)
    return _values(session_id=found and found.id)


def _appointment_id(user: User) -> list[Values]:
    query = (
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.BOOKED, Appointment.start >= clock.now())
        .order_by(Appointment.start, Appointment.id)
    )
    found = _first(user, query, can_handle_appointment)
    return _values(appointment_id=found and found.id)


def _help_log_id(user: User) -> list[Values]:
    found = _first(user, select(HelpLog).order_by(HelpLog.id.desc()), can_correct_help_log)
    return _values(log_id=found and found.id)


def _municipality_id(allowed: Callable[[User, int], bool]) -> Callable[[User], list[Values]]:
    def pick(user: User) -> list[Values]:
        found = _first(
            user, select(Municipality).order_by(Municipality.id), lambda u, m: allowed(u, m.id)
        )
        return _values(municipality_id=found and found.id)

    return pick


def _location_id(user: User) -> list[Values]:
    found = _first(user, select(Location).order_by(Location.id), can_edit_location)
    return _values(location_id=found and found.id)


def _neighbourhood_id(user: User) -> list[Values]:
    found = _first(user, select(Neighbourhood).order_by(Neighbourhood.id), can_edit_neighbourhood)
    return _values(neighbourhood_id=found and found.id)


def _programme_id(allowed: Callable[[User, Programme], bool]) -> Callable[[User], list[Values]]:
    def pick(user: User) -> list[Values]:
        found = _first(user, select(Programme).order_by(Programme.id), allowed)
        return _values(programme_id=found and found.id)

    return pick


def _organisation_id(
    allowed: Callable[[User, Organisation], bool],
) -> Callable[[User], list[Values]]:
    def pick(user: User) -> list[Values]:
        found = _first(user, select(Organisation).order_by(Organisation.id), allowed)
        return _values(organisation_id=found and found.id)

    return pick


def _offer_id(user: User) -> list[Values]:
    found = _first(user, select(Offer).order_by(Offer.id), can_edit_offer)
    return _values(offer_id=found and found.id)


def _cohort(user: User, allowed: Callable[[User, Cohort], bool]) -> Cohort | None:
    return _first(user, select(Cohort).order_by(Cohort.id), allowed)


def _cohort_id(user: User) -> list[Values]:
    cohort = _cohort(user, can_manage_cohort)
    return _values(cohort_id=cohort and cohort.id)


def _training_session(user: User, allowed: Callable[[User, Cohort], bool]) -> Any:
    query = select(TrainingSession).order_by(TrainingSession.starts_at.desc())
    return _first(user, query, lambda u, session: allowed(u, session.cohort))


def _cohort_and_session_id(user: User) -> list[Values]:
    found = _training_session(user, can_manage_cohort)
    return _values(cohort_id=found and found.cohort_id, session_id=found and found.id)


def _attendance_session_id(user: User) -> list[Values]:
    found = _training_session(user, can_record_attendance)
    return _values(session_id=found and found.id)


def _module_ids(user: User) -> list[Values]:
    module = db.session.scalar(select(TrainingModule).order_by(TrainingModule.id))
    return _values(programme_id=module and module.programme_id, module_id=module and module.id)


def _curriculum_programme_id(user: User) -> list[Values]:
    module = db.session.scalar(select(TrainingModule).order_by(TrainingModule.id))
    return _values(programme_id=module and module.programme_id)


def _certification_id(user: User) -> list[Values]:
    query = select(Certification).order_by(Certification.id)
    found = _first(user, query, can_view_certificate)
    return _values(certification_id=found and found.id)


def _audit_event_id(user: User) -> list[Values]:
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    return _values(event_id=event and event.id)


def _message_id(user: User) -> list[Values]:
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    return _values(message_id=message and message.id)


def _user_id(user: User) -> list[Values]:
    return _values(user_id=_demo_user("coach").id)


def _loggable_shift(user: User) -> list[Values]:
    """The help log form starts from a shift the user may log help for now (a query value),
    as `log_source` decides: the coach's own, or a coach's in the staff member's scope."""
    recent = (
        select(Shift)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .where(
            Shift.status != ShiftStatus.CANCELLED,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at <= clock.now(),
        )
        .order_by(HelpSession.starts_at.desc(), Shift.id)
        .limit(200)
    )

    def loggable(actor: User, shift: Shift) -> bool:
        try:
            helplog_services.log_source(actor=actor, shift_id=shift.id, now=clock.now())
        except DomainError:
            return False
        return True

    shift = _first(user, recent, loggable)
    return _values(shift=shift and shift.id)


def _invitation_token(user: User) -> list[Values]:
    """A fresh invitation link to an upcoming session the coach has no shift in."""
    coach = db.session.scalar(select(Coach).where(Coach.user_id == user.id))
    if coach is None:
        return []
    taken = select(Shift.session_id).where(Shift.coach_id == coach.id)
    session = db.session.scalar(
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            HelpSession.starts_at > clock.now() + timedelta(days=1),
            HelpSession.status == SessionStatus.PLANNED,
            Location.municipality_id == coach.municipality_id,
            HelpSession.id.not_in(taken),
        )
        .order_by(HelpSession.starts_at)
    )
    if session is None:
        return []
    token = tokens.issue(
        INVITE_PURPOSE,
        user=user,
        lifetime=timedelta(days=7),
        now=clock.now(),
        payload=str(session.id),
    )
    db.session.commit()
    return [{"token": token}]


def _device_id(status: str | None = None) -> Callable[[User], list[Values]]:
    """A device the user handles (with this status: the lend page is for available ones)."""

    def choose(user: User) -> list[Values]:
        query = select(Device).order_by(Device.id)
        if status is not None:
            query = query.where(Device.status == status)
        found = _first(user, query, can_handle_device)
        return _values(device_id=found and found.id)

    return choose


def _loan_id(user: User) -> list[Values]:
    # An open loan: its page has every form on it.
    query = select(Loan).where(Loan.status == "open").order_by(Loan.due_on)
    found = _first(user, query, can_handle_loan)
    return _values(loan_id=found and found.id)


def _home_visit_id(user: User) -> list[Values]:
    """A visit the user books for, or is on as a coach."""

    def allowed(actor: User, visit: HomeVisit) -> bool:
        return can_see_home_visit(actor, visit, on_visit=home_visit_services.on_visit(actor, visit))

    found = _first(user, select(HomeVisit).order_by(HomeVisit.id), allowed)
    return _values(visit_id=found and found.id)


def _changeable_home_visit_id(user: User) -> list[Values]:
    """A coming visit at a digipunt the user books home visits for."""
    now = clock.now()

    def allowed(actor: User, visit: HomeVisit) -> bool:
        session = visit.session
        return (
            can_book_at(actor, session.location)
            and not session.is_cancelled
            and session.ends_at > now
        )

    found = _first(user, select(HomeVisit).order_by(HomeVisit.id), allowed)
    return _values(visit_id=found and found.id)


def _lending_location_id(user: User) -> list[Values]:
    found = _first(user, select(Location).order_by(Location.id), can_lend_at)
    return _values(location_id=found and found.id)


def _referral_id(user: User) -> list[Values]:
    found = _first(user, select(Referral).order_by(Referral.id), can_handle_referral)
    return _values(referral_id=found and found.id)


def _referring_help_log(user: User) -> list[Values]:
    """A help log the user may refer a citizen from: their own, or one of their municipalities."""

    def allowed(who: User, log: HelpLog) -> bool:
        return log.coach.user_id == who.id or (is_desk(who) and in_scope(who, log.municipality_id))

    found = _first(user, select(HelpLog).order_by(HelpLog.helped_on.desc()), allowed)
    return _values(help_log=found and found.id)


# Every page route with URL values (or a query value it cannot do without), and how to choose
# them for a signed-in user. An empty list means the user has no such object (allowed only
# where the route lets in everyone signed in and checks the object itself).
URL_VALUES: dict[str, Callable[[User], list[Values]]] = {
    "allowances.coach": _allowance_coach_id,
    "allowances.edit_insurance": _programme_id(lambda user, _programme: can_set_insurance(user)),
    "admin.audit_event": _audit_event_id,
    "admin.user": _user_id,
    "coaches.detail": _coach_id,
    "coaches.erase_coach": _coach_id,
    "content.edit_page": lambda user: [{"slug": "privacy"}],
    "desk.move": _appointment_id,
    "desk.slip": _appointment_id,
    "helpdesk.cancel_session": _help_session_id,
    "helpdesk.edit_session": _help_session_id,
    "helpdesk.invitation": _invitation_token,
    "helpdesk.session": _help_session_id,
    "helplog.edit": _help_log_id,
    "homevisits.change": _changeable_home_visit_id,
    "homevisits.detail": _home_visit_id,
    "loans.device": _device_id(),
    "loans.edit_device": _device_id(),
    "loans.lend": _device_id("available"),
    "loans.loan": _loan_id,
    "loans.new_device": _lending_location_id,
    "helplog.new": _loggable_shift,
    "organisations.detail": _organisation_id(can_view_organisation),
    "organisations.edit": _organisation_id(can_edit_organisation),
    "organisations.edit_offer": _offer_id,
    "organisations.new": _municipality_id(can_create_organisation),
    "organisations.new_offer": _organisation_id(can_manage_offers),
    "referrals.detail": _referral_id,
    "referrals.new": _referring_help_log,
    "places.delete_neighbourhood": _neighbourhood_id,
    "places.edit_location": _location_id,
    "places.edit_municipality": _municipality_id(can_edit_municipality),
    "places.edit_programme": _programme_id(can_view_programme),
    "places.municipality": _municipality_id(can_view_municipality),
    "places.new_location": _municipality_id(can_manage_locations),
    "places.programme": _programme_id(can_view_programme),
    "places.programme_phone": _programme_id(can_set_programme_phone),
    "places.rename_neighbourhood": _neighbourhood_id,
    "reminders.outbox_message": _message_id,
    "reminders.programme_settings": _programme_id(can_manage_reminder_settings),
    "training.attendance": _attendance_session_id,
    "training.certificate": _certification_id,
    "training.cohort": _cohort_id,
    "training.edit_cohort": _cohort_id,
    "training.edit_module": _module_ids,
    "training.edit_session": _cohort_and_session_id,
    "training.modules": _curriculum_programme_id,
    "training.new_series": _cohort_id,
    "training.new_session": _cohort_id,
}


# Routes whose guard lets a role in while the object check may still refuse it every object
# of the demo data, with the reason; elsewhere a role the guard lets in must find an object.
NO_OBJECT_FOR_SOME: dict[str, str] = {
    "places.programme_phone": "a coordinator changes only a programme whose municipalities "
    "they all coordinate; the demo programme spans three",
    "reminders.programme_settings": "the same rule as the programme's phone number",
    "referrals.detail": "coordinators and desk staff receive only the referrals to their "
    "municipality's own digipunten, and every demo digipunt is run by a partner organisation "
    "(tests/browser/test_referral_journey.py walks that page as the desk)",
}


def _demo_user(role: str) -> User:
    account = next(a for a in DEMO_ACCOUNTS if a.role.value == role)
    user = db.session.scalar(select(User).where(User.email == account.email))
    assert user is not None, f"no demo {role}"
    return user


@dataclass(frozen=True)
class PageView:
    endpoint: str
    path: str


def staff_pages(app: Flask, user: User) -> tuple[list[PageView], list[str]]:
    """The pages `user` may open, and what is wrong with the tables above (unknown routes)."""
    views: list[PageView] = []
    problems: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", None)
        if "GET" not in (rule.methods or ()) or access in (None, "public"):
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        predicate = getattr(view, "access_predicate", None)
        if predicate is not None and not predicate(user):
            continue
        if access != "authenticated" and predicate is None:
            problems.append(f"{rule.endpoint}: access rule {access!r} without a predicate")
            continue
        if rule.endpoint in URL_VALUES:
            values_list = URL_VALUES[rule.endpoint](user)
            if (
                not values_list
                and access != "authenticated"
                and rule.endpoint not in NO_OBJECT_FOR_SOME
            ):
                problems.append(f"{rule.endpoint}: no object in the demo data for this user")
        elif rule.arguments:
            problems.append(
                f"{rule.endpoint} ({rule.rule}): add it to URL_VALUES or, if it is no page, "
                "to NOT_PAGES with the reason"
            )
            continue
        else:
            values_list = [{}]
        with app.test_request_context():
            views += [PageView(rule.endpoint, url_for(rule.endpoint, **v)) for v in values_list]
    return views, problems


# --- the demo database, seeded once per module ----------------------------------------------


def _seed(url: str, instance: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIGICOACH_INSTANCE_PATH", str(instance))
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            if POSTGRES_URL:
                db.create_all()
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
            db.session.remove()
            db.engine.dispose()


def _postgres(url: str, *statements: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


@pytest.fixture(scope="module")
def demo_database(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with the demo data: a file to copy (SQLite) or a template database."""
    folder = tmp_path_factory.mktemp("demo")
    if POSTGRES_URL:
        url = make_url(database_template)
        demo = f"{url.database}_demo"
        _postgres(database_template, f'DROP DATABASE IF EXISTS "{demo}" WITH (FORCE)')
        _postgres(database_template, f'CREATE DATABASE "{demo}"')
        _seed(url.set(database=demo).render_as_string(hide_password=False), folder / "instance")
        yield demo
        _postgres(database_template, f'DROP DATABASE IF EXISTS "{demo}" WITH (FORCE)')
        return
    seeded = folder / "demo.sqlite3"
    shutil.copyfile(database_template, seeded)
    _seed(f"sqlite:///{seeded}", folder / "instance")
    yield str(seeded)


@pytest.fixture
def database_url(demo_database: str, database_template: str, tmp_path: Path) -> Iterator[str]:
    """This test's own copy of the demo database."""
    if POSTGRES_URL:
        url = make_url(database_template)
        copy = f"{url.database}_screens"
        _postgres(
            database_template,
            f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)',
            f'CREATE DATABASE "{copy}" TEMPLATE "{demo_database}"',
        )
        yield url.set(database=copy).render_as_string(hide_password=False)
        _postgres(database_template, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        return
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(demo_database, copy)
    yield f"sqlite:///{copy}"


# --- the walk ---------------------------------------------------------------------------------


def _sign_in(page: Page, role: str) -> None:
    """The sign-in form, then the two-step code where the account has one."""
    account = next(a for a in DEMO_ACCOUNTS if a.role.value == role)
    response = page.goto("/login")
    assert response is not None and response.status == 200, f"/login answers {response}"
    page.fill('input[name="email"]', account.email)
    page.fill('input[name="password"]', account.password)
    page.locator('form:has(input[name="password"]) [type="submit"]').click()
    if account.two_factor:
        page.wait_for_url("**/two-factor")
        page.fill('input[name="code"]', twofactor.code_at(DEMO_TOTP_SECRET, clock.now()))
        page.locator('form:has(input[name="code"]) [type="submit"]').click()
    page.wait_for_load_state()
    assert "/login" not in page.url and "/two-factor" not in page.url, f"{role}: {page.url}"


# Boxes that scroll sideways inside the page at 320 px: each must be a scroll region a keyboard
# reaches and a screen reader names (templates/macros/tables.html), else it hides content.
UNNAMED_SCROLLERS = r"""() => [...document.querySelectorAll("body *")]
  .filter((box) => ["auto", "scroll"].includes(getComputedStyle(box).overflowX)
    && box.scrollWidth > box.clientWidth + 1)
  .filter((box) => !(box.getAttribute("role") === "region" && box.tabIndex >= 0
    && (box.getAttribute("aria-label") || box.getAttribute("aria-labelledby"))))
  .map((box) => `${box.tagName.toLowerCase()}.${[...box.classList].join(".")} `
    + `(${(box.querySelector("caption") || box).textContent.replace(/\s+/g, " ").trim()
      .slice(0, 40)}) `
    + `is ${box.scrollWidth}px wide in ${box.clientWidth}px`)"""


def _axe(page: Page, width: int) -> list[str]:
    return [
        f"axe at {width}px: {violation['id']} ({violation.get('impact')}) at "
        + ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:4])
        + (f" and {len(violation['nodes']) - 4} more" if len(violation["nodes"]) > 4 else "")
        for violation in axe_violations(page)
    ]


def check_page(page: Page, server: LiveServer, view: PageView) -> list[str]:
    """Everything wrong with one page view at both widths (empty when all is well)."""
    problems: list[str] = []
    page.set_viewport_size({"width": NARROW, "height": 800})
    response = page.goto(server(view.path))
    if response is None:
        return ["no response"]
    if response.status != 200:
        return [f"answers {response.status}"]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return [f"answers {response.headers.get('content-type')}: add it to NOT_PAGES"]
    if not page.url.endswith(view.path):
        return [f"redirects to {page.url}"]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW:
        problems.append(f"{width}px wide at {NARROW}px")
    problems += [
        f"scrolls sideways without a named, focusable region: {box}"
        for box in page.evaluate(UNNAMED_SCROLLERS)
    ]
    problems += _axe(page, NARROW)
    page.set_viewport_size({"width": WIDE, "height": 900})
    problems += _axe(page, WIDE)
    return problems


@pytest.fixture
def demo_context(
    browser: Browser, live_server: LiveServer, language: str
) -> Iterator[BrowserContext]:
    browser_context = browser.new_context(
        base_url=live_server.url,
        locale={"nl": "nl-BE", "fr": "fr-BE"}[language],
        timezone_id="Europe/Brussels",
        viewport={"width": NARROW, "height": 800},
    )
    browser_context.set_default_timeout(15_000)
    yield browser_context
    browser_context.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_reflows_and_passes_axe(role, language, demo_context, live_server):
    started = time.perf_counter()
    user = _demo_user(role)
    # A signed-in user's saved language wins over the browser's.
    user.language = language
    db.session.commit()
    views, problems = staff_pages(live_server.app, user)
    assert len(views) >= 5, f"{role} may open only {[v.path for v in views]}"
    page = demo_context.new_page()
    _sign_in(page, role)
    failures = {"URL_VALUES and NOT_PAGES": problems} if problems else {}
    for view in views:
        found = check_page(page, live_server, view)
        if found:
            failures[f"{view.path} ({view.endpoint})"] = found
    elapsed = time.perf_counter() - started
    print(f"{role}/{language}: {len(views)} pages, {len(failures)} failing, {elapsed:.1f}s")
    report = "\n".join(
        f"{where}:\n" + "\n".join(f"    - {problem}" for problem in found)
        for where, found in failures.items()
    )
    assert not failures, (
        f"{len(failures)} of {len(views)} pages fail as {role} in {language}:\n{report}"
    )
