"""What an administrator does on the outbox page: send a failed message again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from digicoach.accounts.models import User
from digicoach.core import audit, outbox
from digicoach.core.db import parse_id
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.i18n import short_datetime
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.reminders import permissions


def retry_message(*, actor: User, message_id: Any, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue, due now (audited). Raises NotFound for an
    unknown id, Conflict when it is not failed or its last moment has passed."""
    ensure(permissions.can_manage_outbox(actor))
    row_id = parse_id(message_id)
    message = db.session.get(OutboxMessage, row_id) if row_id is not None else None
    if message is None:
        raise NotFound("outbox message")
    if message.status != Status.FAILED:
        raise Conflict(_("Only a failed message can be sent again."))
    if message.send_not_after is not None and message.send_not_after <= now:
        raise Conflict(
            _(
                "Too late: this message was only useful until %(moment)s.",
                moment=short_datetime(message.send_not_after),
            )
        )
    if not outbox.requeue(message.id, now):
        raise Conflict(_("Only a failed message can be sent again."))
    db.session.refresh(message)
    audit.record(actor, "outbox.retry", message, ["status", "next_attempt_at"])
    db.session.flush()
    return message
