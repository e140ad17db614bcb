"""One page of a long list, cut in SQL: a count and a LIMIT/OFFSET query, whatever the page.

Lists of staff pages (shifts, applicants, digicoaches, help logs) use `paginate`; the template
macro `macros/pagination.html` draws the links and keeps the filters of the query string.
A page number past the end shows the last page, and anything that is not a positive number
the first, so an old bookmark or a hand-edited link never fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from digicoach.extensions import db

T = TypeVar("T")

MAX_PAGE_NUMBER = 1_000_000


@dataclass
class Page(Generic[T]):
    """The items of page `number` (1-based) of `total` items, `per_page` per page."""

    items: list[T]
    total: int
    number: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_item(self) -> int:
        """The position (1-based) of the first item shown; 0 on an empty list."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_item(self) -> int:
        return self.first_item + len(self.items) - 1 if self.items else 0


def page_number(args: Mapping[str, Any], name: str = "page") -> int:
    """The page asked for in the query string: a positive whole number, else 1."""
    raw = args.get(name)
    if isinstance(raw, str) and raw.isdigit() and len(raw) <= 7:
        return max(1, min(int(raw), MAX_PAGE_NUMBER))
    return 1


def last_page(total: int, per_page: int) -> int:
    return max(1, ceil(total / per_page))


def paginate(
    query: Select,
    *,
    page: int,
    per_page: int,
    unique: bool = False,
    rows: bool = False,
    total: int | None = None,
) -> Page[Any]:
    """Page `page` of `query` (which must be ordered, ending on a unique column) in two
    statements (plus its eager loads): the count, then the rows with LIMIT/OFFSET. A page past
    the end gives the last page. `unique` for a query that joins a collection eagerly; `rows`
    for a query of several columns (Row objects instead of the first column); `total` when the
    caller counts with a query of its own (one definition shared with a summary)."""
    if total is None:
        counted = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        total = int(counted or 0)
    number = min(max(1, page), last_page(total, per_page))
    limited = query.limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(limited) if rows else db.session.scalars(limited)
    items = list(result.unique() if unique else result)
    return Page(items=items, total=total, number=number, per_page=per_page)
