"""Demo data for device loans: a loan agreement in three languages, a small inventory at every
demo digipunt, and loans in every state: open (some overdue, some due this week), returned
(one damaged, now in repair) and one lost. Lent and taken back on weekday mornings by the
municipality's desk (the demo desk in Gent), through the same services the pages use."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.content.models import PageSlug, PageVersion
from digicoach.core import audit, clock
from digicoach.extensions import db
from digicoach.loans import retention, services

AGREEMENT = {
    "nl": (
        "Leenovereenkomst voor een toestel",
        "U leent een toestel van het digipunt, gratis.\n\n"
        "U brengt het terug op de afgesproken datum, met de lader en alles wat u erbij kreeg.\n\n"
        "U zorgt goed voor het toestel. Is het stuk of kwijt? Bel dan meteen het digipunt.\n\n"
        "Wij wissen wat u op het toestel zette voor we het opnieuw uitlenen.\n\n"
        "Wij bewaren uw voornaam en uw telefoonnummer of e-mailadres tot 30 dagen nadat u het "
        "toestel terugbracht. Daarna wissen we ze.",
    ),
    "fr": (
        "Contrat de prêt d'un appareil",
        "Vous empruntez gratuitement un appareil du point numérique.\n\n"
        "Vous le rapportez à la date convenue, avec le chargeur et tout ce que vous avez reçu.\n\n"
        "Vous prenez soin de l'appareil. Il est cassé ou perdu\u00a0? "
        "Appelez tout de suite le point numérique.\n\n"
        "Nous effaçons ce que vous avez mis sur l'appareil avant de le prêter à nouveau.\n\n"
        "Nous gardons votre prénom et votre numéro ou adresse e-mail jusqu'à 30 jours après le "
        "retour de l'appareil. Ensuite, nous les effaçons.",
    ),
    "en": (
        "Device loan agreement",
        "You borrow a device from the digital help point, free of charge.\n\n"
        "You bring it back on the agreed date, with the charger and everything that came "
        "with it.\n\n"
        "You take good care of the device. Is it broken or lost? Call the help point at once.\n\n"
        "We erase what you put on the device before we lend it again.\n\n"
        "We keep your first name and your phone number or e-mail address until 30 days after "
        "you brought the device back. Then we erase them.",
    ),
}

# Per digipunt: (kind, label, accessories). Hotspots only where most lending happens.
INVENTORY = (
    ("laptop", "Laptop 1", "lader, hoes"),
    ("laptop", "Laptop 2", "lader, hoes, muis"),
    ("laptop", "Laptop 3", "lader"),
    ("tablet", "Tablet 1", "lader, beschermhoes"),
    ("tablet", "Tablet 2", "lader"),
    ("smartphone", "Smartphone 1", "lader, simkaart met databundel"),
    ("hotspot", "4G-hotspot 1", "usb-kabel, simkaart"),
)
SERIAL_PREFIX = {"laptop": "PF", "tablet": "R9", "smartphone": "SM", "hotspot": "HS"}
CITIZENS = (
    ("Maria", "nl"),
    ("Ahmed", "nl"),
    ("Jeanine", "fr"),
    ("Roger", "nl"),
    ("Fatma", "nl"),
    ("Godelieve", "nl"),
    ("Oleksandr", "en"),
    ("Nadia", "fr"),
    ("Willy", "nl"),
    ("Hilde", "nl"),
    ("Marc", "nl"),
    ("Yasmina", "fr"),
    ("Lutgarde", "nl"),
    ("Kevin", "nl"),
    ("Amina", "nl"),
    ("Jozef", "nl"),
    ("Sabrina", "fr"),
    ("Dirk", "nl"),
    ("Leila", "en"),
    ("Patrick", "nl"),
    ("Monique", "fr"),
    ("Bram", "nl"),
)
LOAN_DAYS = 28
MAX_DAYS = 90


def publish_agreement(*, now: datetime) -> list[PageVersion]:
    """Version 1 of the loan agreement in nl, fr and en, where none exists yet."""
    published = []
    for language, (title, body) in AGREEMENT.items():
        exists = db.session.scalar(
            select(PageVersion.id).where(
                PageVersion.slug == PageSlug.LOAN_AGREEMENT.value,
                PageVersion.language == language,
            )
        )
        if exists is None:
            version = PageVersion(
                slug=PageSlug.LOAN_AGREEMENT.value,
                language=language,
                version=1,
                title=title,
                body=body,
                published_at=now - timedelta(days=120),
            )
            db.session.add(version)
            published.append(version)
    db.session.flush()
    for version in published:
        audit.record(None, "page.publish", version, ["title", "body"])
    return published


def _weekday_morning(day: date, rng: random.Random) -> datetime:
    """A moment between 9.30 and 11.30 on `day`, or on the Friday before if it is a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = datetime.combine(day, time(9, 30), tzinfo=clock.LOCAL_ZONE)
    return (local + timedelta(minutes=rng.randrange(0, 120, 5))).astimezone(UTC)


