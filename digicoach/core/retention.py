"""Erasing a citizen's contact data from records that stay for the figures (loans, referrals,
home visits): the personal columns are blanked in chunks, the outbox messages about the record
lose their recipient and text, and one audit event records how many, never who.

Each feature decides which rows are due and which columns go; this module does the erasing the
same way for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update

from digicoach.core import audit, outbox
from digicoach.extensions import db

CHUNK = 500


def erase_contact_data(
    model: Any,
    ids: Sequence[int],
    values: dict[str, Any],
    *,
    action: str,
    message_prefix: Callable[[int], str] | None = None,
    also: Callable[[list[int]], None] | None = None,
) -> int:
    """Set `values` (blanks and the erased-at moment) on the rows of `model` with these ids.
    `message_prefix(id)` names the outbox keys about a row, whose recipient and text are blanked
    too; `also(chunk)` erases what the feature keeps elsewhere. Audits `action` with the count
    when anything was erased; flushes and expires the session. Returns len(ids)."""
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        db.session.execute(
            update(model)
            .where(model.id.in_(chunk))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if also is not None:
            also(chunk)
        if message_prefix is not None:
            for row_id in chunk:
                outbox.erase_messages(message_prefix(row_id))
    if ids:
        audit.record(
            None, action, object_type=model.__name__, object_id="*", fields=[f"count={len(ids)}"]
        )
    db.session.flush()
    db.session.expire_all()
    return len(ids)
