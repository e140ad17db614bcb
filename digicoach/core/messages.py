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
from typing import Any, Protocol

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from digicoach.core import installation, outbox, phones, sms
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
    attachment: outbox.Attachment | Callable[[], outbox.Attachment] | None = None,
    due_at: datetime | None = None,
    send_not_after: datetime | None = None,
    **context: Any,
) -> outbox.OutboxMessage | None:
    """Render `template` (.txt and .html) and `subject` in `language` and queue the e-mail.

    `subject` may be a lazy string or a callable returning one (called under the locale), and
    so may `attachment` (a calendar whose words must be in the recipient's language).
    Templates get the front-desk `phone` (the programme's) unless the caller passes another,
    such as a digipunt's (places.phones).
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    if "phone" not in context:  # not setdefault: its default would query every time
        context["phone"] = phones.front_desk_phone()
    with force_locale(language):
        subject_text = str(subject() if isinstance(subject, Callable) else subject)
        body_text = render_template(f"{template}.txt", **context)
        body_html = framed_html(render_template(f"{template}.html", **context), language)
        if callable(attachment):
            attachment = attachment()
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
        due_at=due_at,
        send_not_after=send_not_after,
    )


class Person(Protocol):
    """What a message needs of a person with an account (accounts.models.User)."""

    email: str
    language: str
    active: bool
    anonymised_at: datetime | None


def reachable(user: Person) -> bool:
    """False for an account that was deactivated or erased: it gets no more mail."""
    return user.active and user.anonymised_at is None


def queue_user_email(
    user: Person, *, template: str, subject: Any, kind: str, dedupe_key: str, **context: Any
) -> outbox.OutboxMessage | None:
    """Queue an e-mail to someone with an account, in their language, unless the account was
    deactivated or erased (then nothing is queued and None is returned). The template gets
    `user`; other arguments as `queue_email`."""
    if not reachable(user):
        return None
    return queue_email(
        recipient=user.email,
        language=user.language,
        kind=kind,
        dedupe_key=dedupe_key,
        template=template,
        subject=subject,
        user=user,
        **context,
    )


def queue_sms(
    *,
    recipient: str | None,
    language: str,
    kind: str,
    dedupe_key: str,
    template: str,
    due_at: datetime | None = None,
    send_not_after: datetime | None = None,
    **context: Any,
) -> outbox.OutboxMessage | None:
    """Render the text message `template` in `language` (white space folded to single spaces)
    and queue it; nothing for a number that cannot receive one (a landline, none at all)."""
    if not recipient or not sms.can_receive_sms(recipient):
        return None
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    if "phone" not in context:  # not setdefault: its default would query every time
        context["phone"] = phones.front_desk_phone()
    with force_locale(language):
        body = " ".join(render_template(template, **context).split())
    return outbox.enqueue(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=outbox.Channel.SMS,
        recipient=recipient,
        body_text=body,
        language=language,
        due_at=due_at,
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
