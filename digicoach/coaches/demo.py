"""Demo data for coaches (about 60, in every pipeline status) and version 1 of the public texts.

Deterministic: the same random source gives the same coaches. Flush only; the caller commits.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.accounts import services as account_services
from digicoach.accounts.models import Role, User
from digicoach.coaches import rules
from digicoach.coaches.default_texts import TEXTS
from digicoach.coaches.models import (
    Coach,
    CoachAvailability,
    CoachLanguage,
    CoachMunicipality,
    CoachNeighbourhood,
    CoachNote,
    CoachStatus,
    CoachStatusChange,
    CoachTopic,
    HeardFrom,
    ScreeningCheck,
    ScreeningItem,
)
from digicoach.content.models import PageSlug, PageVersion
from digicoach.core import audit, clock, vocabulary
from digicoach.extensions import db

DEMO_EMAIL_DOMAIN = "coaches.demo.digicoach.be"

FIRST_NAMES = (
    "Lotte",
    "Wout",
    "Fatima",
    "Mehmet",
    "Els",
    "Pieter",
    "Yasmina",
    "Jonas",
    "Hanne",
    "Karim",
    "Marleen",
    "Bram",
    "Nadia",
    "Joris",
    "Aïcha",
    "Tom",
    "Ines",
    "Youssef",
    "Griet",
    "Stijn",
    "Oksana",
    "Arne",
    "Leen",
    "Samir",
    "Marie",
    "Koen",
    "Elif",
    "Ruben",
    "Annelies",
    "Dries",
)
LAST_NAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Van den Broeck",
    "El Amrani",
    "Yilmaz",
    "Dubois",
    "Vermeulen",
    "Desmet",
    "Kowalska",
    "Bouzid",
    "Van Damme",
    "Verhaeghe",
    "Demir",
    "Lambrecht",
)
MOTIVATIONS = (
    "Ik help mijn ouders al jaren met hun smartphone en doe dat graag voor anderen.",
    "Sinds mijn pensioen heb ik tijd. Ik wil iets doen voor de buurt.",
    "Ik spreek Arabisch en zie veel mensen die vastlopen met itsme.",
    "Ik werk in de IT en wil mijn kennis delen.",
    "Als student wil ik iets zinvols doen naast mijn studie.",
    "",
)

# About 60 coaches; the mix mirrors a programme a year underway.
STATUS_MIX = {
    CoachStatus.APPLIED: 12,
    CoachStatus.APPROVED: 6,
    CoachStatus.REJECTED: 4,
    CoachStatus.IN_TRAINING: 10,
    CoachStatus.CERTIFIED: 8,
    CoachStatus.ACTIVE: 14,
    CoachStatus.DORMANT: 4,
    CoachStatus.LEFT: 2,
}
# The road each status took, from `applied`.
PATHS = {
    CoachStatus.APPLIED: [],
    CoachStatus.APPROVED: [CoachStatus.APPROVED],
    CoachStatus.REJECTED: [CoachStatus.REJECTED],
    CoachStatus.IN_TRAINING: [CoachStatus.APPROVED, CoachStatus.IN_TRAINING],
    CoachStatus.CERTIFIED: [CoachStatus.APPROVED, CoachStatus.IN_TRAINING, CoachStatus.CERTIFIED],
    CoachStatus.ACTIVE: [
        CoachStatus.APPROVED,
        CoachStatus.IN_TRAINING,
        CoachStatus.CERTIFIED,
        CoachStatus.ACTIVE,
    ],
    CoachStatus.DORMANT: [
        CoachStatus.APPROVED,
        CoachStatus.IN_TRAINING,
        CoachStatus.CERTIFIED,
        CoachStatus.ACTIVE,
        CoachStatus.DORMANT,
    ],
    CoachStatus.LEFT: [
        CoachStatus.APPROVED,
        CoachStatus.IN_TRAINING,
        CoachStatus.CERTIFIED,
        CoachStatus.ACTIVE,
        CoachStatus.LEFT,
    ],
}


def publish_default_texts(*, now: datetime | None = None) -> list[PageVersion]:
    """Publish version 1 of the privacy notice, the volunteer note and the accessibility
    statement in nl, fr and en, where no version exists yet. Returns what it published."""
    moment = now or clock.now()
    published = []
    for slug, by_language in TEXTS.items():
        for language, (title, body) in by_language.items():
            exists = db.session.scalar(
                select(PageVersion.id).where(
                    PageVersion.slug == slug, PageVersion.language == language
                )
            )
            if exists is not None:
                continue
            version = PageVersion(
                slug=PageSlug(slug).value,
                language=language,
                version=1,
                title=title,
                body=body,
                published_at=moment,
                published_by_id=None,
            )
            db.session.add(version)
            published.append(version)
    db.session.flush()
    for version in published:
        audit.record(None, "page.publish", version, ["title", "body"])
    return published


def seed_coaches(
    *,
    rng: random.Random,
    places: dict[str, Any],
    now: datetime | None = None,
    coach_user: User | None = None,
) -> list[Coach]:
    """About 60 coaches across all statuses in the demo municipalities.

    `places` is what `places.demo.seed_places` returns. `coach_user`, when given (the demo
    coach account), gets an active coach profile so /me has something to show.
    """
    moment = now or clock.now()
    municipalities = list(places["municipalities"].values())
    admin = db.session.scalar(
        select(User).where(User.role_rows.any(role=Role.ADMIN.value)).order_by(User.id).limit(1)
    )
    statuses = [status for status, count in STATUS_MIX.items() for _ in range(count)]
    spread = _spread(municipalities)
    seen: dict[str, int] = {}
    coaches = []
    for number, status in enumerate(statuses, start=1):
        # The coaches of each status spread over the municipalities by their digipunten, so
        # every digipunt has coaches for its sessions (and each group its trainees).
        nth = seen[status] = seen.get(status, -1) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        address = f"{_slug(first)}.{_slug(last)}.{number}@{DEMO_EMAIL_DOMAIN}"
        applied_at = moment - timedelta(days=rng.randint(3, 400), hours=rng.randint(0, 10))
        if status == CoachStatus.APPLIED:
            applied_at = moment - timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 10))
        user = account_services.create_user(
            actor=None,
            email=address,
            name=f"{first} {last}",
            roles=[Role.COACH],
            language=rng.choice(("nl", "nl", "nl", "fr", "en")),
            verified_at=applied_at + timedelta(minutes=rng.randint(2, 600)),
            now=applied_at,
        )
        coaches.append(
            _coach(
                rng,
                user,
                first,
                last,
                status,
                applied_at,
                spread[nth % len(spread)],
                admin,
                moment,
            )
        )
    pool_coach = _pool_coach(places, admin, moment)
    if pool_coach is not None:
        coaches.append(pool_coach)
    if coach_user is not None:
        first, _space, last = coach_user.name.partition(" ")
        coaches.append(
            _coach(
                rng,
                coach_user,
                first,
                last,
                CoachStatus.ACTIVE,
                moment - timedelta(days=120),
                municipalities[0],
                admin,
                moment,
            )
        )
    db.session.flush()
    return coaches


def _pool_coach(places: dict[str, Any], staff: User | None, now: datetime) -> Coach | None:
    """A coach of the pool: she lives in Gent and works in Antwerpen, so she helps in both
    (the programme spans them). Her own random source keeps every other demo row as it was."""
    municipalities = places["municipalities"]
    home, work = municipalities.get("Gent"), municipalities.get("Antwerpen")
    if home is None or work is None:
        return None
    rng = random.Random(19)
    applied_at = now - timedelta(days=200)
    user = account_services.create_user(
        actor=None,
        email=f"sofie.vandamme.pool@{DEMO_EMAIL_DOMAIN}",
        name="Sofie Van Damme",
        roles=[Role.COACH],
        language="nl",
        verified_at=applied_at + timedelta(minutes=40),
        now=applied_at,
    )
    coach = _coach(
        rng, user, "Sofie", "Van Damme", CoachStatus.ACTIVE, applied_at, home, staff, now
    )
    coach.motivation = (
        "Ik woon in Gent en werk in Antwerpen. Na het werk help ik graag in de digipunt om de "
        "hoek, in beide steden."
    )
    coach.serves_rows.append(CoachMunicipality(municipality_id=work.id))
    return coach


def _coach(
    rng: random.Random,
    user: User,
    first: str,
    last: str,
    status: CoachStatus,
    applied_at: datetime,
    municipality: Any,
    staff: User | None,
    now: datetime,
) -> Coach:
    neighbourhoods = list(municipality.neighbourhoods)
    languages = {"nl"} | set(
        rng.sample([t.code for t in vocabulary.SPOKEN_LANGUAGES], rng.randint(0, 3))
    )
    topics = rng.sample([t.code for t in vocabulary.TOPICS], rng.randint(1, 5))
    moments = {
        (rng.randint(1, 6), rng.choice(("morning", "afternoon", "evening")))
        for _ in range(rng.randint(1, 5))
    }
    heard_from = rng.choice(list(HeardFrom))
    coach = Coach(
        user=user,
        municipality_id=municipality.id,
        first_name=first,
        last_name=last,
        status=CoachStatus.APPLIED,
        phone=f"+32 47{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}".replace(" ", ""),
        motivation=rng.choice(MOTIVATIONS),
        heard_from=heard_from.value,
        heard_from_other="Via de buurtkrant" if heard_from == HeardFrom.OTHER else "",
        notify_email=True,
        notify_sms=rng.random() < 0.3,
        applied_at=applied_at,
        status_changed_at=applied_at,
    )
    coach.language_rows = [CoachLanguage(code=code) for code in sorted(languages)]
    coach.topic_rows = [CoachTopic(code=code) for code in sorted(topics)]
    coach.availability_rows = [
        CoachAvailability(weekday=day, daypart=part) for day, part in sorted(moments)
    ]
    coach.neighbourhood_rows = [
        CoachNeighbourhood(neighbourhood_id=n.id)
        for n in rng.sample(neighbourhoods, min(len(neighbourhoods), rng.randint(0, 2)))
    ]
    coach.history.append(
        CoachStatusChange(from_status=None, to_status=CoachStatus.APPLIED, changed_at=applied_at)
    )
    db.session.add(coach)

    # Walk the path forward in time, never past now.
    moment = applied_at
    current = CoachStatus.APPLIED
    for step in PATHS[status]:
        moment = min(moment + timedelta(days=rng.randint(5, 30)), now - timedelta(hours=1))
        if step in (CoachStatus.APPROVED, CoachStatus.REJECTED):
            for item in ScreeningItem:
                coach.screening_checks.append(
                    ScreeningCheck(
                        item=item.value,
                        checked_on=clock.local(moment).date(),
                        checked_by_id=staff.id if staff else None,
                        recorded_at=moment,
                    )
                )
        assert rules.may_transition(current, step)
        coach.history.append(
            CoachStatusChange(
                from_status=current,
                to_status=step,
                changed_at=moment,
                changed_by_id=None
                if step == CoachStatus.DORMANT
                else (staff.id if staff else None),
                reason="Past niet bij het profiel dat we nu zoeken." if step == "rejected" else "",
            )
        )
        current = step
        if step == CoachStatus.ACTIVE:
            coach.activated_at = moment
    coach.status = current
    coach.status_changed_at = moment
    if current == CoachStatus.ACTIVE:
        coach.last_shift_at = now - timedelta(days=rng.randint(1, 60))
    if staff is not None and rng.random() < 0.3:
        coach.notes.append(
            CoachNote(
                author_id=staff.id,
                created_at=moment,
                body="Telefonisch gesproken; enthousiast en goed bereikbaar.",
            )
        )
    return coach


def _spread(municipalities: list[Any]) -> list[Any]:
    """Municipalities in turn, each as often as it has digipunten: with Gent 3, Antwerpen 3
    and Kortrijk 2, [Gent, Antwerpen, Kortrijk, Gent, Antwerpen, Kortrijk, Gent, Antwerpen]."""
    weights = {m.name: max(len(m.locations), 1) for m in municipalities}
    order = []
    for turn in range(max(weights.values(), default=0)):
        order += [m for m in municipalities if weights[m.name] > turn]
    return order


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace("ï", "i") if ch.isalnum())
