"""The installation's identity: its name, logo and main colour, set by an administrator.

One row (id 1) holds them; without it an installation is "digicoach" in the house colour.
Every page and e-mail shows them, so `branding()` reads only the small columns (never the
logo's bytes), and each process keeps what it read for BRANDING_CACHE_SECONDS (default 5): a
query per page was a sizeable share of a cheap page (issue 17). The process that saves a change
forgets its copy at once; every other gunicorn worker (and the scheduler) reads the row again
within those seconds. A time-to-live rather than a version check, because checking a version
would cost the same query the cache saves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import CheckConstraint, LargeBinary, String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, deferred, mapped_column

from digicoach.core.db import UTCDateTime
from digicoach.extensions import db

SETTINGS_ID = 1
DEFAULT_NAME = "digicoach"
DEFAULT_COLOUR = "#0b4f8a"
# The darker shade of the house colour in static/css/digicoach.css (--brand-dark).
DEFAULT_COLOUR_DARK = "#083a66"
NAME_MAX = 60


class InstallationSettings(db.Model):
    __tablename__ = "installation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default=DEFAULT_NAME)
    colour: Mapped[str] = mapped_column(String(7), default=DEFAULT_COLOUR)
    # Deferred: pages read the digest to build the logo's URL, only /brand/logo reads bytes.
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    logo_digest: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint(f"id = {SETTINGS_ID}", name="single_row"),)


@dataclass(frozen=True)
class Branding:
    """What pages and e-mails show: a plain snapshot, safe to keep after the session closes."""

    name: str = DEFAULT_NAME
    colour: str = DEFAULT_COLOUR
    logo_digest: str = ""

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_digest)

    @property
    def is_default_colour(self) -> bool:
        return self.colour == DEFAULT_COLOUR

    @property
    def colour_dark(self) -> str:
        return DEFAULT_COLOUR_DARK if self.is_default_colour else darker(self.colour)


DEFAULT_BRANDING = Branding()


def darker(colour: str, factor: float = 0.75) -> str:
    """The colour with each channel scaled towards black: the menu bar under the header.

    Darker only raises the contrast with white text, so a colour accepted for white text
    stays readable in its darker shade.
    """
    channels = [int(colour[index : index + 2], 16) for index in (1, 3, 5)]
    return "#" + "".join(f"{round(channel * factor):02x}" for channel in channels)


def load_branding() -> Branding:
    """Read the settings row (one query), or the defaults when there is none."""
    return _read_branding() or DEFAULT_BRANDING


def _read_branding() -> Branding | None:
    """The settings row (one query), the defaults when there is none, None when the database
    does not answer."""
    try:
        row = db.session.execute(
            select(
                InstallationSettings.name,
                InstallationSettings.colour,
                InstallationSettings.logo_digest,
            ).where(InstallationSettings.id == SETTINGS_ID)
        ).first()
    except SQLAlchemyError:
        # An error page must render even when the database does not answer.
        return None
    if row is None:
        return DEFAULT_BRANDING
    return Branding(
        name=row.name or DEFAULT_NAME,
        colour=row.colour or DEFAULT_COLOUR,
        logo_digest=row.logo_digest or "",
    )


class _ProcessCache:
    """The branding this process read, and until when (time.monotonic) it stands. Kept in
    `app.extensions`; one attribute holds both, so threads swap it whole."""

    def __init__(self) -> None:
        self.entry: tuple[Branding, float] | None = None


def _process_cache() -> _ProcessCache:
    return current_app.extensions.setdefault("digicoach_branding", _ProcessCache())


def branding() -> Branding:
    """The installation's identity, from this process's copy while it is fresh."""
    if not has_app_context():
        return load_branding()
    if not has_request_context():
        return _from_process_cache()
    if getattr(request, "_digicoach_branding_changed", False):
        # This request changed it, maybe not committed yet: read, but keep no copy.
        return load_branding()
    # One answer for the whole page, even when the process copy expires halfway.
    found = getattr(request, "_digicoach_branding", None)
    if found is None:
        found = _from_process_cache()
        request._digicoach_branding = found  # type: ignore[attr-defined]
    return found


def _from_process_cache() -> Branding:
    cache = _process_cache()
    entry = cache.entry
    now = time.monotonic()
    if entry is not None and now < entry[1]:
        return entry[0]
    found = _read_branding()
    if found is None:
        return DEFAULT_BRANDING  # not kept: the next page asks the database again
    cache.entry = (found, now + float(current_app.config["BRANDING_CACHE_SECONDS"]))
    return found


def forget_branding() -> None:
    """After a change: this process reads the settings again when they are next shown (other
    processes within BRANDING_CACHE_SECONDS)."""
    if not has_app_context():
        return
    _process_cache().entry = None
    if has_request_context():
        request._digicoach_branding_changed = True  # type: ignore[attr-defined]
        request._digicoach_branding = None  # type: ignore[attr-defined]
