"""Phase 2: staff accounts and the digicoaches' plan, with their status history."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.coaches.models import (
    Coach,
    CoachLanguage,
    CoachStatus,
    CoachStatusChange,
    CoachTopic,
)
from digicoach.demo_data.flanders.common import (
    LANGUAGES,
    SCALE_DOMAIN,
    TOPIC_CODES,
    CoachRow,
    random_hex,
)
from digicoach.demo_data.flanders.names import FIRST_NAMES, LAST_NAMES
from digicoach.training.models import Certification

if TYPE_CHECKING:
    from digicoach.demo_data.flanders.seeder import Seeder


def people(seeder: Seeder) -> None:
    """Staff (an admin, a coordinator and a desk account per municipality) and the coaches.

    Only the plan of the coaches is made here: their rows are written after the shifts,
    which decide `last_shift_at`.
    """
    rng = seeder.rng
    now = seeder.now
    users, roles, scopes = [], [], []

    def add_user(email: str, name: str, role: Role, two_factor: bool) -> int:
        uid = len(users) + 1
        created = now - timedelta(days=rng.randint(400, 700))
        users.append(
            (
                uid,
                email,
                email,
                name,
                seeder.password_hash,
                "nl",
                True,
                created,
                created,
                random_hex(rng)[:32].upper() if two_factor else None,
                created if two_factor else None,
            )
        )
        roles.append((uid, role.value))
        return uid

    seeder.admin_id = add_user(f"admin@{SCALE_DOMAIN}", "Scale Admin", Role.ADMIN, True)
    for municipality_id in range(1, seeder.size.municipalities + 1):
        for role in (Role.COORDINATOR, Role.DESK):
            uid = add_user(
                f"{role.value}{municipality_id:03d}@{SCALE_DOMAIN}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                role,
                role == Role.COORDINATOR,
            )
            scopes.append((uid, municipality_id))

    statuses = [s.value for s in CoachStatus]
    # applied, approved, rejected, in_training, certified, active, dormant, left
    status_weights = [6, 3, 5, 8, 6, 52, 12, 8]
    municipality_ids = list(seeder.weights)
    weights = [seeder.weights[m] for m in municipality_ids]
    homes = rng.choices(municipality_ids, weights=weights, k=seeder.size.coaches)
    seeder.coaches: list[CoachRow] = []
    seeder.coach_users: list[tuple] = []
    for n, home in enumerate(homes, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        uid = add_user(f"coach{n:05d}@{SCALE_DOMAIN}", f"{first} {last}", Role.COACH, False)
        status = rng.choices(statuses, weights=status_weights)[0]
        steps = coach_steps(seeder, status)
        works_from = works_until = None
        reached = {name for name, _at in steps}
        if CoachStatus.ACTIVE in reached:
            works_from = dict(steps)[CoachStatus.CERTIFIED]
            if status == CoachStatus.DORMANT:
                # Dormant: no shift in the 90 days before dormancy.
                works_until = dict(steps)[CoachStatus.DORMANT] - timedelta(days=90)
            elif status == CoachStatus.LEFT:
                works_until = dict(steps)[CoachStatus.LEFT]
        seeder.coaches.append(CoachRow(n, uid, home, status, steps, works_from, works_until))
        seeder.coach_users.append((first, last))
    seeder.user_rows, seeder.role_rows, seeder.scope_rows = users, roles, scopes


def coach_steps(seeder: Seeder, status: str) -> list[tuple[str, datetime]]:
    """The pipeline a coach went through to `status`, with moments, oldest first."""
    rng = seeder.rng
    s = CoachStatus
    paths = {
        s.APPLIED: [s.APPLIED],
        s.REJECTED: [s.APPLIED, s.REJECTED],
        s.APPROVED: [s.APPLIED, s.APPROVED],
        s.IN_TRAINING: [s.APPLIED, s.APPROVED, s.IN_TRAINING],
        s.CERTIFIED: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED],
        s.ACTIVE: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE],
        s.DORMANT: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE, s.DORMANT],
        s.LEFT: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE, s.LEFT]
        if rng.random() < 0.7
        else [s.APPLIED, s.LEFT],
    }
    path = paths[s(status)]
    # How long ago the last step was, in days (a range per final status).
    recent = {
        s.APPLIED: (1, 45),
        s.REJECTED: (1, 300),
        s.APPROVED: (1, 40),
        s.IN_TRAINING: (1, 80),
        s.CERTIFIED: (1, 25),
        # A third of the active coaches were active before the year began.
        s.ACTIVE: (5, 700) if rng.random() < 0.35 else (5, 330),
        s.DORMANT: (1, 200),
        s.LEFT: (1, 330),
    }[s(status)]
    gaps = {
        s.APPROVED: (5, 30),
        s.REJECTED: (5, 30),
        s.IN_TRAINING: (7, 40),
        s.CERTIFIED: (30, 90),
        s.ACTIVE: (1, 20),
        s.DORMANT: (120, 300),
        s.LEFT: (30, 200),
    }
    moment = seeder.now - timedelta(days=rng.randint(*recent), minutes=rng.randint(0, 12 * 60))
    steps = [(path[-1].value, moment)]
    for step in reversed(path[:-1]):
        nxt = path[path.index(step) + 1]
        moment = moment - timedelta(days=rng.randint(*gaps[nxt]), minutes=rng.randint(0, 600))
        steps.append((step.value, moment))
    steps.reverse()
    return steps


def write_people(seeder: Seeder) -> None:
    w = seeder.writer
    w.write(
        User.__table__,
        (
            "id",
            "email",
            "email_key",
            "name",
            "password_hash",
            "language",
            "active",
            "email_verified_at",
            "created_at",
            "totp_secret",
            "totp_enabled_at",
        ),
        seeder.user_rows,
    )
    w.write(UserRole.__table__, ("user_id", "role"), seeder.role_rows)
    w.write(UserMunicipality.__table__, ("user_id", "municipality_id"), seeder.scope_rows)
    rng = seeder.rng
    coaches, languages, topics, history, certificates = [], [], [], [], []
    for coach, (first, last) in zip(seeder.coaches, seeder.coach_users, strict=True):
        steps = coach.steps
        activated = dict(steps).get(CoachStatus.ACTIVE)
        applied_at = steps[0][1]
        coaches.append(
            (
                coach.id,
                coach.user_id,
                coach.municipality_id,
                coach.status,
                first,
                last,
                f"+32470{coach.id:06d}",
                "",
                rng.choice(["friend", "municipality", "library", "social_media"]),
                "",
                True,
                False,
                "",
                applied_at,
                steps[-1][1],
                activated,
                coach.last_shift_at,
            )
        )
        for code in sorted({"nl", *rng.sample(LANGUAGES, rng.randint(0, 2))}):
            languages.append((coach.id, code))
        for code in sorted(rng.sample(TOPIC_CODES, rng.randint(2, 4))):
            topics.append((coach.id, code))
        previous = None
        for status, at in steps:
            history.append((len(history) + 1, coach.id, previous, status, at, None, ""))
            previous = status
        certified_at = dict(steps).get(CoachStatus.CERTIFIED)
        if certified_at is not None:
            # The figures count a certified coach only with a certificate; from a hash, not the
            # seeder's random stream, so the rows after these stay what they were.
            code = hashlib.sha256(f"scale-certificate-{coach.id}".encode()).hexdigest()[:32]
            number = f"DC-{certified_at.year}-{len(certificates) + 1:06d}"
            certificates.append((len(certificates) + 1, coach.id, 1, number, code, certified_at))
    w.write(
        Coach.__table__,
        (
            "id",
            "user_id",
            "municipality_id",
            "status",
            "first_name",
            "last_name",
            "phone",
            "motivation",
            "heard_from",
            "heard_from_other",
            "notify_email",
            "notify_sms",
            "insurance_reference",
            "applied_at",
            "status_changed_at",
            "activated_at",
            "last_shift_at",
        ),
        coaches,
    )
    w.write(CoachLanguage.__table__, ("coach_id", "code"), languages)
    w.write(CoachTopic.__table__, ("coach_id", "code"), topics)
    w.write(
        CoachStatusChange.__table__,
        ("id", "coach_id", "from_status", "to_status", "changed_at", "changed_by_id", "reason"),
        history,
    )
    w.write(
        Certification.__table__,
        ("id", "coach_id", "programme_id", "number", "verification_code", "issued_at"),
        certificates,
    )


# -- help sessions and shifts --------------------------------------------------------------
