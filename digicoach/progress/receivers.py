"""What progress listens to: every ORM write to a help log, its topics or a help session
moves the daily rollups back to the day it touches (`queries.rollups`), so the figures stay
exact between nightly roll-ups."""

from __future__ import annotations

from digicoach.progress.queries import rollups


def connect() -> None:
    rollups.listen()
