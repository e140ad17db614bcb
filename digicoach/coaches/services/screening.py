"""Staff work on an applicant before the decision: internal notes, the intake conversation
(with its calendar invitation) and the screening facts (coaches.rules says which count)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from digicoach.accounts.models import (
    User,
)
from digicoach.coaches import permissions
from digicoach.coaches.models import (
    Coach,
    CoachNote,
    Intake,
    ScreeningCheck,
    ScreeningItem,
)
from digicoach.coaches.services.mail import mail_coach
from digicoach.core import audit, ics, outbox
from digicoach.core.errors import FieldErrors, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places.models import Location

NOTE_MAX_LENGTH = 5000


# --- staff: notes, intake, screening ----------------------------------------------------------


def add_note(*, actor: User, coach: Coach, body: str, now: datetime) -> CoachNote:
    """Append an internal note. Notes are never edited: a correction is a new note."""
    ensure(permissions.can_manage_coach(actor, coach))
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": [_("Write the note.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            {"body": [_("Use at most %(count)d characters.", count=NOTE_MAX_LENGTH)]}
        )
    note = CoachNote(coach_id=coach.id, author_id=actor.id, created_at=now, body=text)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "coach.add_note", coach, ["notes"])
    return note


def plan_intake(
    *,
    actor: User,
    coach: Coach,
    starts_at: datetime,
    minutes: int,
    location_id: int | None,
    place: str,
    now: datetime,
) -> Intake:
    """Plan an intake conversation and send the applicant an invitation with a calendar file.

    Raises ValidationFailed for a moment in the past, an unreasonable length, a location of
    another municipality, or no place at all.
    """
    ensure(permissions.can_manage_coach(actor, coach))
    errors = FieldErrors()
    if starts_at <= now:
        errors.add("starts_at", _("Choose a moment in the future."))
    if not 15 <= minutes <= 240:
        errors.add("minutes", _("Choose a length between 15 and 240 minutes."))
    location = db.session.get(Location, location_id) if location_id is not None else None
    if location_id is not None and (
        location is None or location.municipality_id != coach.municipality_id
    ):
        errors.add("location", _("Choose a digipunt from the list."))
    if location_id is None and not place.strip():
        errors.add("place", _("Choose a digipunt or describe the place."))
    if len(place) > 200:
        errors.add("place", _("Use at most %(count)d characters.", count=200))
    errors.raise_if_any()
    intake = Intake(
        coach_id=coach.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location=location,
        place=place.strip(),
        planned_by_id=actor.id,
        planned_at=now,
    )
    db.session.add(intake)
    db.session.flush()
    audit.record(actor, "coach.plan_intake", coach, ["intake"])
    _send_intake(coach, intake)
    return intake


def _send_intake(coach: Coach, intake: Intake) -> None:
    user = coach.user
    with force_locale(user.language):
        event = ics.CalendarEvent(
            uid=f"intake-{intake.id}@{current_app.config['MAIL_MESSAGE_ID_DOMAIN']}",
            start=intake.starts_at,
            end=intake.ends_at,
            summary=_("Intake conversation digicoach"),
            location=intake.where,
            description=_("A conversation to get to know each other before you start."),
        )
    attachment = outbox.Attachment("intake.ics", ics.CONTENT_TYPE, ics.calendar_for([event]))
    mail_coach(
        user,
        kind="coaches.intake",
        dedupe_key=f"coaches.intake:{intake.id}",
        template="intake",
        subject=lambda: _("Invitation: getting to know each other"),
        attachment=attachment,
        intake=intake,
    )


def record_screening(
    *,
    actor: User,
    coach: Coach,
    checks: Mapping[str, date | None],
    insurance_reference: str | None,
    today: date,
    now: datetime,
) -> list[str]:
    """Record screening facts: item → the day it was checked (None leaves it as it is).

    Only the fact, the day and who checked are kept. A day in the future is refused.
    Returns the names of what changed.
    """
    ensure(permissions.can_manage_coach(actor, coach))
    errors = FieldErrors()
    for item, checked_on in checks.items():
        if item not in set(ScreeningItem):
            errors.add(item, _("Unknown check."))
        elif checked_on is not None and checked_on > today:
            errors.add(item, _("Choose today or a day in the past."))
    if insurance_reference is not None and len(insurance_reference) > 100:
        errors.add("insurance_reference", _("Use at most %(count)d characters.", count=100))
    errors.raise_if_any()
    changed = []
    for item, checked_on in checks.items():
        if checked_on is None:
            continue
        existing = coach.screening(ScreeningItem(item))
        if existing is None:
            coach.screening_checks.append(
                ScreeningCheck(
                    item=item, checked_on=checked_on, checked_by_id=actor.id, recorded_at=now
                )
            )
            changed.append(item)
        elif existing.checked_on != checked_on:
            existing.checked_on, existing.checked_by_id, existing.recorded_at = (
                checked_on,
                actor.id,
                now,
            )
            changed.append(item)
    if insurance_reference is not None and insurance_reference.strip() != (
        coach.insurance_reference or ""
    ):
        coach.insurance_reference = insurance_reference.strip()
        changed.append("insurance_reference")
    db.session.flush()
    if changed:
        audit.record(actor, "coach.screening", coach, changed)
    return changed
