"""Who may see the outbox and the scheduler's state: administrators only (the page shows
whom we write to, masked, and why sending failed). Who may change a programme's reminder
settings: administrators, and the coordinators of all of the programme's municipalities."""

from __future__ import annotations

from digicoach.accounts.models import Role, User
from digicoach.places.models import Programme


def can_manage_outbox(actor: User) -> bool:
    return actor.is_admin


def can_see_scheduler_warning(actor: User) -> bool:
    return actor.is_admin


def can_open_reminder_settings(actor: User) -> bool:
    """The route guard of a programme's reminder settings: admins and coordinators; which
    programme is decided by `can_manage_reminder_settings`."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_manage_reminder_settings(actor: User, programme: Programme) -> bool:
    """Admins, for every programme. A coordinator, for a programme whose municipalities they
    all coordinate. Coordinators manage their own municipalities (places.permissions), and
    the settings of a programme that also covers another municipality change the reminders
    there too, so for an inter-municipal programme they are an admin's to change.
    """
    if actor.is_admin:
        return True
    if not actor.has_role(Role.COORDINATOR):
        return False
    covered = {municipality.id for municipality in programme.municipalities}
    return bool(covered) and covered <= actor.municipality_ids
