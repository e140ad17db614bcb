"""What the API listens to: a commit that writes a location, municipality or neighbourhood
drops the kept `GET /api/v1/locations` body (`api.lists`)."""

from __future__ import annotations

from digicoach.api import lists


def connect() -> None:
    lists.listen()
