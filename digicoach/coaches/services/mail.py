"""Mail to a coach or applicant from the coach use cases."""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import (
    User,
)
from digicoach.core import messages, outbox

# --- mail -------------------------------------------------------------------------------------


def mail_coach(
    user: User,
    *,
    kind: str,
    dedupe_key: str,
    template: str,
    subject: Any,
    attachment: outbox.Attachment | None = None,
    **context: Any,
) -> None:
    """Queue an e-mail to a coach or applicant, in their language, with absolute links; nothing
    for an account that was deactivated or erased (core.messages.queue_user_email)."""
    messages.queue_user_email(
        user,
        kind=kind,
        dedupe_key=dedupe_key,
        template=f"coaches/email/{template}",
        subject=subject,
        attachment=attachment,
        me_url=messages.absolute_url("coaches.me"),
        **context,
    )
