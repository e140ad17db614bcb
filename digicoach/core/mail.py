"""Deliver one e-mail through the configured backend: SMTP, or a file for development."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import current_app


class _Attachment(Protocol):
    filename: str
    content_type: str
    data: bytes


def build(
    *,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    language: str = "nl",
    attachment: _Attachment | None = None,
) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_MESSAGE_ID_DOMAIN"])
    message.set_content(body_text)
    # After set_content, which replaces the content headers.
    message["Content-Language"] = language
    if body_html:
        message.add_alternative(body_html, subtype="html")
    if attachment is not None:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def send(**parts: Any) -> None:
    """Send now. Raises on failure: the outbox retries."""
    message = build(**parts)
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "file":
        path = Path(current_app.instance_path) / "mail.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(message.as_string())
            log.write("\n" + "=" * 72 + "\n")
        return
    if backend != "smtp":
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
