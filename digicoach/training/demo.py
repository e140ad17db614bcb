"""Demo data for training: a curriculum and four cohorts in different phases.

- an open cohort with its first session in ten days and too few enrolments (flagged),
- a running cohort with the demo coaches in training, half its sessions held,
- a finished cohort whose certified and active coaches hold their certificates,
- a cancelled cohort.

History (past sessions, attendance, certificates of coaches who are certified already) is
written as it would have been recorded; what changes a coach's status today (an approved coach
enrolling) goes through the services, so the pipeline and the audit log stay true.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.accounts.models import Role, User
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.training import rules, services
from digicoach.training.models import (
    Attendance,
    Certification,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
)

CURRICULUM = (
    ("Wat doet een digicoach?", "Je rol, grenzen, privacy en doorverwijzen.", True, 120),
    ("eID, itsme en e-loket", "Veilig aanmelden bij de overheid en de bank.", True, 150),
    ("Smartphone en apps", "Instellingen, apps installeren, foto's delen.", True, 120),
    ("Veilig online", "Phishing herkennen, sterke wachtwoorden, oplichting melden.", True, 120),
    ("Helpen zonder over te nemen", "Uitleggen in eenvoudige taal, laten doen.", False, 90),
)

# Demo verification codes come from the seeded random source, so a --seed gives the same data.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def seed_training(*, rng: random.Random, places: dict[str, Any], coaches: list[Coach]) -> None:
    """Add the curriculum and four cohorts (open, running, finished, cancelled); flush only."""
    now = clock.now()
    programme = places["programme"]
    municipalities = list(places["municipalities"].values())
    locations = list(places["locations"])
    trainer = db.session.scalar(
        select(User).where(User.role_rows.any(role=Role.COORDINATOR.value)).order_by(User.id)
    ) or db.session.scalar(
        select(User).where(User.role_rows.any(role=Role.ADMIN.value)).order_by(User.id)
    )
    modules = []
    for position, (title, description, required, minutes) in enumerate(CURRICULUM, start=1):
        module = TrainingModule(
            programme_id=programme.id,
            title=title,
            description=description,
            required=required,
            expected_minutes=minutes,
            position=position * 10,
        )
        db.session.add(module)
        modules.append(module)
    db.session.flush()

    by_status: dict[str, list[Coach]] = {}
    for coach in coaches:
        by_status.setdefault(coach.status, []).append(coach)
    today = clock.local(now).date()

    def cohort(name: str, status: str, first_day: date, **values: Any) -> Cohort:
        row = Cohort(
            programme_id=programme.id,
            name=name,
            trainer_id=trainer.id if trainer else None,
            capacity=values.pop("capacity", 12),
            minimum=values.pop("minimum", 6),
            enrolled_count=0,
            enrolment_deadline=services.deadline_moment(values.pop("deadline")),
            location_id=rng.choice(locations).id if locations else None,
            online_link=values.pop("online_link", ""),
            status=status,
            created_at=now - timedelta(days=values.pop("created_days_ago", 30)),
            status_changed_at=now,
        )
        row.municipalities = municipalities
        db.session.add(row)
        for index, occurrence in enumerate(
            timeslots.weekly_series(
                first_day=first_day,
                weekdays=[first_day.isoweekday()],
                start_time=time(14, 0),
                duration=timedelta(hours=2, minutes=30),
                count=len(modules),
            )
        ):
            session = TrainingSession(
                cohort=row,
                starts_at=occurrence.start,
                ends_at=occurrence.end,
                status=rules.SCHEDULED,
                created_at=row.created_at,
            )
            session.modules = [modules[index]]
            db.session.add(session)
        db.session.flush()
        return row

    # Open: the first session in ten days, two of six enrolments: flagged on the list.
    open_cohort = cohort(
        "Gent - voorjaar, dinsdagnamiddag",
        rules.OPEN,
        today + timedelta(days=10),
        deadline=today + timedelta(days=7),
        created_days_ago=20,
    )
    for coach in by_status.get(rules.COACH_APPROVED, [])[:2]:
        services.enrol(actor=coach.user, cohort=open_cohort, coach=coach, now=now)

    # Running: started three weeks ago; the coaches in training are in it.
    running = cohort(
        "Kortrijk - winter, donderdagnamiddag",
        rules.RUNNING,
        today - timedelta(days=21),
        deadline=today - timedelta(days=24),
        capacity=10,
        created_days_ago=60,
    )
    _enrol_history(running, by_status.get(rules.COACH_IN_TRAINING, [])[:10], now)
    _attendance_history(rng, running, now, certify=False)

    # Finished: certified and active coaches followed it and hold their certificates.
    finished = cohort(
        "Gent - najaar, maandagvoormiddag",
        rules.FINISHED,
        today - timedelta(days=150),
        deadline=today - timedelta(days=155),
        capacity=16,
        created_days_ago=190,
    )
    graduates = (by_status.get("certified", []) + by_status.get("active", []))[:16]
    _enrol_history(finished, graduates, now)
    _attendance_history(rng, finished, now, certify=True, issued_by=trainer)

    # Cancelled: too few volunteers signed up in time.
    cancelled = cohort(
        "Brugge - zomer, online",
        rules.CANCELLED,
        today + timedelta(days=40),
        deadline=today + timedelta(days=30),
        online_link="https://meet.example.org/digicoach-zomer",
        created_days_ago=10,
    )
    for session in cancelled.sessions:
        session.status = rules.SESSION_CANCELLED
    db.session.flush()


def _enrol_history(cohort: Cohort, coaches: list[Coach], now: datetime) -> None:
    for coach in coaches:
        db.session.add(
            Enrolment(
                cohort_id=cohort.id,
                coach_id=coach.id,
                status=rules.ENROLLED,
                created_at=cohort.created_at,
                enrolled_at=cohort.created_at,
            )
        )
    cohort.enrolled_count = len(coaches)
    db.session.flush()


def _attendance_history(
    rng: random.Random,
    cohort: Cohort,
    now: datetime,
    *,
    certify: bool,
    issued_by: User | None = None,
) -> None:
    """Mark past sessions held with mostly-present attendance; certify the graduates."""
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).all()
    past = [s for s in cohort.sessions if s.ends_at < now]
    for session in past:
        session.status = rules.HELD
        for enrolment in enrolments:
            # Graduates attended everything but perhaps one optional session.
            if certify:
                mark = (
                    rules.PRESENT
                    if session.modules[0].required
                    else rng.choice((rules.PRESENT, rules.EXCUSED))
                )
            else:
                mark = rng.choices(rules.ATTENDANCE_MARKS, weights=(8, 1, 1))[0]
            db.session.add(
                Attendance(
                    session_id=session.id,
                    coach_id=enrolment.coach_id,
                    mark=mark,
                    recorded_at=session.ends_at,
                    recorded_by_id=cohort.trainer_id,
                )
            )
    db.session.flush()
    if not certify:
        return
    issued_at = cohort.sessions[-1].ends_at + timedelta(days=3)
    for enrolment in enrolments:
        certification = Certification(
            coach_id=enrolment.coach_id,
            programme_id=cohort.programme_id,
            cohort_id=cohort.id,
            verification_code="".join(rng.choice(CODE_ALPHABET) for _ in range(24)),
            issued_at=issued_at,
            issued_by_id=issued_by.id if issued_by else None,
        )
        db.session.add(certification)
        db.session.flush()
        certification.number = rules.certificate_number(
            clock.local(issued_at).year, certification.id
        )
        enrolment.status = rules.COMPLETED
    db.session.flush()
