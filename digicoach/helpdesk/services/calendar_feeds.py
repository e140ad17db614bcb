"""A coach's secret calendar address: made, replaced and switched off."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import audit
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import queries
from digicoach.helpdesk.models import CalendarFeed


def create_calendar_feed(*, actor: User, coach: Coach, now: datetime) -> str:
    """Give the coach a new secret calendar address and return its token (shown once: only
    its hash is kept). An earlier address stops working."""
    ensure(coach.user_id == actor.id)
    token = secrets.token_urlsafe(32)
    feed = queries.feed_of(coach)
    if feed is None:
        feed = CalendarFeed(coach_id=coach.id)
        db.session.add(feed)
    feed.token_hash = queries.hash_token(token)
    feed.created_at = now
    db.session.flush()
    audit.record(actor, "helpdesk.feed.create", feed, ["token_hash"])
    return token


def revoke_calendar_feed(*, actor: User, coach: Coach, now: datetime) -> None:
    """Switch the coach's calendar address off: the old URL answers 404 from now on."""
    ensure(coach.user_id == actor.id)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.coach_id == coach.id))
    audit.record(actor, "helpdesk.feed.revoke", coach, ["calendar_feed"], object_type="Coach")
