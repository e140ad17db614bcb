"""Who may see the progress dashboard and export its figures.

Admins see every programme; coordinators the programmes that include one of their
municipalities, with figures of their municipalities only. The public impact page needs no
predicate: it shows only totals, with small numbers suppressed.
"""

from __future__ import annotations

from digicoach.accounts.models import Role, User


def can_view_progress(actor: User) -> bool:
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_export_progress(actor: User) -> bool:
    return can_view_progress(actor)
