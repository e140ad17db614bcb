"""The main menu of signed-in users: entries grouped by task, each shown to whom its rule allows.

`MENU` is the one list: groups of entries, each with an endpoint and the `can_*` predicates (by
name, from the features' permission modules) that decide who sees it. `build_menu` turns it into
what one user sees on one page: empty groups vanish, a group left with one entry becomes that
entry (one click instead of two), and the entry of the current endpoint is marked so the
template can say `aria-current="page"` and underline its group. An endpoint that is not there
(a feature not installed yet) is left out, so the menu never breaks a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

SIGN_OUT = "accounts.logout"


@dataclass(frozen=True)
class Entry:
    label: Any
    endpoint: str
    # Every predicate must hold, and none of `unless`: "walk-ins" only for who has no desk.
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    # Shown instead when `endpoint` does not exist (yet) in this application.
    fallback: tuple[Any, str] | None = None


@dataclass(frozen=True)
class Group:
    key: str
    label: Any
    entries: tuple[Entry, ...]
    # Always a submenu, even with one entry (the account menu holds the sign-out button).
    keep_as_group: bool = False


MENU: tuple[Group, ...] = (
    Group(
        "today",
        _l("Today"),
        (Entry(_l("Today"), "workspace.home", fallback=(_l("Home"), "content.home")),),
    ),
    Group(
        "coaches",
        _l("Digicoaches"),
        (
            Entry(_l("Applications"), "coaches.queue", ("can_review_coaches",)),
            Entry(_l("Digicoaches"), "coaches.directory", ("can_review_coaches",)),
            Entry(_l("Training groups"), "training.manage", ("can_manage_training",)),
            Entry(_l("Expense allowances"), "allowances.index", ("can_record_allowances",)),
            Entry(_l("My training"), "training.mine", ("can_follow_training",)),
        ),
    ),
    Group(
        "sessions",
        _l("Help sessions"),
        (
            Entry(_l("Staffing board"), "helpdesk.board", ("can_plan_help_sessions",)),
            Entry(_l("Find a shift"), "helpdesk.find_shifts", ("can_take_shifts",)),
            Entry(_l("My shifts"), "helpdesk.my_shifts", ("can_take_shifts",)),
        ),
    ),
    Group(
        "desk",
        _l("Front desk"),
        (
            Entry(_l("Front desk"), "desk.today", ("can_use_front_desk",)),
            Entry(_l("Call list"), "desk.call_list", ("can_use_front_desk",)),
            # The desk console shows the walk-ins itself.
            Entry(_l("Walk-ins"), "desk.walk_ins", ("can_see_walk_ins",), ("can_use_front_desk",)),
            Entry(_l("Device loans"), "loans.index", ("can_manage_loans",)),
            Entry(_l("Overdue loans"), "loans.overdue", ("can_manage_loans",)),
            Entry(_l("Help at home"), "homevisits.index", ("can_book_home_visits",)),
        ),
    ),
    Group(
        "reporting",
        _l("Reporting"),
        (
            Entry(_l("Log your help"), "helplog.today", ("can_log_help",)),
            Entry(_l("Help logs"), "helplog.manage", ("can_correct_help_logs",)),
            Entry(_l("Progress"), "progress.dashboard", ("can_view_progress",)),
            # Who refers (coaches, the desk, coordinators, admins) follows their referrals.
            Entry(_l("My referrals"), "referrals.mine", ("can_refer",)),
            # The inbox of incoming referrals: partner staff (their only entry in this group),
            # and coordinators and desk staff for their municipalities' own digipunten.
            Entry(_l("Referrals"), "referrals.inbox", ("can_receive_referrals",)),
        ),
    ),
    Group(
        "management",
        _l("Management"),
        (
            Entry(_l("Places and programmes"), "places.index", ("can_manage_places",)),
            Entry(
                _l("Partner organisations"), "organisations.index", ("can_manage_organisations",)
            ),
            Entry(
                _l("My organisation"),
                "organisations.mine",
                ("can_work_for_organisations",),
                ("can_manage_organisations",),
            ),
            Entry(_l("Users"), "admin.users", ("can_manage_users",)),
            Entry(_l("Audit log"), "admin.audit_log", ("can_view_audit_log",)),
            Entry(_l("Outbox"), "reminders.outbox", ("can_manage_outbox",)),
            Entry(_l("Settings"), "admin.settings", ("can_manage_installation",)),
            Entry(_l("Allowance caps"), "allowances.caps", ("can_set_allowance_caps",)),
        ),
    ),
    Group(
        "account",
        _l("Account"),
        (
            Entry(_l("My digicoach page"), "coaches.me", ("can_use_coach_space",)),
            Entry(_l("My account"), "accounts.security"),
            Entry(_l("Sign out"), SIGN_OUT),
        ),
        keep_as_group=True,
    ),
)


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str
    current: bool = False

    @property
    def is_sign_out(self) -> bool:
        return self.endpoint == SIGN_OUT


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str
    items: tuple[MenuItem, ...] = field(default_factory=tuple)
    keep_as_group: bool = False

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)

    @property
    def single(self) -> MenuItem | None:
        """The one entry to show as a plain link instead of a submenu, if that is what it is."""
        if len(self.items) == 1 and not self.keep_as_group:
            return self.items[0]
        return None


def build_menu(
    *,
    can: Callable[[str], bool],
    exists: Callable[[str], bool],
    current_endpoint: str | None,
    menu: tuple[Group, ...] = MENU,
) -> list[MenuGroup]:
    """What one user sees: `can(name)` answers a predicate for them, `exists(endpoint)` says
    whether the application has that endpoint."""
    built = []
    for group in menu:
        items = []
        for entry in group.entries:
            if not all(can(name) for name in entry.requires):
                continue
            if any(can(name) for name in entry.unless):
                continue
            label, endpoint = entry.label, entry.endpoint
            if not exists(endpoint):
                if entry.fallback is None or not exists(entry.fallback[1]):
                    continue
                label, endpoint = entry.fallback
            items.append(MenuItem(str(label), endpoint, endpoint == current_endpoint))
        if items:
            built.append(MenuGroup(group.key, str(group.label), tuple(items), group.keep_as_group))
    return built


def main_menu() -> list[MenuGroup]:
    """The menu of the signed-in user on this page (empty for visitors)."""
    if not current_user.is_authenticated:
        return []
    predicates = current_app.extensions["digicoach.predicates"]
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    return build_menu(
        can=lambda name: name in predicates and bool(predicates[name](user)),
        exists=has_endpoint,
        current_endpoint=request.endpoint,
    )


def has_endpoint(endpoint: str) -> bool:
    """Whether this application serves `endpoint`: templates link optional pages with it."""
    return endpoint in current_app.view_functions


def register_navigation(app: Flask) -> None:
    app.jinja_env.globals.update(main_menu=main_menu, has_endpoint=has_endpoint)
