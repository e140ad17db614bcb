"""Pure decisions of the workspace home: the greeting and the name it uses."""

from __future__ import annotations

MORNING = "morning"
AFTERNOON = "afternoon"
EVENING = "evening"


def daypart(hour: int) -> str:
    """The greeting's part of the day for a local hour: morning from 5:00 to 11:59, afternoon
    until 17:59, evening otherwise (a night shift still gets "good evening")."""
    if 5 <= hour < 12:
        return MORNING
    if 12 <= hour < 18:
        return AFTERNOON
    return EVENING


def first_name(name: str) -> str:
    """What the home calls someone: the first word of their name ("" for no name)."""
    words = (name or "").split()
    return words[0] if words else ""
