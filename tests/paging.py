"""Helpers for tests of paged lists: count the SQL statements of a request, read the ids shown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from digicoach.extensions import db


class Statements:
    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        self.sql.append(statement)


@contextmanager
def counting_statements() -> Iterator[Statements]:
    """`with counting_statements() as sent: client.get(...)`, then `sent.count`."""
    counter = Statements()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)


def ids_shown(html: str, prefix: str) -> list[int]:
    """The ids of the elements `id="<prefix>-<n>"` on a page, in order."""
    return [int(n) for n in re.findall(rf'id="{re.escape(prefix)}-(\d+)"', html)]


def page_links(html: str) -> list[str]:
    """The hrefs inside the paging navigation, with &amp; undone."""
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    if nav is None:
        return []
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', nav.group(0))]
