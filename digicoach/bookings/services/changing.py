"""Cancelling and moving an appointment: by the citizen, the desk, or the organiser."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.bookings import free_places, permissions, queries, signals
from digicoach.bookings.models import (
    Appointment,
    AppointmentStatus,
    Slot,
)
from digicoach.bookings.services.booking import _assign_coach, take_slot_place
from digicoach.bookings.services.common import (
    _already_booked,
    _ensure_changeable,
    _lock,
)
from digicoach.bookings.services.notices import notify
from digicoach.bookings.services.validation import check_fit, check_slot
from digicoach.core import audit
from digicoach.core.db import release_place
from digicoach.core.errors import FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession


def cancel(
    *,
    actor: User | None,
    appointment: Appointment,
    now: datetime,
    manage_token: str | None = None,
    locked: bool = False,
) -> Appointment:
    """Cancel a booked appointment (the citizen through the manage link, or the desk) until it
    starts; its place goes back to the slot. Raises NotChangeable, PermissionDenied.

    `locked`: the caller read the appointment with its row lock in this transaction
    (`queries.appointment_by_token(..., lock=True)`), so it is not locked and read again."""
    if actor is not None and manage_token is None:
        ensure(permissions.can_handle_appointment(actor, appointment))
    if not locked:
        _lock(appointment)
    _ensure_changeable(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    release_place(Slot, appointment.slot_id, "taken")
    free_places.changed(appointment.location_id)
    db.session.flush()
    audit.record(actor, "bookings.appointment.cancel", appointment, ["status"])
    notify(appointment, "cancelled")
    signals.appointment_cancelled.send(appointment, now=now)
    return appointment


def move(
    *,
    actor: User | None,
    appointment: Appointment,
    help_session_id: Any,
    start: Any,
    now: datetime,
    manage_token: str | None = None,
) -> Appointment:
    """Move a booked appointment to another slot at the same location: take the new place
    first, then give the old one back. Raises ValidationFailed, SlotFull, NotChangeable."""
    staff = actor is not None and manage_token is None
    if staff:
        ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    _ensure_changeable(appointment, now)
    errors = FieldErrors()
    session, clean_start = check_slot(help_session_id, start, now=now, staff=staff, errors=errors)
    if session is not None and session.location_id != appointment.location_id:
        errors.add("help_session_id", _("Choose a time at the same digital help point."))
    if session is not None and (session.id, clean_start) == (
        appointment.help_session_id,
        appointment.start,
    ):
        errors.add("start", _("This is the time you have already. Choose another time."))
    if session is not None:
        # The appointment keeps its topic and language, so the new session must take both.
        check_fit(
            session,
            topic=appointment.topic,
            language=appointment.language,
            errors=errors,
            field="help_session_id",
        )
    errors.raise_if_any()
    assert session is not None and clean_start is not None
    if appointment.citizen_key and queries.holds_place_at(
        appointment.citizen_key, session.id, clean_start
    ):
        raise _already_booked()
    new_slot = take_slot_place(session, clean_start)
    release_place(Slot, appointment.slot_id, "taken")
    free_places.changed(appointment.location_id)
    appointment.help_session_id = session.id
    appointment.slot_id = new_slot
    appointment.start = clean_start
    appointment.end = clean_start + timedelta(minutes=session.slot_minutes)
    appointment.assigned_coach_id = _assign_coach(
        session, language=appointment.language, topic=appointment.topic
    )
    db.session.flush()
    db.session.refresh(appointment)
    audit.record(actor if staff else None, "bookings.appointment.move", appointment, ["start"])
    notify(appointment, "moved", manage_token=manage_token)
    signals.appointment_moved.send(appointment, now=now)
    return appointment


# --- the organiser cancels --------------------------------------------------------------------


def cancel_by_organiser(session: HelpSession, *, actor: User | None, now: datetime) -> int:
    """Every booked appointment of a cancelled session becomes `cancelled_by_organiser`; the
    citizens are told by SMS and/or e-mail; those without e-mail land on the call list."""
    appointments = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.help_session_id == session.id,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .with_for_update()
    ).all()
    for appointment in appointments:
        appointment.status = AppointmentStatus.CANCELLED_BY_ORGANISER
        appointment.cancelled_at = now
        release_place(Slot, appointment.slot_id, "taken")
        free_places.changed(appointment.location_id)
    db.session.flush()
    for appointment in appointments:
        audit.record(actor, "bookings.appointment.cancel_by_organiser", appointment, ["status"])
        notify(appointment, "cancelled_by_organiser")
    return len(appointments)
