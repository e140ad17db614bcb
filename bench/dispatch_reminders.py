"""Dispatch 10,000 due reminders into a local SMTP sink and print messages per second.

    .venv/bin/python -m bench.dispatch_reminders [--count 10000] [--database-url URL]
                                                 [--senders 1]

Builds a fresh database (a temporary SQLite file unless --database-url points at an empty
PostgreSQL database), books COUNT appointments for tomorrow with an e-mail address each, lets
the reminder job queue their reminders (rendered in nl/fr/en, with a calendar file), then times
`outbox.dispatch_due` alone: claiming in batches, one SMTP connection per batch, one commit per
outcome, with OUTBOX_SENDERS batches side by side (--senders). The sink is aiosmtpd in a
subprocess (bench/smtp_sink.py), so it does not compete with the dispatcher for this process's
interpreter lock; it reports how many messages it received.
Not a test: it prints figures for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digicoach import create_app
from digicoach.bookings.models import Appointment, BookingChannel, Slot
from digicoach.core import outbox
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.places.models import Location, Municipality
from digicoach.reminders.services.run import queue_due
from digicoach.reminders.services.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--senders", type=int, default=1, help="OUTBOX_SENDERS")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="digicoach-bench-"))
    os.environ["DIGICOACH_INSTANCE_PATH"] = str(workdir / "instance")
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", str(port)], stdout=subprocess.PIPE, text=True
    )
    assert sink.stdout is not None
    sink.stdout.readline()  # "ready"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        OUTBOX_SENDERS=args.senders,
    )
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            start = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
            now = datetime(2026, 3, 29, 8, 1, tzinfo=UTC)
            seed(args.count, start)

            began = time.perf_counter()
            counts = queue_due(now=now, settings=Settings())
            db.session.commit()
            queued_in = time.perf_counter() - began

            began = time.perf_counter()
            sent = outbox.dispatch_due(now, limit=args.count)
            dispatched_in = time.perf_counter() - began

            statuses = dict(
                db.session.query(OutboxMessage.status, db.func.count(OutboxMessage.id))
                .group_by(OutboxMessage.status)
                .all()
            )
            print(f"database:          {db.engine.dialect.name}, {args.senders} sender(s)")
            print(
                f"queued:            {counts['appointments']} in {queued_in:.1f} s "
                f"({counts['appointments'] / queued_in:.0f}/s)"
            )
            print(f"dispatched:        {sent} in {dispatched_in:.1f} s")
            print(f"statuses:          {statuses}")
            print(f"messages/second:   {sent / dispatched_in:.0f}")
            assert statuses == {Status.SENT.value: args.count}, statuses
            db.session.remove()
            db.drop_all()
    finally:
        sink.terminate()
        received, _ = sink.communicate(timeout=30)
        print(f"received by sink:  {received.strip()}")


def seed(count: int, start: datetime) -> None:
    municipality = Municipality(name="Gent", nis_code="44021")
    location = Location(
        municipality=municipality,
        name="Bibliotheek De Krook",
        street="Miriam Makebaplein 1",
        postcode="9000",
        city="Gent",
        front_desk_phone="09 323 68 00",
    )
    session = HelpSession(
        location=location,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        mode="appointment",
        coaches_min=1,
        coaches_max=2,
        coaches_taken=0,
        revision=0,
    )
    slot = Slot(start=start, end=start + timedelta(minutes=30), taken=count, capacity=count)
    slot_session = session
    db.session.add_all([municipality, location, session])
    db.session.flush()
    slot.help_session_id = slot_session.id
    db.session.add(slot)
    db.session.flush()
    db.session.execute(
        Appointment.__table__.insert(),
        [
            {
                "help_session_id": session.id,
                "location_id": location.id,
                "slot_id": slot.id,
                "start": start,
                "end": start + timedelta(minutes=30),
                "reference": f"B{number:06d}",
                "manage_token_hash": hashlib.sha256(str(number).encode()).hexdigest(),
                "status": "booked",
                "channel": BookingChannel.ONLINE.value,
                "first_name": "Maria",
                "email": f"citizen{number}@example.org",
                "note": "",
                "staff_note": "",
                "language": "nl",
                "contact_language": ("nl", "fr", "en")[number % 3],
                "topic": "email",
                "created_at": start - timedelta(days=5),
            }
            for number in range(count)
        ],
    )
    db.session.commit()


if __name__ == "__main__":
    main()
