"""What progress listens to: every ORM write to a help log, its topics or a help session
moves the daily rollups back to the day it touches (`queries.rollups`), and every write to a
coach's status history, certificates, help logs or shifts refreshes that coach's rollup row
(`queries.coach_rollups`), so the figures stay exact between nightly roll-ups."""

from __future__ import annotations

from digicoach.progress.queries import coach_rollups, touching


def connect() -> None:
    touching.listen()
    coach_rollups.listen()
