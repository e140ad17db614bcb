"""Demo data at the scale of all of Flanders, for load tests and the progress benchmark (issue 8).

`seed_flanders(size=1.0)` fills an EMPTY database with about 300 municipalities, their
neighbourhoods and digipunten, the Cross & Learn programme (and a smaller Digibank), 20,000
digicoaches in every pipeline status with their status history, a year of help sessions with
shifts, 500,000 appointments and 1,000,000 help logs. `size` scales the counts (0.001 gives a
database a test can build in a second or two).

Speed is the point, so this is the one place that skips the services: rows are made as plain
tuples and written with PostgreSQL's COPY (SQLAlchemy Core inserts in batches on SQLite), with
ids chosen here so no row has to be read back. There is no audit event and no outbox message
per row, and every scale account shares ONE argon2 hash of a random password: they are load
test data, not accounts anyone signs in with. The rules the services keep still hold in the
data (a shift per coach and session, `taken <= capacity`, one log per appointment, erased
contact data after the retention period), so the pages and figures work on it unchanged.

Deterministic: the same `seed` and `now` give the same rows (the shared hash aside).
"""

from digicoach.demo_data.flanders.common import DatabaseNotEmpty, ScaleReport, ScaleSize
from digicoach.demo_data.flanders.seeder import database_is_empty, seed_flanders

__all__ = ["DatabaseNotEmpty", "ScaleReport", "ScaleSize", "database_is_empty", "seed_flanders"]
