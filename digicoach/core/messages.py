"""Queue an e-mail rendered in the recipient's language, with absolute links.

Every feature sends mail the same way: text and HTML bodies from `templates/<name>.txt` and
`.html`, rendered under the recipient's locale, queued in the outbox of the caller's transaction.
The HTML body goes inside one shared frame (`templates/_email_frame.html`) that shows the
installation's name, logo and main colour (core.installation).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from digicoach.core import installation, outbox, phones
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
        body_html = framed_html(render_template(f"{template}.html", **context), language)
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


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def framed_html(html: str, language: str) -> str:
    """An e-mail's HTML inside the shared frame: the installation's name and logo on a band of
    its colour above the message. A feature layout's own <html> and <body> are unwrapped."""
    match = _BODY.search(html)
    # The output of our own autoescaped template, so already safe HTML.
    body = Markup(match.group(1).strip() if match else html.strip())  # noqa: S704
    brand = installation.branding()
    logo_url = absolute_url("brand.logo", v=brand.logo_digest) if brand.has_logo else None
    return render_template(
        "_email_frame.html", body=body, brand=brand, language=language, logo_url=logo_url
    )