def seed_loans(
    *, rng: random.Random, places: dict[str, Any], now: datetime, desks: dict[int, User]
) -> dict[str, int]:
    """Devices at every demo digipunt and loans in every state. `desks` gives, per municipality
    id, the staff member who lends there. Returns counts per state (for the demo's own test)."""
    publish_agreement(now=now)
    today = clock.local(now).date()
    counts = {"devices": 0, "open": 0, "overdue": 0, "returned": 0, "lost": 0}
    citizens = list(CITIZENS)
    rng.shuffle(citizens)
    person = 0
    for index, location in enumerate(places["locations"]):
        actor = desks[location.municipality_id]
        size = len(INVENTORY) if index % 2 == 0 else 4
        devices = []
        for kind, label, accessories in INVENTORY[:size]:
            device = services.add_device(
                actor=actor,
                location=location,
                data=services.DeviceInput(
                    kind=kind,
                    label=label,
                    serial=f"{SERIAL_PREFIX[kind]}{rng.randrange(10**6):06d}",
                    condition=rng.choice(("good", "good", "worn")),
                    accessories=accessories,
                ),
            )
            device.created_at = now - timedelta(days=150)
            devices.append(device)
        counts["devices"] += len(devices)
        # Every digipunt: an overdue loan and one due in a few days; every other one also a
        # returned loan (the first one damaged: that laptop is in repair) and at the first a
        # lost hotspot.
        # (lent how many days ago, closed how many days ago, how it ended: None is still open)
        plans: list[tuple[int, int, str | None]] = [
            (33 + 3 * index, 0, None),
            (22 + index % 5, 0, None),
        ]
        if index % 2 == 0:
            plans.append((50 + index, 26 - index, "damaged" if index == 0 else "good"))
        if index == 0:
            plans.append((80, 45, "lost"))
        # The lost one is the hotspot (last); the others any other device, none twice.
        shelf = rng.sample(devices[:-1], len(devices) - 1)
        for slot, (lent_days_ago, closed_days_ago, outcome) in enumerate(plans):
            device = devices[-1] if outcome == "lost" else shelf[slot]
            name, language = citizens[person % len(citizens)]
            person += 1
            lent_at = _weekday_morning(today - timedelta(days=lent_days_ago), rng)
            due_on = clock.local(lent_at).date() + timedelta(days=LOAN_DAYS)
            phone = f"+3247{rng.randrange(10**7):07d}"
            email = f"{name.lower()}{rng.randrange(100)}@example.org" if rng.random() < 0.3 else ""
            loan = services.lend(
                actor=actor,
                device=device,
                data=services.LoanInput(
                    first_name=name,
                    phone=phone,
                    email=email,
                    language=language,
                    due_on=due_on,
                    agreement_method=rng.choice(("on_screen", "on_paper")),
                    accepted=True,
                ),
                now=lent_at,
                max_days=MAX_DAYS,
            )
            if outcome is None:
                counts["open"] += 1
                if due_on < today:
                    counts["overdue"] += 1
                    if index % 2 == 1:  # half of them called once already
                        services.record_call(
                            actor=actor,
                            loan=loan,
                            note="Voicemail ingesproken",
                            now=_weekday_morning(today - timedelta(days=3), rng),
                        )
                continue
            closed_at = _weekday_morning(today - timedelta(days=closed_days_ago), rng)
            if outcome == "lost":
                services.mark_lost(actor=actor, loan=loan, now=closed_at)
                counts["lost"] += 1
            else:
                services.return_loan(actor=actor, loan=loan, condition=outcome, now=closed_at)
                counts["returned"] += 1
    db.session.flush()
    # What the nightly job would have erased by now (the lost hotspot's borrower).
    retention.purge_contact_data(
        now=now, retention_days=int(current_app.config["LOAN_RETENTION_DAYS"])
    )
    return counts
