"""Records named for staff, many at once: "Afspraak 6KD-GVV bij Bibliotheek De Krook",
"Spreekuur ma 8 dec 14.00 in Bibliotheek De Krook", a digicoach's or a training group's name.

The audit log and the outbox keep only a kind of record and an id. `names_of` turns a page of
them into names with ONE query per kind of record on the page, never one per row.

Personal data: an appointment is named by its reference and its place, a walk-in by its queue
number; never a citizen's name, phone or e-mail. Staff and digicoaches are named by their name.
A record that no longer exists (a removed neighbourhood) reads "Wijk #4 (verwijderd)".

This module sits above every feature whose records it names and below the admin and reminders
pages that show them (the import contract in pyproject.toml).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, WalkIn
from digicoach.coaches.models import Coach
from digicoach.content.models import PageVersion
from digicoach.core.audit_labels import object_type_label
from digicoach.core.i18n import clock_time, format_day
from digicoach.core.message_kinds import kind_label
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.models import CalendarFeed, HelpSeries, HelpSession, Shift
from digicoach.helplog.models import HelpLog
from digicoach.partners.models import Offer, Organisation
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme
from digicoach.training.models import (
    Certification,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
)

Names = dict[tuple[str, str], str]


def _person(user: Any) -> Any:
    """A user's name, or their e-mail address when they have none yet (an open invitation)."""
    return func.coalesce(func.nullif(user.name, ""), user.email)


def _moment(moment: Any) -> str:
    """'ma 8 dec. 14.00': short, for a list."""
    return f"{format_day(moment, 'EEE d MMM')} {clock_time(moment)}"


def _session_words(starts_at: Any, place: str) -> str:
    return _("Help session %(moment)s in %(place)s", moment=_moment(starts_at), place=place)


def _plain(model: Any, column: Any) -> Callable[[list[int]], dict[int, str]]:
    def load(ids: list[int]) -> dict[int, str]:
        return dict(
            db.session.execute(select(model.id, column).where(model.id.in_(ids))).tuples().all()
        )

    return load


def _users(ids: list[int]) -> dict[int, str]:
    return dict(
        db.session.execute(select(User.id, _person(User)).where(User.id.in_(ids))).tuples().all()
    )


def _coaches(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Coach.id, _person(User))
        .join(User, User.id == Coach.user_id)
        .where(Coach.id.in_(ids))
    )
    return dict(rows.tuples().all())


def _appointments(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Appointment.id, Appointment.reference, Location.name)
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.id.in_(ids))
    )
    return {
        id_: _("Appointment %(reference)s at %(place)s", reference=reference, place=place)
        for id_, reference, place in rows
    }


def _walk_ins(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(WalkIn.id, WalkIn.number, WalkIn.day, Location.name)
        .join(Location, Location.id == WalkIn.location_id)
        .where(WalkIn.id.in_(ids))
    )
    return {
        id_: _(
            "Walk-in number %(number)d in %(place)s on %(day)s",
            number=number,
            place=place,
            day=format_day(day, "d MMM"),
        )
        for id_, number, day, place in rows
    }


def _help_sessions(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(HelpSession.id, HelpSession.starts_at, Location.name)
        .join(Location, Location.id == HelpSession.location_id)
        .where(HelpSession.id.in_(ids))
    )
    return {id_: _session_words(starts_at, place) for id_, starts_at, place in rows}


def _series(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(HelpSeries.id, Location.name)
        .join(Location, Location.id == HelpSeries.location_id)
        .where(HelpSeries.id.in_(ids))
    )
    return {id_: _("Help sessions in %(place)s", place=place) for id_, place in rows}


def _shifts(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Shift.id, _person(User), HelpSession.starts_at, Location.name)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .join(Coach, Coach.id == Shift.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(Shift.id.in_(ids))
    )
    return {
        id_: _("Shift of %(coach)s, %(session)s", coach=coach, session=_session_words(at, place))
        for id_, coach, at, place in rows
    }


