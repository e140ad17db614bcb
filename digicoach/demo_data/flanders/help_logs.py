"""Phase 5: help logs, one per attended appointment and the walk-ins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from digicoach.core import clock
from digicoach.demo_data.flanders.common import LANGUAGES, TOPIC_CODES
from digicoach.helplog.models import HelpLog, HelpLogTopic

if TYPE_CHECKING:
    from digicoach.demo_data.flanders.seeder import Seeder


def help_logs(seeder: Seeder) -> None:
    """One log per attended appointment, the rest walk-ins at past walk-in sessions.

    Written in the order of the day helped, as they would have been logged.
    """
    rng = seeder.rng
    now = seeder.now
    user_of = {coach.id: coach.user_id for coach in seeder.coaches}
    logs: list[tuple] = []
    total = seeder.size.help_logs
    seen: set[str] = set()
    attended = sorted(seeder.attended, key=lambda a: (a[2], a[0]))[:total]
    for aid, session, start, end, key, language, topic, coach_id in attended:
        day = clock.local(start).date()
        outcome = rng.choices(["solved", "partly", "referred"], weights=[6, 3, 1])[0]
        topics = {topic}
        if rng.random() < 0.3:
            topics.add(rng.choice(TOPIC_CODES))
        logs.append(
            (
                day,
                coach_id,
                session.id,
                aid,
                session.place,
                rng.choice([15, 20, 30, 30, 45, 60]),
                1,
                key not in seen,
                outcome,
                rng.choice(["ocmw", "library", "bank", "other"]) if outcome == "referred" else None,
                rng.random() < 0.4,
                rng.random() < 0.2,
                language,
                key,
                min(end + timedelta(minutes=rng.randint(0, 240)), now),
                user_of[coach_id],
                tuple(sorted(topics)),
            )
        )
        seen.add(key)
    past = [
        s
        for s in seeder.session_list
        if s.coaches and s.ends_at <= now and s.mode in ("walk_in", "hybrid")
    ] or [s for s in seeder.session_list if s.coaches and s.ends_at <= now]
    walk_ins = total - len(logs) if past else 0
    for session in rng.choices(past, k=walk_ins):
        coach_id = rng.choice(session.coaches)
        outcome = rng.choices(["solved", "partly", "referred"], weights=[6, 3, 1])[0]
        logs.append(
            (
                clock.local(session.starts_at).date(),
                coach_id,
                session.id,
                None,
                session.place,
                rng.choice([15, 20, 30, 30, 45, 60, 90]),
                1 if rng.random() < 0.85 else rng.randint(2, 4),
                rng.random() < 0.65,
                outcome,
                rng.choice(["ocmw", "library", "bank", "other"]) if outcome == "referred" else None,
                rng.random() < 0.4,
                rng.random() < 0.2,
                rng.choice(LANGUAGES),
                None,
                min(session.ends_at + timedelta(minutes=rng.randint(0, 600)), now),
                user_of[coach_id],
                tuple(sorted(set(rng.sample(TOPIC_CODES, rng.randint(1, 2))))),
            )
        )
    logs.sort(key=lambda log: (log[0], log[14]))
    topic_rows: list[tuple[int, str]] = []

    def rows() -> Iterator[tuple]:
        for log_id, log in enumerate(logs, start=1):
            place = log[4]
            for code in log[16]:
                topic_rows.append((log_id, code))
            yield (
                log_id,
                log[1],
                log[2],
                log[3],
                place.municipality_id,
                place.id,
                place.neighbourhood_id,
                log[0],
                *log[5:16],
            )

    seeder.writer.write(
        HelpLog.__table__,
        (
            "id",
            "coach_id",
            "help_session_id",
            "appointment_id",
            "municipality_id",
            "location_id",
            "neighbourhood_id",
            "helped_on",
            "minutes",
            "citizens",
            "first_visit",
            "outcome",
            "referred_to",
            "did_it_themselves",
            "follow_up",
            "language",
            "citizen_key",
            "logged_at",
            "logged_by_id",
        ),
        rows(),
    )
    seeder.writer.write(HelpLogTopic.__table__, ("log_id", "code"), topic_rows)


# -- the rest ------------------------------------------------------------------------------
