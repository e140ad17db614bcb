"""Inviting matching coaches for a help session, and saying why nobody was invited.

A planner asks the app to invite the coaches who fit a session. Every working coach who serves the
location's municipality (home, or chosen in the coach pool) and is not on the session yet is a
candidate; `assess` notes what keeps
each one out (rules.mismatches: language, topic, neighbourhood, usual availability, e-mail;
then another shift at that time and an invitation for this version of the session already
sent). Those with nothing against them get a one-click link by e-mail. When nobody does,
rules.why_nobody gives the reason and the nearest candidates with what they lack, so the page
can say "nobody speaks Arabic; closest: Jan (no Arabic)" instead of a bare "nobody".

Services never commit; the caller's unit of work does, and the mail leaves through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts import tokens
from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, messages, outbox, vocabulary
from digicoach.core.errors import Conflict
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries, rules
from digicoach.helpdesk.models import HelpSession
from digicoach.helpdesk.services.common import mail_coach
from digicoach.helpdesk.services.invitations import INVITE_PURPOSE


@dataclass(frozen=True)
class Candidate:
    """A working coach who serves the municipality (home or pool) and is not on the session,
    and what keeps them from being invited (empty: they are invited)."""

    coach: Coach
    misses: tuple[str, ...]


@dataclass(frozen=True)
class InvitationOutcome:
    """How many coaches were invited now, and when none was, why (see rules.why_nobody)."""

    invited: int
    reason: str | None = None
    near: tuple[Candidate, ...] = ()


def session_facts(session: HelpSession) -> rules.SessionFacts:
    local = clock.local(session.starts_at)
    return rules.SessionFacts(
        weekday=local.isoweekday(),
        daypart=rules.daypart(local.time()),
        languages=frozenset(session.languages),
        topics=frozenset(session.topics),
        neighbourhood_id=session.location.neighbourhood_id,
    )


def coach_facts(coach: Coach, municipality_id: int | None = None) -> rules.CoachFacts:
    """What matching needs of a coach. The neighbourhoods are those chosen in `municipality_id`
    (the session's): a coach of the pool who chose none there helps anywhere in it."""
    rows = coach.neighbourhood_rows
    if municipality_id is not None:
        rows = [row for row in rows if row.neighbourhood.municipality_id == municipality_id]
    return rules.CoachFacts(
        status=coach.status,
        languages=frozenset(coach.languages),
        topics=frozenset(coach.topics),
        neighbourhood_ids=frozenset(row.neighbourhood_id for row in rows),
        availability=frozenset(coach.availability),
        wants_email=coach.notify_email,
    )


def invitation_key(session: HelpSession, coach_id: int) -> str:
    """One invitation per coach per version of the session (the outbox's dedupe key)."""
    return f"helpdesk.invite:{session.id}:{coach_id}:{session.revision}"


def _period(session: HelpSession) -> rules.Period:
    return rules.Period(session.starts_at, session.ends_at)


def assess(session: HelpSession) -> list[Candidate]:
    """Every candidate for an invitation to `session`, with what keeps them out, in a fixed
    number of queries (candidates with their profiles, their shifts around the session, the
    invitations sent for this version)."""
    coaches = queries.invitation_candidates(session)
    facts = session_facts(session)
    period = _period(session)
    busy = queries.busy_periods(
        [c.id for c in coaches], around=period, exclude_session_id=session.id
    )
    keys = {c.id: invitation_key(session, c.id) for c in coaches}
    sent = (
        set(
            db.session.scalars(
                select(outbox.OutboxMessage.dedupe_key).where(
                    outbox.OutboxMessage.dedupe_key.in_(list(keys.values()))
                )
            )
        )
        if keys
        else set()
    )
    found = []
    for coach in coaches:
        misses = list(rules.mismatches(coach_facts(coach, session.location.municipality_id), facts))
        if rules.first_overlap(period, busy.get(coach.id, [])) is not None:
            misses.append(rules.BUSY)
        if keys[coach.id] in sent:
            misses.append(rules.INVITED)
        found.append(Candidate(coach, rules.ordered_misses(misses)))
    return found


def invite_matching_coaches(
    *, actor: User, session: HelpSession, now: datetime
) -> InvitationOutcome:
    """E-mail every matching coach a one-click sign-up link (a single-use token that expires
    when the session starts). A coach is invited once per version of the session. Returns how
    many were invited now and, when none, why (rules.why_nobody) with the nearest candidates.
    Raises Conflict for a cancelled or started session."""
    ensure(permissions.can_manage_help_session(actor, session))
    if session.is_cancelled:
        raise Conflict(_("This help session is cancelled."))
    if session.starts_at <= now:
        raise Conflict(_("This help session has started already."))
    candidates = assess(session)
    invited = 0
    for candidate in candidates:
        if candidate.misses:
            continue
        coach = candidate.coach
        token = tokens.issue(
            INVITE_PURPOSE,
            user=coach.user,
            lifetime=session.starts_at - now,
            now=now,
            payload=str(session.id),
        )
        mail_coach(
            coach,
            kind="helpdesk.invitation",
            dedupe_key=invitation_key(session, coach.id),
            template="invitation",
            subject=lambda: _("Can you help at a help session?"),
            session=session,
            link=messages.absolute_url("helpdesk.invitation", token=token),
            send_not_after=session.starts_at,
        )
        invited += 1
    audit.record(actor, "helpdesk.session.invite", session, ["invitations"] if invited else [])
    if invited:
        return InvitationOutcome(invited)
    nobody = rules.why_nobody({c.coach.id: c.misses for c in candidates})
    if nobody is None:  # cannot be: a candidate without misses was invited above
        return InvitationOutcome(0)
    by_id = {c.coach.id: c for c in candidates}
    return InvitationOutcome(0, nobody.reason, tuple(by_id[i] for i in nobody.near))


# --- in words, for the page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why nobody was invited, in the reader's language: one sentence, and per near match the
    coach's name and what they lack."""

    reason: str
    near: tuple[tuple[str, str], ...]


def _list_words(words: list[str]) -> str:
    return ", ".join(words) if words else "\N{EN DASH}"


def _when_words(session: HelpSession) -> str:
    local = clock.local(session.starts_at)
    return _(
        "%(weekday)s %(daypart)s",
        weekday=vocabulary.label(vocabulary.WEEKDAYS, str(local.isoweekday())).lower(),
        daypart=vocabulary.label(vocabulary.DAYPARTS, rules.daypart(local.time())).lower(),
    )


def _reason_words(reason: str, session: HelpSession) -> str:
    languages = _list_words(vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, session.languages))
    topics = _list_words(vocabulary.labels(vocabulary.TOPICS, session.topics))
    neighbourhood = session.location.neighbourhood
    sentences = {
        rules.NO_CANDIDATES: _(
            "Every digicoach of this municipality who can take shifts is on this session "
            "already, or there is none yet."
        ),
        rules.NOT_WORKING: _("No digicoach of this municipality can take shifts yet."),
        rules.LANGUAGE: _(
            "Nobody speaks a language of this session (%(languages)s).", languages=languages
        ),
        rules.TOPIC: _("Nobody helps with the topics of this session (%(topics)s).", topics=topics),
        rules.NEIGHBOURHOOD: _(
            "Nobody who fits helps in %(neighbourhood)s.",
            neighbourhood=neighbourhood.name if neighbourhood else "\N{EN DASH}",
        ),
        rules.AVAILABILITY: _(
            "Nobody who fits is usually free on %(when)s.", when=_when_words(session)
        ),
        rules.BUSY: _("Everyone who fits has another shift at that time."),
        rules.NO_EMAIL: _(
            "Everyone who fits chose not to get e-mail: call them or add them yourself."
        ),
        rules.INVITED: _("Everyone who fits was invited for this session already."),
    }
    return sentences.get(reason, sentences[rules.NO_CANDIDATES])