def _feeds(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(CalendarFeed.id, _person(User))
        .join(Coach, Coach.id == CalendarFeed.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(CalendarFeed.id.in_(ids))
    )
    return {id_: _("Calendar link of %(coach)s", coach=coach) for id_, coach in rows}


def _help_logs(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(HelpLog.id, _person(User), HelpLog.helped_on)
        .join(Coach, Coach.id == HelpLog.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(HelpLog.id.in_(ids))
    )
    return {
        id_: _("Help logged by %(coach)s on %(day)s", coach=coach, day=format_day(day, "d MMM"))
        for id_, coach, day in rows
    }


def _neighbourhoods(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Neighbourhood.id, Neighbourhood.name, Municipality.name)
        .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
        .where(Neighbourhood.id.in_(ids))
    )
    return {id_: f"{name} ({municipality})" for id_, name, municipality in rows}


def _pages(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(PageVersion.id, PageVersion.title, PageVersion.version, PageVersion.language).where(
            PageVersion.id.in_(ids)
        )
    )
    return {
        id_: _("%(title)s (version %(version)d, %(language)s)", title=t, version=v, language=lang)
        for id_, t, v, lang in rows
    }


def _training_sessions(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.starts_at, Cohort.name)
        .join(Cohort, Cohort.id == TrainingSession.cohort_id)
        .where(TrainingSession.id.in_(ids))
    )
    return {
        id_: _("Training session %(moment)s, %(cohort)s", moment=_moment(at), cohort=cohort)
        for id_, at, cohort in rows
    }


def _enrolments(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Enrolment.id, _person(User), Cohort.name)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Coach, Coach.id == Enrolment.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(Enrolment.id.in_(ids))
    )
    return {
        id_: _("%(coach)s in %(cohort)s", coach=coach, cohort=cohort) for id_, coach, cohort in rows
    }


def _certifications(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Certification.id, Certification.number, _person(User))
        .join(Coach, Coach.id == Certification.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(Certification.id.in_(ids))
    )
    return {
        id_: _("Certificate %(number)s of %(coach)s", number=number, coach=coach)
        if number
        else _("Certificate of %(coach)s", coach=coach)
        for id_, number, coach in rows
    }


def _messages(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind).where(OutboxMessage.id.in_(ids))
    )
    return {id_: kind_label(kind) for id_, kind in rows}


_LOADERS: dict[str, Callable[[list[int]], dict[int, str]]] = {
    "User": _users,
    "Coach": _coaches,
    "Appointment": _appointments,
    "WalkIn": _walk_ins,
    "HelpSession": _help_sessions,
    "HelpSeries": _series,
    "Shift": _shifts,
    "CalendarFeed": _feeds,
    "HelpLog": _help_logs,
    "Municipality": _plain(Municipality, Municipality.name),
    "Neighbourhood": _neighbourhoods,
    "Location": _plain(Location, Location.name),
    "Programme": _plain(Programme, Programme.name),
    "Organisation": _plain(Organisation, Organisation.name),
    "Offer": _plain(Offer, Offer.title),
    "PageVersion": _pages,
    "TrainingModule": _plain(TrainingModule, TrainingModule.title),
    "Cohort": _plain(Cohort, Cohort.name),
    "TrainingSession": _training_sessions,
    "Enrolment": _enrolments,
    "Certification": _certifications,
    "OutboxMessage": _messages,
}
NAMED_TYPES = frozenset(_LOADERS)


def names_of(refs: Iterable[tuple[str, str | None]]) -> Names:
    """The names of (object type, id) pairs: one query per object type among them."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for object_type, object_id in refs:
        if object_type in _LOADERS and object_id and object_id.isdigit():
            wanted[object_type].add(int(object_id))
    names: Names = {}
    for object_type, ids in wanted.items():
        for id_, name in _LOADERS[object_type](sorted(ids)).items():
            names[(object_type, str(id_))] = name
    return names


def describe(object_type: str | None, object_id: str | None, names: Names) -> str:
    """The record in words, from `names` (see `names_of`); '' when the event names none."""
    if not object_type or object_type == "-":
        return ""
    kind = object_type_label(object_type)
    if object_id is None:
        return kind
    name = names.get((object_type, object_id))
    if name:
        return name
    if object_id == "*":
        return _("%(kind)s: all", kind=kind)
    if object_type in _LOADERS:
        return _("%(kind)s #%(id)s (no longer exists)", kind=kind, id=object_id)
    return _("%(kind)s #%(id)s", kind=kind, id=object_id)


__all__ = ["NAMED_TYPES", "Names", "describe", "names_of"]
