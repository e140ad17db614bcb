"""Paging in SQL (core.paging) and the shared paging macro (templates/macros/pagination.html)."""

from __future__ import annotations

import re

from flask import render_template_string
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from digicoach.core.paging import Page, page_number, paginate
from digicoach.places.models import Municipality
from tests.factories import make_municipality
from tests.paging import counting_statements

MACRO = '{% from "macros/pagination.html" import pagination %}{{ pagination(page) }}'


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def test_a_page_number_is_a_positive_whole_number_else_one():
    for raw, number in [("3", 3), ("0", 1), ("-2", 1), ("x", 1), ("", 1), ("9" * 40, 1)]:
        assert page_number(MultiDict({"page": raw})) == number
    assert page_number(MultiDict()) == 1


def test_paginate_cuts_in_sql_in_two_statements_and_a_page_past_the_end_is_the_last(app):
    for n in range(7):
        make_municipality(name=f"Gemeente {n}")
    query = select(Municipality).order_by(Municipality.name, Municipality.id)
    with counting_statements() as sent:
        page = paginate(query, page=99, per_page=3)
    assert sent.count == 2
    assert (page.number, page.pages, page.total) == (3, 3, 7)
    assert [m.name for m in page.items] == ["Gemeente 6"]
    assert (page.first_item, page.last_item) == (7, 7)
    assert [m.name for m in paginate(query, page=2, per_page=3).items] == [
        "Gemeente 3",
        "Gemeente 4",
        "Gemeente 5",
    ]
    empty = paginate(query.where(Municipality.name == "nowhere"), page=4, per_page=3)
    assert (empty.number, empty.pages, empty.items, empty.first_item) == (1, 1, [], 0)


def test_the_macro_keeps_every_filter_value_and_marks_the_current_page(app):
    page = Page(items=[1], total=95, number=5, per_page=10)
    with app.test_request_context("/helpdesk/shifts?topic=email&topic=eid&day=&page=5"):
        html = render_template_string(MACRO, page=page)
    assert 'aria-label="Pagina\'s"' in html and "Pagina 5 van 10" in html
    links = _links(html)
    assert all("topic=email" in link and "topic=eid" in link for link in links)
    assert not any("day=" in link for link in links)  # empty filters are left out
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    assert len(current) == 1 and "page=5" in current[0]
    assert 'rel="prev"' in html and 'rel="next"' in html
    # The first, the last and the neighbours of the current page; a gap in between.
    numbers = [int(n) for n in re.findall(r"page=(\d+)", " ".join(links))]
    assert sorted(set(numbers)) == [1, 4, 5, 6, 10]
    assert html.count("pagination-gap") == 2


def test_one_page_draws_nothing(app):
    with app.test_request_context("/coaches"):
        html = render_template_string(MACRO, page=Page(items=[1], total=3, number=1, per_page=25))
    assert "<nav" not in html


def test_the_macro_never_lets_the_query_string_choose_url_fors_own_arguments(app):
    """`?_external=1&_scheme=javascript` must not turn the paging links into other URLs."""
    page = Page(items=[1], total=95, number=5, per_page=10)
    path = "/helpdesk/shifts?topic=email&_external=1&_scheme=javascript&_anchor=x&page=5"
    with app.test_request_context(path):
        html = render_template_string(MACRO, page=page)
    links = _links(html)
    assert links and all(link.startswith("/helpdesk/shifts?") for link in links), links
    assert all("topic=email" in link and "_" not in link.split("?")[1] for link in links)


def test_an_export_link_carries_the_filters_but_never_url_fors_own_arguments(app, client):
    from tests.conftest import sign_in
    from tests.factories import make_admin

    sign_in(client, make_admin())
    html = client.get("/coaches?status=applied&_external=1&_scheme=javascript&page=2").get_data(
        as_text=True
    )
    exports = re.findall(r'href="([^"]*/coaches/export\.(?:xlsx|csv)[^"]*)"', html)
    assert len(exports) == 2, exports
    assert all(link.startswith("/coaches/export.") for link in exports), exports
    assert all("status=applied" in link and "_" not in link.split("?")[1] for link in exports)
