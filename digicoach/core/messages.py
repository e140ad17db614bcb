"""Queue an e-mail rendered in the recipient's language, with absolute links.

Every feature sends mail the same way: text and HTML bodies from `templates/<name>.txt` and
`.html`, rendered under the recipient's locale, queued in the outbox of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from digicoach.core import outbox, phones
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail or SMS; works inside and outside a request (CLI, scheduler)."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def queue_email(
    *,
    recipient: str,
    language: str,
    kind: str,
    dedupe_key: str,
    template: str,
    subject: Any,
    attachment: outbox.Attachment | None = None,
    send_not_after: datetime | None = None,
    **context: Any,
) -> outbox.OutboxMessage | None:
    """Render `template` (.txt and .html) and `subject` in `language` and queue the e-mail.

    `subject` may be a lazy string or a callable returning one (called under the locale).
    Templates get the front-desk `phone` (the programme's) unless the caller passes another,
    such as a digipunt's (places.phones).
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    context.setdefault("phone", phones.front_desk_phone())
    with force_locale(language):
        subject_text = str(subject() if isinstance(subject, Callable) else subject)
        body_text = render_template(f"{template}.txt", **context)
        body_html = render_template(f"{template}.html", **context)
    return outbox.enqueue(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=outbox.Channel.EMAIL,
        recipient=recipient,
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        language=language,
        attachment=attachment,
        send_not_after=send_not_after,
    )
