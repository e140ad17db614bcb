"""Demo data for training: a curriculum and cohorts in every phase, each named after where
and when it meets ("Gent - winter, dinsdagnamiddag") and held in that municipality.

- an open cohort in Gent with its first session in ten days and too few enrolments (flagged),
- per municipality a running cohort with its coaches in training, half its sessions held,
- per municipality a finished cohort whose certified and active coaches hold certificates,
- a cancelled cohort in Antwerpen.

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
from digicoach.places.models import Municipality
from digicoach.training import rules
from digicoach.training.models import (
    Attendance,
    Certification,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
)
from digicoach.training.services import cohorts as cohort_services
from digicoach.training.services import enrolment as enrolment_services

CURRICULUM = (
    ("Wat doet een digicoach?", "Je rol, grenzen, privacy en doorverwijzen.", True, 120),
    ("eID, itsme en e-loket", "Veilig aanmelden bij de overheid en de bank.", True, 150),
    ("Smartphone en apps", "Instellingen, apps installeren, foto's delen.", True, 120),
    ("Veilig online", "Phishing herkennen, sterke wachtwoorden, oplichting melden.", True, 120),
    ("Helpen zonder over te nemen", "Uitleggen in eenvoudige taal, laten doen.", False, 90),
)

# Demo verification codes come from the seeded random source, so a --seed gives the same data.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


# Dutch seasons by month, and the parts of the day as a group's name says them.
SEASONS = {
    **dict.fromkeys((12, 1, 2), "winter"),
    **dict.fromkeys((3, 4, 5), "voorjaar"),
    **dict.fromkeys((6, 7, 8), "zomer"),
    **dict.fromkeys((9, 10, 11), "najaar"),
}
WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
# Lesson hours per municipality (in turn): a morning, an afternoon and an evening group.
LESSON_STARTS = (time(9, 30), time(14, 0), time(19, 0))
LESSON_LENGTH = timedelta(hours=2, minutes=30)
# The weekdays of the running and the finished groups, per municipality in turn.
RUNNING_DAYS = (2, 4, 3)
FINISHED_DAYS = (1, 3, 4)


def part_of_day(moment: datetime) -> str:
    local = clock.local(moment)
    if local.hour < 12:
        return "voormiddag"
    return "namiddag" if local.hour < 18 else "avond"


def cohort_name(municipality: str, first_start: datetime) -> str:
    """'Gent - winter, dinsdagnamiddag': where, the season of the first lesson, and the
    weekday and part of the day of the (weekly) lessons."""
    local = clock.local(first_start)
    weekday = WEEKDAY_NAMES[local.weekday()]
    return f"{municipality} - {SEASONS[local.month]}, {weekday}{part_of_day(first_start)}"


def seed_training(*, rng: random.Random, places: dict[str, Any], coaches: list[Coach]) -> None:
    """Add the curriculum and cohorts in every phase; flush only.

    Each group is for one municipality and meets at one of its digipunten; its name is made
    from that municipality and its own lessons (`cohort_name`), so it says where and when it
    meets. Open: one in Gent. Running and finished: one per municipality with trainees or
    graduates (a coach trains in their own municipality). Cancelled: one in Antwerpen.
    """
    now = clock.now()
    programme = places["programme"]
    municipalities = list(places["municipalities"].values())
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

    by_status: dict[tuple[str, int], list[Coach]] = {}
    for coach in coaches:
        by_status.setdefault((coach.status, coach.municipality_id), []).append(coach)
    today = clock.local(now).date()

    def cohort(
        municipality: Municipality, status: str, first_day: date, start: time, **values: Any
    ) -> Cohort:
        occurrences = timeslots.weekly_series(
            first_day=first_day,
            weekdays=[first_day.isoweekday()],
            start_time=start,
            duration=LESSON_LENGTH,
            count=len(modules),
        )
        row = Cohort(
            programme_id=programme.id,
            name=cohort_name(municipality.name, occurrences[0].start),
            trainer_id=trainer.id if trainer else None,
            capacity=values.pop("capacity", 12),
            minimum=values.pop("minimum", 6),
            enrolled_count=0,
            enrolment_deadline=cohort_services.deadline_moment(values.pop("deadline")),
            location_id=rng.choice(municipality.locations).id,
            online_link="",
            status=status,
            created_at=now - timedelta(days=values.pop("created_days_ago", 30)),
            status_changed_at=now,
        )
        row.municipalities = [municipality]
        db.session.add(row)
        for index, occurrence in enumerate(occurrences):
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

    gent, antwerpen = places["municipalities"]["Gent"], places["municipalities"]["Antwerpen"]
    # Open: the first lesson in ten days, two of six enrolments: flagged on the list.
    open_cohort = cohort(
        gent,
        rules.OPEN,
        _weekday_from(today + timedelta(days=10)),
        time(14, 0),
        deadline=today + timedelta(days=7),
        created_days_ago=20,
    )
    for coach in by_status.get((rules.COACH_APPROVED, gent.id), [])[:2]:
        enrolment_services.enrol(actor=coach.user, cohort=open_cohort, coach=coach, now=now)

    for turn, municipality in enumerate(municipalities):
        # Running: started three weeks ago; the coaches in training are in it.
        trainees = by_status.get((rules.COACH_IN_TRAINING, municipality.id), [])[:10]
        if trainees:
            first_day = _in_week_of(today - timedelta(days=21), RUNNING_DAYS[turn % 3])
            running = cohort(
                municipality,
                rules.RUNNING,
                first_day,
                LESSON_STARTS[(turn + 1) % len(LESSON_STARTS)],
                deadline=first_day - timedelta(days=3),
                capacity=10,
                created_days_ago=60,
            )
            _enrol_history(running, trainees, now)
            _attendance_history(rng, running, now, certify=False)
        # Finished: certified and active coaches followed it and hold their certificates.
        graduates = (
            by_status.get(("certified", municipality.id), [])
            + by_status.get(("active", municipality.id), [])
        )[:16]
        if graduates:
            first_day = _in_week_of(today - timedelta(days=150), FINISHED_DAYS[turn % 3])
            finished = cohort(
                municipality,
                rules.FINISHED,
                first_day,
                LESSON_STARTS[turn % len(LESSON_STARTS)],
                deadline=first_day - timedelta(days=5),
                capacity=16,
                created_days_ago=190,
            )
            _enrol_history(finished, graduates, now)
            _attendance_history(rng, finished, now, certify=True, issued_by=trainer)

    # Cancelled: too few volunteers signed up in time.
    cancelled = cohort(
        antwerpen,
        rules.CANCELLED,
        _weekday_from(today + timedelta(days=40)),
        time(19, 0),
        deadline=today + timedelta(days=30),
        created_days_ago=10,
    )
    for session in cancelled.sessions:
        session.status = rules.SESSION_CANCELLED
    db.session.flush()


def _weekday_from(day: date) -> date:
    """The day itself, or the Monday after when it falls in a weekend: groups meet on
    weekdays."""
    return day + timedelta(days=8 - day.isoweekday() if day.isoweekday() > 5 else 0)


def _in_week_of(day: date, weekday: int) -> date:
    """The ISO `weekday` of the week (Monday to Sunday) that holds `day`."""
    return day + timedelta(days=weekday - day.isoweekday())


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
