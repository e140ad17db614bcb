"""The curriculum: a programme's modules and its certification threshold."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.core import audit
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, FieldErrors, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places.models import Programme
from digicoach.training import permissions
from digicoach.training.models import CertificationRule, TrainingModule, TrainingSession

NAME_MAX_LENGTH = 160
DESCRIPTION_MAX_LENGTH = 5000
MAX_MODULE_MINUTES = 100 * 60


@dataclass(frozen=True)
class ModuleInput:
    title: str
    description: str = ""
    required: bool = True
    expected_minutes: int | None = 0
    position: int | None = 0


def _validate_module(programme_id: int, data: ModuleInput, *, module_id: int | None) -> str:
    errors = FieldErrors()
    title = (data.title or "").strip()
    if not title:
        errors.add("title", _("Enter a title."))
    elif len(title) > NAME_MAX_LENGTH:
        errors.add("title", _("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))
    else:
        clash = db.session.scalar(
            select(TrainingModule.id).where(
                TrainingModule.programme_id == programme_id,
                TrainingModule.title == title,
                TrainingModule.id != (module_id or 0),
            )
        )
        if clash is not None:
            errors.add("title", _("This programme already has a module with this title."))
    if len(data.description or "") > DESCRIPTION_MAX_LENGTH:
        errors.add(
            "description", _("Use at most %(count)d characters.", count=DESCRIPTION_MAX_LENGTH)
        )
    if data.expected_minutes is None or not 0 <= data.expected_minutes <= MAX_MODULE_MINUTES:
        errors.add("expected_hours", _("Enter the hours as a number from 0 to 100."))
    if data.position is None or not 0 <= data.position <= 999:
        errors.add("position", _("Enter a number from 0 to 999."))
    errors.raise_if_any()
    return title


def add_module(*, actor: User, programme: Programme, data: ModuleInput) -> TrainingModule:
    """Add a curriculum module to a programme. Raises ValidationFailed per field."""
    ensure(permissions.can_manage_curriculum(actor))
    title = _validate_module(programme.id, data, module_id=None)
    module = TrainingModule(
        programme_id=programme.id,
        title=title,
        description=(data.description or "").strip(),
        required=bool(data.required),
        expected_minutes=data.expected_minutes or 0,
        position=data.position or 0,
    )
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "training.module.add", module, ["title", "required"])
    return module


def update_module(*, actor: User, module: TrainingModule, data: ModuleInput) -> TrainingModule:
    ensure(permissions.can_manage_curriculum(actor))
    title = _validate_module(module.programme_id, data, module_id=module.id)
    changed = assign(
        module,
        title=title,
        description=(data.description or "").strip(),
        required=bool(data.required),
        expected_minutes=data.expected_minutes or 0,
        position=data.position or 0,
    )
    db.session.flush()
    if changed:
        audit.record(actor, "training.module.update", module, changed)
    return module


def remove_module(*, actor: User, module: TrainingModule) -> None:
    """Remove a module no session covers yet. Raises Conflict otherwise."""
    ensure(permissions.can_manage_curriculum(actor))
    used = db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(TrainingSession.modules.any(TrainingModule.id == module.id))
    )
    if used:
        raise Conflict(
            _("Training sessions cover this module, so it stays. Make it optional instead.")
        )
    audit.record(actor, "training.module.remove", module, ["title"])
    db.session.delete(module)
    db.session.flush()


def set_threshold(*, actor: User, programme: Programme, percent: int | None) -> None:
    """Set a programme's own threshold (1..100), or None to follow the default setting."""
    ensure(permissions.can_manage_curriculum(actor))
    own = db.session.get(CertificationRule, programme.id)
    if percent is None:
        if own is not None:
            db.session.delete(own)
    else:
        if not 1 <= percent <= 100:
            raise ValidationFailed({"threshold_percent": [_("Enter a percentage from 1 to 100.")]})
        if own is None:
            db.session.add(CertificationRule(programme_id=programme.id, threshold_percent=percent))
        else:
            own.threshold_percent = percent
    db.session.flush()
    audit.record(actor, "training.threshold.set", programme, ["threshold_percent"])
