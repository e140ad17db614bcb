"""The citizens' blueprint and the one rate limit of every public booking write."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
)
from flask_login import current_user

from digicoach.bookings.permissions import is_exempt_from_booking_limit
from digicoach.extensions import limiter

bp = Blueprint("bookings", __name__)


def booking_rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def exempt_from_booking_limit() -> bool:
    return is_exempt_from_booking_limit(current_user)


# One budget per IP address for every public booking write (the form, the manage link, the API).
limit_booking_writes = limiter.shared_limit(
    booking_rate_limit,
    scope="bookings",
    methods=["POST", "DELETE"],
    exempt_when=exempt_from_booking_limit,
)
