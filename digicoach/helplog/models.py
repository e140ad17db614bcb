"""The help log (hulpregistratie): what help a digicoach gave, and to how many citizens.

No personal data: no names, no free text about the citizen. A log made from an appointment
keeps a copy of the appointment's citizen key (an HMAC, see core.citizens), so a citizen who
comes twice counts once, and the count survives the purge of the appointment's contact data.
A walk-in log has no key; `citizens` says how many citizens it covers and `first_visit` whether
they came for the first time (see progress.rules for the counting rule).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.bookings.models import Appointment
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession

# A log covers at most a long day's work; more is a typing error (600 instead of 60).
MAX_MINUTES = 480
MAX_CITIZENS = 50
QUICK_MINUTES = (15, 30, 45, 60)


class Outcome(StrEnum):
    SOLVED = "solved"
    PARTLY = "partly"
    REFERRED = "referred"


OUTCOME_LABELS = {
    Outcome.SOLVED: _l("Solved"),
    Outcome.PARTLY: _l("Partly solved"),
    Outcome.REFERRED: _l("Referred"),
}


class Referral(StrEnum):
    OCMW = "ocmw"
    LIBRARY = "library"
    BANK = "bank"
    OTHER = "other"


REFERRAL_LABELS = {
    Referral.OCMW: _l("OCMW (social services)"),
    Referral.LIBRARY: _l("Library"),
    Referral.BANK: _l("Bank"),
    Referral.OTHER: _l("Somewhere else"),
}


class HelpLog(db.Model):
    __tablename__ = "help_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="RESTRICT"), index=True)
    help_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_session.id", ondelete="SET NULL"), index=True
    )
    # The appointment the help was given for (one log per appointment). The log copies what
    # it counts (the citizen key, the language), so the figures never depend on it.
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), unique=True
    )
    # The walk-in the help was given to (one log per walk-in), when logged from the queue.
    walk_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("walk_in.id", ondelete="SET NULL"), unique=True
    )
    # Copied for scope and figures, so dashboards need no join through sessions and locations.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    # The local (Brussels) day the help was given.
    helped_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(SmallInteger)
    citizens: Mapped[int] = mapped_column(SmallInteger, default=1)
    first_visit: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str] = mapped_column(String(10))
    referred_to: Mapped[str | None] = mapped_column(String(10))
    did_it_themselves: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the help was given in (a code of core.vocabulary.SPOKEN_LANGUAGES).
    language: Mapped[str] = mapped_column(String(8), default="nl")
    # HMAC of the citizen's phone or e-mail, copied from the appointment; None for walk-ins.
    citizen_key: Mapped[str | None] = mapped_column(String(64), index=True)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    coach: Mapped[Coach] = relationship()
    session: Mapped[HelpSession | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    topic_rows: Mapped[list[HelpLogTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HelpLogTopic.code"
    )

    __table_args__ = (
        CheckConstraint(f"minutes > 0 AND minutes <= {MAX_MINUTES}", name="minutes_range"),
        CheckConstraint(f"citizens >= 1 AND citizens <= {MAX_CITIZENS}", name="citizens_range"),
        CheckConstraint("outcome IN ('solved', 'partly', 'referred')", name="outcome_known"),
        CheckConstraint(
            "referred_to IS NULL OR referred_to IN ('ocmw', 'library', 'bank', 'other')",
            name="referral_known",
        ),
        Index("ix_help_log_municipality_day", "municipality_id", "helped_on"),
        # "Active in the last 90 days" reads a range of days for its coaches (progress).
        Index("ix_help_log_day_coach", "helped_on", "coach_id"),
    )

    @property
    def topics(self) -> list[str]:
        return [row.code for row in self.topic_rows]


class HelpLogTopic(db.Model):
    __tablename__ = "help_log_topic"

    log_id: Mapped[int] = mapped_column(
        ForeignKey("help_log.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.TOPICS.
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


__all__ = ["HelpLog", "HelpLogTopic", "Outcome", "Referral"]