def _miss_words(miss: str, session: HelpSession) -> str:
    if miss == rules.LANGUAGE:
        return _(
            "does not speak %(languages)s",
            languages=_list_words(
                vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, session.languages)
            ),
        )
    if miss == rules.TOPIC:
        return _(
            "does not help with %(topics)s",
            topics=_list_words(vocabulary.labels(vocabulary.TOPICS, session.topics)),
        )
    words = {
        rules.NOT_WORKING: _("cannot take shifts yet"),
        rules.NEIGHBOURHOOD: _("helps in other neighbourhoods"),
        rules.AVAILABILITY: _("is usually not free on %(when)s", when=_when_words(session)),
        rules.BUSY: _("has another shift at that time"),
        rules.NO_EMAIL: _("gets no e-mail"),
        rules.INVITED: _("was invited already"),
    }
    return words.get(miss, miss)


def explain(outcome: InvitationOutcome, session: HelpSession) -> Explanation | None:
    """The outcome of an invitation that reached nobody, in words; None when someone was
    invited."""
    if outcome.invited or outcome.reason is None:
        return None
    return Explanation(
        reason=_reason_words(outcome.reason, session),
        near=tuple(
            (
                candidate.coach.user.name,
                ", ".join(_miss_words(miss, session) for miss in candidate.misses),
            )
            for candidate in outcome.near
        ),
    )
