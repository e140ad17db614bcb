"""Texts admins edit, kept as versions so we can prove which version someone accepted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db


class PageSlug(StrEnum):
    ACCESSIBILITY = "accessibility"
    PRIVACY = "privacy"
    # The organisatienota the Belgian volunteer law requires us to hand to every volunteer.
    VOLUNTEER_NOTE = "volunteer-note"
    # What a citizen who borrows a device agrees to (device loans).
    LOAN_AGREEMENT = "loan-agreement"


class PageVersion(db.Model):
    """One published version of a page in one language. Versions are never edited, only added."""

    __tablename__ = "page_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __table_args__ = (UniqueConstraint("slug", "language", "version"),)
