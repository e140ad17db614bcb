"""At and after the appointment: check-in, no-show, the call list, the nightly no-shows."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.bookings import permissions, rules
from digicoach.bookings.models import (
    Appointment,
    AppointmentStatus,
)
from digicoach.bookings.services.common import (
    NotChangeable,
    _lock,
)
from digicoach.core import audit
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession


def check_in(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The citizen arrived (also after a hasty 'no-show'). Raises NotChangeable."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    if not rules.may_check_in(appointment.status):
        raise NotChangeable(_("This appointment is cancelled."))
    appointment.status = AppointmentStatus.ATTENDED
    appointment.checked_in_at = now
    db.session.flush()
    audit.record(actor, "bookings.appointment.check_in", appointment, ["status"])
    return appointment


def mark_no_show(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The citizen did not come. Only once the appointment has started."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise NotChangeable(_("Only a booked appointment can be marked as not come."))
    if now < appointment.start:
        raise NotChangeable(_("The appointment has not started yet."))
    appointment.status = AppointmentStatus.NO_SHOW
    db.session.flush()
    audit.record(actor, "bookings.appointment.no_show", appointment, ["status"])
    return appointment


def mark_called(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The front desk called a citizen on the call list."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    appointment.called_at = now
    db.session.flush()
    audit.record(actor, "bookings.appointment.called", appointment, ["called_at"])
    return appointment


def mark_no_shows(*, now: datetime) -> int:
    """Booked appointments of sessions that ended without a check-in become no-shows."""
    rows = db.session.scalars(
        select(Appointment)
        .join(HelpSession, HelpSession.id == Appointment.help_session_id)
        .where(Appointment.status == AppointmentStatus.BOOKED, HelpSession.ends_at <= now)
    ).all()
    for appointment in rows:
        if rules.is_no_show(appointment.status, appointment.session.ends_at, now):
            appointment.status = AppointmentStatus.NO_SHOW
            audit.record(None, "bookings.appointment.no_show", appointment, ["status"])
    db.session.flush()
    return len(rows)
