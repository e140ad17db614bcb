"""Deliver one SMS through the configured gateway: an HTTP JSON provider, or a development file.

`can_receive_sms` is the one rule for who gets a text message: every feature that queues an
SMS (bookings, reminders, coaches) asks it first, so a landline is never sent one.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from flask import current_app

from digicoach.core import clock, phones


def can_receive_sms(number: str | None) -> bool:
    """A text message goes only to a valid mobile (gsm) number: never to a landline, a
    service number or an empty one. The front desk may still note a landline to call."""
    return phones.is_mobile(number)


def send(*, recipient: str, body: str) -> None:
    """Send now. Raises on failure: the outbox retries."""
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "file":
        path = Path(current_app.instance_path) / "sms.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"{clock.now().isoformat()}\t{recipient}\t{body}\n")
        return
    if backend != "http":
        raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
    payload = json.dumps({"to": recipient, "from": config["SMS_SENDER"], "text": body}).encode()
    gateway = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        config["SMS_GATEWAY_URL"],
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}",
        },
    )
    timeout = float(config.get("SMS_GATEWAY_TIMEOUT_SECONDS") or 15)
    # urlopen raises HTTPError for a 4xx/5xx answer and URLError/TimeoutError when the gateway
    # does not answer in time: the outbox counts an attempt and retries with back-off.
    with urllib.request.urlopen(gateway, timeout=timeout) as response:  # noqa: S310
        if response.status >= 300:
            raise RuntimeError(f"SMS gateway answered {response.status}")
