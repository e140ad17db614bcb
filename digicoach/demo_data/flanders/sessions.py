"""Phase 3: a year of help sessions with their shifts (and the coaches' rows)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

from digicoach.demo_data.flanders.coaches import write_people
from digicoach.demo_data.flanders.common import FUTURE_DAYS, CoachRow, SessionRow, local_time
from digicoach.helpdesk.models import HelpSeries, HelpSession, SessionStatus, Shift, ShiftStatus

if TYPE_CHECKING:
    from digicoach.demo_data.flanders.seeder import Seeder


def sessions(seeder: Seeder) -> None:
    rng = seeder.rng
    now = seeder.now
    last_day = seeder.today + timedelta(days=FUTURE_DAYS)
    working: dict[int, list[CoachRow]] = {}
    for coach in seeder.coaches:
        if coach.works_from is not None:
            working.setdefault(coach.municipality_id, []).append(coach)
    series_rows, session_rows, shift_rows = [], [], []
    seeder.session_list: list[SessionRow] = []
    starts = [time(9, 0), time(9, 30), time(13, 0), time(13, 30), time(14, 0), time(18, 0)]
    for place in seeder.places_list:
        pool = working.get(place.municipality_id, [])
        for _n in range(rng.randint(2, 4)):
            weekday = rng.choices(range(7), weights=[5, 5, 5, 5, 4, 1, 0])[0]
            start = rng.choice(starts)
            hours = rng.choice([2, 3, 3])
            mode = rng.choices(["walk_in", "appointment", "hybrid"], weights=[35, 30, 35])[0]
            slot = rng.choice([20, 30, 30])
            per_slot = 1 if mode == "hybrid" else rng.choice([1, 2, 2])
            coaches_min = rng.choice([1, 1, 2])
            coaches_max = coaches_min + rng.randint(1, 2)
            first = place.opened_on + timedelta(days=(weekday - place.opened_on.weekday()) % 7)
            series_id = len(series_rows) + 1
            series_rows.append(
                (
                    series_id,
                    place.id,
                    str(weekday + 1),
                    1,
                    first,
                    last_day,
                    None,
                    now - timedelta(days=(seeder.today - first).days + 7),
                )
            )
            day = first
            while day <= last_day:
                starts_at = local_time(day, start)
                ends_at = starts_at + timedelta(hours=hours)
                cancelled = rng.random() < 0.02
                session = SessionRow(
                    len(seeder.session_list) + 1,
                    place,
                    starts_at,
                    ends_at,
                    mode,
                    slot,
                    per_slot,
                    cancelled,
                )
                seeder.session_list.append(session)
                taken = 0
                if not cancelled:
                    eligible = [
                        c
                        for c in pool
                        if c.works_from <= starts_at  # type: ignore[operator]
                        and (c.works_until is None or starts_at < c.works_until)
                    ]
                    wanted = rng.randint(coaches_min, coaches_max)
                    for coach in rng.sample(eligible, min(wanted, len(eligible))):
                        past = ends_at <= now
                        dropped = rng.random() < (0.08 if past else 0.04)
                        status = (
                            ShiftStatus.CANCELLED
                            if dropped
                            else (ShiftStatus.ATTENDED if past else ShiftStatus.SIGNED_UP)
                        )
                        signed_up = min(starts_at - timedelta(days=rng.randint(2, 30)), now)
                        shift_rows.append(
                            (
                                len(shift_rows) + 1,
                                session.id,
                                coach.id,
                                status.value,
                                False,
                                signed_up,
                                coach.user_id,
                                signed_up + timedelta(days=1) if dropped else None,
                                coach.user_id if dropped else None,
                            )
                        )
                        if not dropped:
                            taken += 1
                            session.coaches.append(coach.id)
                            if starts_at <= now and (
                                coach.last_shift_at is None or coach.last_shift_at < starts_at
                            ):
                                coach.last_shift_at = starts_at
                session_rows.append(
                    (
                        session.id,
                        place.id,
                        series_id,
                        starts_at,
                        ends_at,
                        mode,
                        slot,
                        per_slot,
                        coaches_min,
                        coaches_max,
                        taken,
                        "",
                        SessionStatus.CANCELLED.value if cancelled else "planned",
                        starts_at - timedelta(days=3) if cancelled else None,
                        "",
                        min(starts_at - timedelta(days=30), now),
                        0,
                    )
                )
                day += timedelta(days=7)
    write_people(seeder)
    w = seeder.writer
    w.write(
        HelpSeries.__table__,
        (
            "id",
            "location_id",
            "weekdays",
            "every_weeks",
            "first_day",
            "until",
            "count",
            "created_at",
        ),
        series_rows,
    )
    w.write(
        HelpSession.__table__,
        (
            "id",
            "location_id",
            "series_id",
            "starts_at",
            "ends_at",
            "mode",
            "slot_minutes",
            "citizens_per_slot",
            "coaches_min",
            "coaches_max",
            "coaches_taken",
            "notes",
            "status",
            "cancelled_at",
            "cancel_reason",
            "created_at",
            "revision",
        ),
        session_rows,
    )
    w.write(
        Shift.__table__,
        (
            "id",
            "session_id",
            "coach_id",
            "status",
            "as_shadow",
            "signed_up_at",
            "signed_up_by_id",
            "cancelled_at",
            "cancelled_by_id",
        ),
        shift_rows,
    )


# -- appointments --------------------------------------------------------------------------
