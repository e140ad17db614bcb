"""The main menu: grouped by task, per role, at most seven entries on top, the current page marked.

Read from the HTML the server sends (no browser): what each role finds, where, and that every page
the old flat menu linked is still in the menu of whoever may open it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import url_for

from digicoach.accounts.models import Role
from digicoach.core.navigation import MENU, Entry, Group, build_menu
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_admin, make_coordinator, make_desk, make_municipality, make_user
from tests.helpdesk.factories import make_working_coach
from tests.partners.factories import make_organisation, make_partner_staff


@dataclass
class Link:
    label: str
    href: str
    current: bool


@dataclass
class TopEntry:
    label: str
    link: Link | None = None  # a plain link on top
    items: list[Link] = field(default_factory=list)  # or a group's submenu
    group_marked: bool = False


class _MenuReader(HTMLParser):
    """The main menu of a page as (label, link or submenu) entries, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[TopEntry] = []
        self.buttons: list[str] = []
        self._in_nav = False
        self._depth = 0
        self._text: list[str] | None = None
        self._link: dict[str, str | None] | None = None
        self._in_summary = False
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "nav" and "main-nav" in classes:
            self._in_nav, self._depth = True, 0
        if not self._in_nav:
            return
        if tag == "nav":
            self._depth += 1
        if tag == "li" and "nav-item" in classes:
            self.entries.append(TopEntry(label="", group_marked="is-current" in classes))
        elif tag == "summary" and "nav-menu-toggle" not in classes:
            self._in_summary, self._text = True, []
        elif tag == "a":
            self._link, self._text = attributes, []
        elif tag == "button":
            self._in_button, self._text = True, []

    def handle_endtag(self, tag: str) -> None:
        if not self._in_nav:
            return
        text = " ".join("".join(self._text or []).split())
        if tag == "nav":
            self._depth -= 1
            self._in_nav = self._depth > 0
        elif tag == "summary" and self._in_summary:
            self.entries[-1].label = text
            self._in_summary = False
        elif tag == "a" and self._link is not None:
            link = Link(
                text, self._link.get("href") or "", self._link.get("aria-current") == "page"
            )
            entry = self.entries[-1]
            if entry.label:
                entry.items.append(link)
            else:
                entry.label, entry.link = text, link
            self._link = None
        elif tag == "button" and self._in_button:
            self.buttons.append(text)
            self._in_button = False
        if tag in ("summary", "a", "button"):
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read_menu(html: str) -> _MenuReader:
    reader = _MenuReader()
    reader.feed(html)
    return reader


def outline(reader: _MenuReader) -> list[object]:
    """The menu as plain data: a label for a link on top, (label, [labels]) for a submenu."""
    return [
        entry.label if entry.link else (entry.label, [item.label for item in entry.items])
        for entry in reader.entries
    ]


@pytest.fixture
def people(app):
    gent = make_municipality(name="Gent", nis_code="44021")
    built = {
        "admin": make_admin(name="Ann Admin"),
        "coordinator": make_coordinator([gent], name="Cor Gent"),
        "desk": make_desk([gent], name="Dirk Desk"),
        "coach": make_working_coach(gent).user,
        "coordinator and coach": make_user(
            roles=(Role.COORDINATOR, Role.COACH), municipalities=[gent], two_factor=True
        ),
        "partner": make_partner_staff(make_organisation(gent, name="Bibliotheek Gent")),
    }
    db.session.commit()
    return built


def _menu_of(client, user, endpoint: str = "content.home") -> _MenuReader:
    sign_in(client, user)
    with client.application.test_request_context():
        path = url_for(endpoint)
    response = client.get(path)
    assert response.status_code == 200
    return read_menu(response.get_data(as_text=True))


def _first(app) -> str:
    """The first entry: the workspace's "Today", or the home page while there is none."""
    return "Today" if "workspace.home" in app.view_functions else "Home"


