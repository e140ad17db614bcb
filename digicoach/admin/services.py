"""The installation's identity: an administrator sets its name, logo and main colour.

A change is checked as a whole before anything is written: a refused colour or logo leaves the
name, colour and logo as they were. The audit log names the fields that changed, never values.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.admin import rules
from digicoach.admin.permissions import can_manage_installation
from digicoach.core import audit
from digicoach.core.errors import ValidationFailed
from digicoach.core.installation import (
    NAME_MAX,
    SETTINGS_ID,
    InstallationSettings,
    forget_branding,
)
from digicoach.core.permissions import ensure
from digicoach.extensions import db


@dataclass(frozen=True)
class IdentityChange:
    name: str
    colour: str
    # The bytes of a new logo; None keeps the current one.
    logo: bytes | None = None
    remove_logo: bool = False


def installation_settings() -> InstallationSettings | None:
    return db.session.execute(
        select(InstallationSettings).where(InstallationSettings.id == SETTINGS_ID)
    ).scalar_one_or_none()


def change_identity(*, actor: Any, change: IdentityChange, now: datetime) -> InstallationSettings:
    """Save the installation's name, main colour and logo.

    Raises PermissionDenied unless the actor may manage the installation, and ValidationFailed
    (per field, nothing saved) for an empty or long name, a colour too light for white text
    on it or for links in it on white and light grey (WCAG AA, 4.5 to 1), or a logo that is
    not a PNG, JPEG or WebP image of at most 512 KB.
    """
    ensure(can_manage_installation(actor))
    errors: dict[str, list[Any]] = {}
    name = " ".join(change.name.split())
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Use at most 60 characters.")]

    colour = rules.parse_colour(change.colour)
    if colour is None:
        errors["colour"] = [_("Enter a colour code like #0b4f8a.")]
    elif not rules.is_readable_main_colour(colour):
        # Rounded down, so a colour just below the limit never reads "4.5".
        ratio = math.floor(rules.weakest_contrast(colour) * 10) / 10
        errors["colour"] = [
            _(
                "This colour is too light: white text on it and links in it need a contrast "
                "of at least 4.5 to 1, and it has %(ratio)s to 1. Choose a darker colour.",
                ratio=format_decimal(ratio, format="0.0"),
            )
        ]

    logo_type = None
    if change.logo is not None and not change.remove_logo:
        if len(change.logo) > rules.LOGO_MAX_BYTES:
            errors["logo"] = [_("This image is too large: choose one of at most 512 KB.")]
        else:
            logo_type = rules.sniff_image_type(change.logo)
            if logo_type is None:
                errors["logo"] = [_("Choose a PNG, JPEG or WebP image for the logo.")]
    if errors:
        raise ValidationFailed(errors)
    assert colour is not None

    settings = installation_settings()
    if settings is None:
        settings = InstallationSettings(id=SETTINGS_ID, name="", colour="", logo_type="")
        settings.logo_digest = ""
        db.session.add(settings)
    changed = []
    if settings.name != name:
        settings.name = name
        changed.append("name")
    if settings.colour != colour:
        settings.colour = colour
        changed.append("colour")
    if change.remove_logo and settings.logo_digest:
        settings.logo, settings.logo_type, settings.logo_digest = None, "", ""
        changed.append("logo")
    elif change.logo is not None and logo_type is not None:
        digest = hashlib.sha256(change.logo).hexdigest()
        if digest != settings.logo_digest:
            settings.logo, settings.logo_type, settings.logo_digest = change.logo, logo_type, digest
            changed.append("logo")
    if changed:
        settings.updated_at = now
        db.session.flush()
        audit.record(actor, "installation.change", settings, changed)
        forget_branding()
    return settings