EXPECTED = {
    "coach": [
        "My training",
        ("Help sessions", ["Find a shift", "My shifts"]),
        "Walk-ins",
        ("Reporting", ["Log your help", "My referrals"]),
        ("Account", ["My digicoach page", "My account"]),
    ],
    "desk": [
        (
            "Front desk",
            ["Front desk", "Call list", "Device loans", "Overdue loans", "Help at home"],
        ),
        # The desk refers and receives the referrals to the municipality's own digipunten.
        ("Reporting", ["My referrals", "Referrals"]),
        ("Account", ["My account"]),
    ],
    # Partner staff: their organisation's help sessions and the organisation itself.
    "partner": [
        "Staffing board",
        "Help at home",
        "Referrals",
        "My organisation",
        ("Account", ["My account"]),
    ],
    "coordinator": [
        ("Digicoaches", ["Applications", "Digicoaches", "Training groups", "Expense allowances"]),
        "Staffing board",
        (
            "Front desk",
            ["Front desk", "Call list", "Device loans", "Overdue loans", "Help at home"],
        ),
        ("Reporting", ["Help logs", "Progress", "My referrals", "Referrals"]),
        ("Management", ["Places and programmes", "Partner organisations"]),
        ("Account", ["My account"]),
    ],
    "admin": [
        ("Digicoaches", ["Applications", "Digicoaches", "Training groups", "Expense allowances"]),
        "Staffing board",
        (
            "Front desk",
            ["Front desk", "Call list", "Device loans", "Overdue loans", "Help at home"],
        ),
        ("Reporting", ["Help logs", "Progress", "My referrals"]),
        (
            "Management",
            [
                "Places and programmes",
                "Partner organisations",
                "Users",
                "Audit log",
                "Outbox",
                "Settings",
                "Allowance caps",
            ],
        ),
        ("Account", ["My account"]),
    ],
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_finds_its_work_grouped_by_task(app, client, people, role):
    menu = _menu_of(client, people[role])
    assert outline(menu) == [_first(app), *EXPECTED[role]]
    assert menu.buttons == ["Sign out"]


@pytest.mark.parametrize("role", [*sorted(EXPECTED), "coordinator and coach"])
def test_no_role_gets_more_than_seven_entries_on_top(client, people, role):
    assert len(_menu_of(client, people[role]).entries) <= 7


def test_a_coordinator_who_coaches_finds_both_sides_in_the_same_groups(client, people):
    groups = dict(
        entry
        for entry in outline(_menu_of(client, people["coordinator and coach"]))
        if isinstance(entry, tuple)
    )
    assert groups["Help sessions"] == ["Staffing board", "Find a shift", "My shifts"]
    assert groups["Reporting"] == [
        "Log your help",
        "Help logs",
        "Progress",
        "My referrals",
        "Referrals",
    ]
    assert groups["Digicoaches"][-1] == "My training"
    # The desk console lists the walk-ins, so who has it gets no separate walk-ins entry.
    assert "Walk-ins" not in str(outline(_menu_of(client, people["coordinator and coach"])))


# The flat menu before issue 14: every link, with who saw it.
OLD_MENU = [
    ("places.index", ["can_manage_places"], []),
    ("coaches.queue", ["can_review_coaches"], []),
    ("coaches.directory", ["can_review_coaches"], []),
    ("coaches.me", ["can_use_coach_space"], []),
    ("helpdesk.board", ["can_plan_help_sessions"], []),
    ("helpdesk.find_shifts", ["can_take_shifts"], []),
    ("helpdesk.my_shifts", ["can_take_shifts"], []),
    ("admin.users", ["can_manage_users"], []),
    ("admin.audit_log", ["can_view_audit_log"], []),
    ("training.manage", ["can_manage_training"], []),
    ("training.mine", ["can_follow_training"], []),
    ("desk.today", ["can_use_front_desk"], []),
    ("desk.call_list", ["can_use_front_desk"], []),
    ("desk.walk_ins", ["can_see_walk_ins"], ["can_use_front_desk"]),
    ("helplog.today", ["can_log_help"], []),
    ("helplog.manage", ["can_correct_help_logs"], []),
    # Not in the old menu, but every referrer finds their referrals (issue 18).
    ("referrals.mine", ["can_refer"], []),
    ("progress.dashboard", ["can_view_progress"], []),
    ("reminders.outbox", ["can_manage_outbox"], []),
    ("accounts.security", [], []),
]


@pytest.mark.parametrize("role", [*sorted(EXPECTED), "coordinator and coach"])
def test_every_page_of_the_old_menu_is_still_in_the_menu_of_whoever_may_open_it(
    app, client, people, role
):
    user = people[role]
    predicates = app.extensions["digicoach.predicates"]
    menu = _menu_of(client, user)
    hrefs = {entry.link.href for entry in menu.entries if entry.link} | {
        item.href for entry in menu.entries for item in entry.items
    }
    with app.test_request_context():
        for endpoint, requires, unless in OLD_MENU:
            allowed = all(predicates[name](user) for name in requires) and not any(
                predicates[name](user) for name in unless
            )
            assert (url_for(endpoint) in hrefs) == allowed, endpoint


def test_the_current_page_is_marked_and_so_is_its_group(client, people):
    menu = _menu_of(client, people["coach"], "helpdesk.find_shifts")
    current = [
        (entry.label, link.label)
        for entry in menu.entries
        for link in ([entry.link] if entry.link else entry.items)
        if link.current
    ]
    assert current == [("Help sessions", "Find a shift")]
    assert [entry.label for entry in menu.entries if entry.group_marked] == ["Help sessions"]


def test_a_plain_link_on_top_is_marked_when_it_is_the_current_page(client, people):
    menu = _menu_of(client, people["coordinator"], "helpdesk.board")
    marked = [entry for entry in menu.entries if entry.group_marked]
    assert [(entry.label, entry.link.current) for entry in marked] == [("Staffing board", True)]


def test_a_page_outside_the_menu_marks_nothing(client, people):
    menu = _menu_of(client, people["coach"], "coaches.edit_profile")
    assert not any(entry.group_marked for entry in menu.entries)
    assert not any(
        link.current for entry in menu.entries for link in [*entry.items, entry.link] if link
    )


def test_visitors_get_no_menu(client):
    assert read_menu(client.get("/").get_data(as_text=True)).entries == []


# --- the rules of build_menu, without a page ------------------------------------------------


def _labels(built) -> list[object]:
    return [
        group.single.label if group.single else (group.label, [i.label for i in group.items])
        for group in built
    ]


MINI_MENU = (
    Group("one", "One", (Entry("A", "a", ("can_a",)), Entry("B", "b", ("can_b",)))),
    Group("two", "Two", (Entry("C", "c", ("can_c",), unless=("can_a",)),)),
    Group("new", "New", (Entry("New page", "new", fallback=("Old page", "old")),)),
    Group("kept", "Kept", (Entry("D", "d"),), keep_as_group=True),
)


def test_an_empty_group_vanishes_and_a_group_of_one_is_its_entry():
    built = build_menu(
        can=lambda name: name == "can_b",
        exists=lambda endpoint: True,
        current_endpoint=None,
        menu=MINI_MENU,
    )
    assert _labels(built) == ["B", "New page", ("Kept", ["D"])]


def test_an_entry_is_left_out_for_who_has_its_unless_predicate():
    built = build_menu(
        can=lambda name: True, exists=lambda endpoint: True, current_endpoint="b", menu=MINI_MENU
    )
    assert _labels(built)[:2] == [("One", ["A", "B"]), "New page"]
    assert [item.label for group in built for item in group.items if item.current] == ["B"]


def test_a_page_that_is_not_there_yet_falls_back_or_is_left_out():
    built = build_menu(
        can=lambda name: True,
        exists=lambda endpoint: endpoint not in ("new", "b"),
        current_endpoint="old",
        menu=MINI_MENU,
    )
    assert _labels(built) == ["A", "Old page", ("Kept", ["D"])]
    assert built[1].single is not None and built[1].single.current


def test_every_entry_of_the_menu_names_a_predicate_the_features_define(app):
    predicates = app.extensions["digicoach.predicates"]
    for group in MENU:
        for entry in group.entries:
            for name in (*entry.requires, *entry.unless):
                assert name in predicates, name
