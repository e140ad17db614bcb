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

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import time as timer
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from flask import current_app
from sqlalchemy import Connection, Table, func, insert, select, text

from digicoach.accounts import passwords
from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.bookings import rules as booking_rules
from digicoach.bookings.models import HOLDS_PLACE, Appointment, Slot
from digicoach.coaches import demo as coaches_demo
from digicoach.coaches.models import (
    Coach,
    CoachLanguage,
    CoachStatus,
    CoachStatusChange,
    CoachTopic,
)
from digicoach.core import clock, vocabulary
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSeries, HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
    programme_municipality,
)
from digicoach.progress.tasks import write_snapshots

SCALE_DOMAIN = "scale.digicoach.test"
BATCH = 10_000
# Help sessions cover the last year and the next four weeks.
HISTORY_DAYS = 365
FUTURE_DAYS = 28
RETENTION_DAYS = 30
TOPIC_CODES = [term.code for term in vocabulary.TOPICS]
# Dutch first; the others as a digipunt in a Flemish city hears them.
LANGUAGES = ["nl"] * 30 + ["fr"] * 3 + ["en"] * 3 + ["ar"] * 3 + ["tr"] * 2 + ["pl", "uk", "ro"]
CONTACT_LANGUAGES = ["nl"] * 16 + ["fr", "en"]
HOLDS = frozenset(status.value for status in HOLDS_PLACE)


@dataclass(frozen=True)
class ScaleSize:
    """How much to make. `of(1.0)` is Flanders; every count scales linearly with `size`."""

    municipalities: int
    coaches: int
    appointments: int
    help_logs: int

    @classmethod
    def of(cls, size: float) -> ScaleSize:
        if not 0 < size <= 1:
            raise ValueError("size must be in (0, 1]")
        return cls(
            municipalities=max(2, round(300 * size)),
            coaches=max(10, round(20_000 * size)),
            appointments=max(20, round(500_000 * size)),
            help_logs=max(40, round(1_000_000 * size)),
        )


class DatabaseNotEmpty(Exception):
    """The scale seeder only fills an empty database: mixing it with real data helps nobody."""


@dataclass
class ScaleReport:
    rows: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)


# --- writing ----------------------------------------------------------------------------------


class BulkWriter:
    """COPY on PostgreSQL (the fastest way in), Core `insert()` in batches elsewhere."""

    def __init__(self, connection: Connection, report: ScaleReport) -> None:
        self.connection = connection
        self.report = report
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        written = 0
        if self.postgres:
            names = ", ".join(f'"{name}"' for name in columns)
            cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            iterator = iter(rows)
            while batch := list(islice(iterator, BATCH)):
                self.connection.execute(
                    insert(table), [dict(zip(columns, r, strict=True)) for r in batch]
                )
                written += len(batch)
        self.report.rows[table.name] = self.report.rows.get(table.name, 0) + written
        return written

    def reset_sequences(self, tables: Iterable[Table]) -> None:
        """Ids were chosen here, so move PostgreSQL's sequences past them."""
        if not self.postgres:
            return
        for table in tables:
            following = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
            self.connection.execute(select(func.setval(sequence, following, False)))


# --- names ------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Names separated by white space; an underscore joins the words of one name."""
    return [word.replace("_", " ") for word in text.split()]


REAL_NAMES = _words(
    """Antwerpen Gent Brugge Leuven Mechelen Aalst Kortrijk Hasselt Sint-Niklaas Genk
Oostende Roeselare Turnhout Dendermonde Beveren Heist-op-den-Berg Lokeren Vilvoorde Geel
Waregem Ninove Mol Lier Herentals Ieper Tienen Diest Tielt Eeklo Oudenaarde Zottegem Ronse
Menen Wevelgem Harelbeke Deinze Lede Wetteren Zele Hamme Temse Bornem Puurs Willebroek Boom
Kontich Mortsel Edegem Schoten Brasschaat Kapellen Stabroek Zoersel Malle Brecht Hoogstraten
Essen Kalmthout Wuustwezel Westerlo Herselt Laakdal Balen Dessel Retie Arendonk Ravels Beerse
Vosselaar Lille Kasterlee Olen Hulshout Nijlen Berlaar Duffel Bonheiden Putte Keerbergen
Haacht Kampenhout Zemst Grimbergen Meise Wemmel Asse Ternat Dilbeek Lennik Gooik Liedekerke
Affligem Opwijk Merchtem Londerzeel Kapelle-op-den-Bos Steenokkerzeel Zaventem Kraainem
Tervuren Overijse Huldenberg Bertem Herent Kortenberg Rotselaar Aarschot Begijnendijk
Tremelo Scherpenheuvel-Zichem Bekkevoort Glabbeek Kortenaken Landen Zoutleeuw Lubbeek Bierbeek
Boutersem Hoegaarden Holsbeek Lummen Herk-de-Stad Halen Beringen Leopoldsburg Heusden-Zolder
Houthalen-Helchteren Zonhoven Diepenbeek Bilzen Tongeren Borgloon Sint-Truiden Alken
Nieuwerkerken Wellen Kortessem Hoeselt Riemst Lanaken Maasmechelen Dilsen-Stokkem Maaseik
Kinrooi Bree Peer Hamont-Achel Neerpelt Lommel Hechtel-Eksel Meeuwen-Gruitrode Opglabbeek As
Zutendaal Knokke-Heist Blankenberge Damme Zedelgem Oostkamp Beernem Torhout Jabbeke
Oudenburg Gistel Middelkerke Nieuwpoort Koksijde Veurne Diksmuide Poperinge Wervik Zonnebeke
Staden Moorslede Izegem Ingelmunster Lendelede Kuurne Zwevegem Avelgem Anzegem Deerlijk
Wielsbeke Oostrozebeke Pittem Ardooie Lichtervelde Kortemark Koekelare Hooglede Ledegem"""
)

# For the rest: plausible Flemish-sounding names, made from parts.
NAME_STARTS = _words(
    "Ber Hove Laar Meer Zand Hoog Wil Ter Hel Oost West Noord Zuid Eke Mal Bos Linde Roze Ham "
    "Over Neer Brem Hul Vel Dor Kalk Heide Beek Moer Bruk Eiken Wolver Stee Lover Grim Haver"
)
NAME_ENDS = _words(
    "gem zele kerke hout beek dijk rode hove lo donk sele aken inge dorp veld broek berg"
)
PROVINCES = (
    # (NIS arrondissements, postcode range) of Antwerpen, Vlaams-Brabant, West-Vlaanderen,
    # Oost-Vlaanderen and Limburg.
    ((11, 12, 13), (2000, 2999)),
    ((23, 24), (1500, 1999)),
    ((31, 32, 33, 34, 35, 36, 37, 38), (8000, 8999)),
    ((41, 42, 43, 44, 45, 46), (9000, 9999)),
    ((71, 72, 73), (3500, 3999)),
)
BIG_CITIES = {"Antwerpen": 9.0, "Gent": 8.0}
CITIES = {
    name: 3.0
    for name in _words(
        "Brugge Leuven Mechelen Aalst Kortrijk Hasselt Sint-Niklaas Genk Oostende Roeselare"
    )
}
NEIGHBOURHOODS = _words(
    "Centrum Noord Zuid Oost West Station Kerkwijk Heide Dorp Molenwijk Hoogveld Kouter "
    "Bosstraat Meersen Blekerij Kapelleke Zandberg Ter_Linden Hof_ter_Beke"
)
STREETS = _words(
    "Kerkstraat Stationsstraat Dorpsstraat Markt Molenstraat Schoolstraat Nieuwstraat "
    "Kapelstraat Beekstraat Heirbaan Steenweg Kouterstraat"
)
FIRST_NAMES = _words(
    "Jan Marie Luc An Koen Sofie Pieter Els Tom Lien Wim Fatima Mohamed Yasmina Bart Hilde "
    "Joris Nathalie Ahmed Leen Ruben Emma Louis Nora Lucas Olivia Arthur Ayşe Mehmet Ines "
    "Dirk Greet Hanne Stijn Katrien Sam Zeynep Omar Julie Maarten"
)
LAST_NAMES = _words(
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters De_Smet Dubois "
    "Hermans Aerts Pauwels Vermeulen Van_Damme Lambrechts El_Amrani Yilmaz Desmet Verbruggen "
    "De_Backer Michiels Segers Cools Coppens Vandenberghe Smets Bogaert Nowak"
)
LOCATION_KINDS = ("Bibliotheek", "Dienstencentrum", "Sociaal Huis", "Buurthuis", "Gemeentehuis")


def municipality_names(count: int, rng: random.Random) -> list[str]:
    names = list(REAL_NAMES[:count])
    seen = set(names)
    while len(names) < count:
        made = rng.choice(NAME_STARTS) + rng.choice(NAME_ENDS)
        if rng.random() < 0.15:
            made = "Sint-" + made
        if made not in seen:
            seen.add(made)
            names.append(made)
    return names


def reference(index: int) -> str:
    """A unique 'K7M-4QX' for every index: a fixed permutation of the 25**6 references."""
    alphabet = booking_rules.REFERENCE_ALPHABET
    size = len(alphabet)
    space = size**6
    # 7,368,787 is not divisible by 5, so multiplying by it permutes 0 .. 25**6 - 1.
    number = (index * 7_368_787 + 1_234_567) % space
    chars = []
    for _ in range(6):
        number, digit = divmod(number, size)
        chars.append(alphabet[digit])
    return "".join(chars[:3]) + "-" + "".join(chars[3:])


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


# --- the seeder -------------------------------------------------------------------------------


@dataclass
class _Place:
    id: int
    municipality_id: int
    neighbourhood_id: int | None
    opened_on: date


@dataclass
class _Coach:
    id: int
    user_id: int
    municipality_id: int
    status: str
    steps: list[tuple[str, datetime]]
    # When the coach may take shifts: from certification to dormancy or leaving.
    works_from: datetime | None
    works_until: datetime | None
    last_shift_at: datetime | None = None


@dataclass
class _Session:
    id: int
    place: _Place
    starts_at: datetime
    ends_at: datetime
    mode: str
    slot_minutes: int
    citizens_per_slot: int
    cancelled: bool
    coaches: list[int] = field(default_factory=list)  # non-cancelled shifts' coach ids


class _Seeder:
    def __init__(
        self, *, size: ScaleSize, seed: int, now: datetime, echo: Callable[[str], None]
    ) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.now = now
        self.today = clock.local(now).date()
        self.first_day = self.today - timedelta(days=HISTORY_DAYS)
        self.echo = echo
        self.report = ScaleReport()
        self.writer = BulkWriter(db.session.connection(), self.report)
        # One hash for every scale account, of a password nobody knows: argon2 once, not 20,000
        # times. The accounts exist for the figures, not for signing in.
        self.password_hash = passwords.hash_password(secrets.token_urlsafe(24))

    def phase(self, name: str, step: Callable[[], None]) -> None:
        started = timer.perf_counter()
        step()
        took = timer.perf_counter() - started
        self.report.timings.append((name, took))
        self.echo(f"  {name:<28} {took:7.1f} s")

    def run(self) -> ScaleReport:
        self.phase("places and programmes", self.places)
        self.phase("accounts and digicoaches", self.people)
        self.phase("help sessions and shifts", self.sessions)
        self.phase("appointments", self.appointments)
        self.phase("help logs", self.help_logs)
        self.phase("texts, sequences, statistics", self.finish)
        self.phase("snapshots (today)", self.snapshots)
        return self.report

    # -- places --------------------------------------------------------------------------------

    def places(self) -> None:
        rng = self.rng
        count = self.size.municipalities
        names = municipality_names(count, rng)
        created = self.now - timedelta(days=HISTORY_DAYS + 60)
        municipalities, neighbourhoods, locations = [], [], []
        self.weights: dict[int, float] = {}
        self.places_by_municipality: dict[int, list[_Place]] = {}
        self.places_list: list[_Place] = []
        sequence: Counter[int] = Counter()
        for index, name in enumerate(names, start=1):
            arrondissements, (low, high) = PROVINCES[index % len(PROVINCES)]
            arrondissement = arrondissements[(index // len(PROVINCES)) % len(arrondissements)]
            sequence[arrondissement] += 1
            nis = f"{arrondissement}{sequence[arrondissement]:03d}"
            weight = BIG_CITIES.get(name) or CITIES.get(name) or rng.lognormvariate(0, 0.6)
            self.weights[index] = weight
            municipalities.append((index, name, nis, created))
            postcode = str(rng.randint(low, high))
            own = []
            for part in rng.sample(NEIGHBOURHOODS, min(len(NEIGHBOURHOODS), 2 + round(weight))):
                nid = len(neighbourhoods) + 1
                neighbourhoods.append((nid, index, part))
                own.append((nid, part))
            for n in range(max(1, min(6, round(weight * 1.5)))):
                nid, part = own[n % len(own)]
                kind = LOCATION_KINDS[n % len(LOCATION_KINDS)]
                lid = len(locations) + 1
                label = f"{kind} {name}" if n == 0 else f"{kind} {part}"
                locations.append(
                    (
                        lid,
                        index,
                        nid,
                        label,
                        f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                        postcode,
                        name,
                        f"0{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                        f"{rng.randint(10, 99)}",
                        "",
                        "",
                        True,
                        created,
                    )
                )
                # Two in five digipunten were open before the year began; the rest opened
                # during its first nine months, so the figures grow over the year.
                opened = (
                    self.first_day
                    if rng.random() < 0.4
                    else self.first_day + timedelta(days=rng.randint(0, 270))
                )
                place = _Place(lid, index, nid, opened)
                self.places_by_municipality.setdefault(index, []).append(place)
                self.places_list.append(place)
        w = self.writer
        w.write(Municipality.__table__, ("id", "name", "nis_code", "created_at"), municipalities)
        w.write(Neighbourhood.__table__, ("id", "municipality_id", "name"), neighbourhoods)
        w.write(
            Location.__table__,
            (
                "id",
                "municipality_id",
                "neighbourhood_id",
                "name",
                "street",
                "postcode",
                "city",
                "front_desk_phone",
                "opening_notes",
                "accessibility_notes",
                "active",
                "created_at",
            ),
            locations,
        )
        starts_on = self.first_day.replace(day=1)
        ends_on = date(starts_on.year + 2, 12, 31)
        # The Digibank: an inter-municipal programme of about one in fifteen municipalities.
        digibank = sorted(rng.sample(range(1, count + 1), max(1, count // 15)))
        programmes = [
            (1, "Cross & Learn", starts_on, ends_on, 1000, 30000, "", created),
            (
                2,
                "Digibank Kempen",
                starts_on,
                ends_on,
                max(1, 50 * len(digibank) // 20),
                max(1, 1500 * len(digibank) // 20),
                "",
                created,
            ),
        ]
        w.write(
            Programme.__table__,
            (
                "id",
                "name",
                "starts_on",
                "ends_on",
                "coach_target",
                "citizen_target",
                "description",
                "created_at",
            ),
            programmes,
        )
        links = [(1, m) for m in range(1, count + 1)] + [(2, m) for m in digibank]
        w.write(programme_municipality, ("programme_id", "municipality_id"), links)

    # -- people --------------------------------------------------------------------------------

    def people(self) -> None:
        """Staff (an admin, a coordinator and a desk account per municipality) and the coaches.

        Only the plan of the coaches is made here: their rows are written after the shifts,
        which decide `last_shift_at`.
        """
        rng = self.rng
        now = self.now
        users, roles, scopes = [], [], []

        def add_user(email: str, name: str, role: Role, two_factor: bool) -> int:
            uid = len(users) + 1
            created = now - timedelta(days=rng.randint(400, 700))
            users.append(
                (
                    uid,
                    email,
                    email,
                    name,
                    self.password_hash,
                    "nl",
                    True,
                    created,
                    created,
                    _hex(rng)[:32].upper() if two_factor else None,
                    created if two_factor else None,
                )
            )
            roles.append((uid, role.value))
            return uid

        self.admin_id = add_user(f"admin@{SCALE_DOMAIN}", "Scale Admin", Role.ADMIN, True)
        for municipality_id in range(1, self.size.municipalities + 1):
            for role in (Role.COORDINATOR, Role.DESK):
                uid = add_user(
                    f"{role.value}{municipality_id:03d}@{SCALE_DOMAIN}",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role,
                    role == Role.COORDINATOR,
                )
                scopes.append((uid, municipality_id))

        statuses = [s.value for s in CoachStatus]
        # applied, approved, rejected, in_training, certified, active, dormant, left
        status_weights = [6, 3, 5, 8, 6, 52, 12, 8]
        municipality_ids = list(self.weights)
        weights = [self.weights[m] for m in municipality_ids]
        homes = rng.choices(municipality_ids, weights=weights, k=self.size.coaches)
        self.coaches: list[_Coach] = []
        self.coach_users: list[tuple] = []
        for n, home in enumerate(homes, start=1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            uid = add_user(f"coach{n:05d}@{SCALE_DOMAIN}", f"{first} {last}", Role.COACH, False)
            status = rng.choices(statuses, weights=status_weights)[0]
            steps = self._steps(status)
            works_from = works_until = None
            reached = {name for name, _at in steps}
            if CoachStatus.ACTIVE in reached:
                works_from = dict(steps)[CoachStatus.CERTIFIED]
                if status == CoachStatus.DORMANT:
                    # Dormant: no shift in the 90 days before dormancy.
                    works_until = dict(steps)[CoachStatus.DORMANT] - timedelta(days=90)
                elif status == CoachStatus.LEFT:
                    works_until = dict(steps)[CoachStatus.LEFT]
            self.coaches.append(_Coach(n, uid, home, status, steps, works_from, works_until))
            self.coach_users.append((first, last))
        self.user_rows, self.role_rows, self.scope_rows = users, roles, scopes

    def _steps(self, status: str) -> list[tuple[str, datetime]]:
        """The pipeline a coach went through to `status`, with moments, oldest first."""
        rng = self.rng
        s = CoachStatus
        paths = {
            s.APPLIED: [s.APPLIED],
            s.REJECTED: [s.APPLIED, s.REJECTED],
            s.APPROVED: [s.APPLIED, s.APPROVED],
            s.IN_TRAINING: [s.APPLIED, s.APPROVED, s.IN_TRAINING],
            s.CERTIFIED: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED],
            s.ACTIVE: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE],
            s.DORMANT: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE, s.DORMANT],
            s.LEFT: [s.APPLIED, s.APPROVED, s.IN_TRAINING, s.CERTIFIED, s.ACTIVE, s.LEFT]
            if rng.random() < 0.7
            else [s.APPLIED, s.LEFT],
        }
        path = paths[s(status)]
        # How long ago the last step was, in days (a range per final status).
        recent = {
            s.APPLIED: (1, 45),
            s.REJECTED: (1, 300),
            s.APPROVED: (1, 40),
            s.IN_TRAINING: (1, 80),
            s.CERTIFIED: (1, 25),
            # A third of the active coaches were active before the year began.
            s.ACTIVE: (5, 700) if rng.random() < 0.35 else (5, 330),
            s.DORMANT: (1, 200),
            s.LEFT: (1, 330),
        }[s(status)]
        gaps = {
            s.APPROVED: (5, 30),
            s.REJECTED: (5, 30),
            s.IN_TRAINING: (7, 40),
            s.CERTIFIED: (30, 90),
            s.ACTIVE: (1, 20),
            s.DORMANT: (120, 300),
            s.LEFT: (30, 200),
        }
        moment = self.now - timedelta(days=rng.randint(*recent), minutes=rng.randint(0, 12 * 60))
        steps = [(path[-1].value, moment)]
        for step in reversed(path[:-1]):
            nxt = path[path.index(step) + 1]
            moment = moment - timedelta(days=rng.randint(*gaps[nxt]), minutes=rng.randint(0, 600))
            steps.append((step.value, moment))
        steps.reverse()
        return steps

    def _write_people(self) -> None:
        w = self.writer
        w.write(
            User.__table__,
            (
                "id",
                "email",
                "email_key",
                "name",
                "password_hash",
                "language",
                "active",
                "email_verified_at",
                "created_at",
                "totp_secret",
                "totp_enabled_at",
            ),
            self.user_rows,
        )
        w.write(UserRole.__table__, ("user_id", "role"), self.role_rows)
        w.write(UserMunicipality.__table__, ("user_id", "municipality_id"), self.scope_rows)
        rng = self.rng
        coaches, languages, topics, history = [], [], [], []
        for coach, (first, last) in zip(self.coaches, self.coach_users, strict=True):
            steps = coach.steps
            activated = dict(steps).get(CoachStatus.ACTIVE)
            applied_at = steps[0][1]
            coaches.append(
                (
                    coach.id,
                    coach.user_id,
                    coach.municipality_id,
                    coach.status,
                    first,
                    last,
                    f"+32470{coach.id:06d}",
                    "",
                    rng.choice(["friend", "municipality", "library", "social_media"]),
                    "",
                    True,
                    False,
                    "",
                    applied_at,
                    steps[-1][1],
                    activated,
                    coach.last_shift_at,
                )
            )
            for code in sorted({"nl", *rng.sample(LANGUAGES, rng.randint(0, 2))}):
                languages.append((coach.id, code))
            for code in sorted(rng.sample(TOPIC_CODES, rng.randint(2, 4))):
                topics.append((coach.id, code))
            previous = None
            for status, at in steps:
                history.append((len(history) + 1, coach.id, previous, status, at, None, ""))
                previous = status
        w.write(
            Coach.__table__,
            (
                "id",
                "user_id",
                "municipality_id",
                "status",
                "first_name",
                "last_name",
                "phone",
                "motivation",
                "heard_from",
                "heard_from_other",
                "notify_email",
                "notify_sms",
                "insurance_reference",
                "applied_at",
                "status_changed_at",
                "activated_at",
                "last_shift_at",
            ),
            coaches,
        )
        w.write(CoachLanguage.__table__, ("coach_id", "code"), languages)
        w.write(CoachTopic.__table__, ("coach_id", "code"), topics)
        w.write(
            CoachStatusChange.__table__,
            ("id", "coach_id", "from_status", "to_status", "changed_at", "changed_by_id", "reason"),
            history,
        )

    # -- help sessions and shifts --------------------------------------------------------------

    def sessions(self) -> None:
        rng = self.rng
        now = self.now
        last_day = self.today + timedelta(days=FUTURE_DAYS)
        working: dict[int, list[_Coach]] = {}
        for coach in self.coaches:
            if coach.works_from is not None:
                working.setdefault(coach.municipality_id, []).append(coach)
        series_rows, session_rows, shift_rows = [], [], []
        self.session_list: list[_Session] = []
        starts = [time(9, 0), time(9, 30), time(13, 0), time(13, 30), time(14, 0), time(18, 0)]
        for place in self.places_list:
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
                        now - timedelta(days=(self.today - first).days + 7),
                    )
                )
                day = first
                while day <= last_day:
                    starts_at = _local(day, start)
                    ends_at = starts_at + timedelta(hours=hours)
                    cancelled = rng.random() < 0.02
                    session = _Session(
                        len(self.session_list) + 1,
                        place,
                        starts_at,
                        ends_at,
                        mode,
                        slot,
                        per_slot,
                        cancelled,
                    )
                    self.session_list.append(session)
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
        self._write_people()
        w = self.writer
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

    def appointments(self) -> None:
        """Appointments in the slots of sessions that take them, never more than a slot holds.

        Every place of every slot is a candidate; the wanted number is drawn from them
        uniformly, so busier months (more digipunten open) get more appointments.
        """
        rng = self.rng
        now = self.now
        slots: list[tuple[_Session, datetime, int]] = []
        places: list[int] = []
        for session in self.session_list:
            if session.cancelled or session.mode not in booking_rules.SLOTTED_MODES:
                continue
            capacity = booking_rules.slot_capacity(
                session.mode, len(session.coaches), session.citizens_per_slot
            )
            if capacity <= 0:
                continue
            for start in booking_rules.slot_starts(
                session.starts_at, session.ends_at, session.slot_minutes
            ):
                places.extend([len(slots)] * capacity)
                slots.append((session, start, capacity))
        wanted = min(self.size.appointments, len(places))
        self.echo(f"    {wanted:,} appointments in {len(places):,} places of {len(slots):,} slots")
        per_slot = Counter(rng.sample(places, wanted))
        # The citizens: about 2.6 appointments each, so many come back.
        citizens = max(1, round(wanted / 2.6))
        secret = current_app.config["CITIZEN_KEY_SECRET"].encode()
        pool = []
        for n in range(citizens):
            phone = f"+3248{n:07d}" if rng.random() < 0.8 else None
            email = None if phone else f"citizen{n}@example.org"
            identity = f"tel:{phone}" if phone else f"mail:{email}"
            key = hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()
            pool.append(
                (
                    rng.choice(FIRST_NAMES),
                    phone,
                    email,
                    key,
                    rng.choice(LANGUAGES),
                    rng.choice(CONTACT_LANGUAGES),
                )
            )
        slot_rows, rows = [], []
        self.attended: list[tuple] = []
        retention = timedelta(days=RETENTION_DAYS)
        for index in sorted(per_slot):
            session, start, capacity = slots[index]
            end = start + timedelta(minutes=session.slot_minutes)
            slot_id = len(slot_rows) + 1
            holding = 0
            in_slot: set[str] = set()
            for _n in range(per_slot[index]):
                if end <= now:
                    status = rng.choices(
                        ["attended", "no_show", "cancelled", "cancelled_by_organiser"],
                        weights=[78, 9, 10, 3],
                    )[0]
                elif start <= now:
                    status = "booked"
                else:
                    status = rng.choices(["booked", "cancelled"], weights=[92, 8])[0]
                holding += status in HOLDS
                citizen = rng.choice(pool)
                # One citizen, one place per slot, as booking holds (while citizens are left).
                while citizen[3] in in_slot and len(in_slot) < len(pool):
                    citizen = rng.choice(pool)
                in_slot.add(citizen[3])
                first_name, phone, email, key, language, contact_language = citizen
                topic = rng.choice(TOPIC_CODES)
                channel = rng.choices(["online", "phone", "walk_in"], weights=[55, 35, 10])[0]
                created = min(
                    start - timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600)), now
                )
                erased = end + retention <= now
                coach_id = rng.choice(session.coaches) if status != "cancelled" else None
                aid = len(rows) + 1
                rows.append(
                    (
                        aid,
                        session.id,
                        session.place.id,
                        slot_id,
                        start,
                        end,
                        reference(aid),
                        _hex(rng),
                        status,
                        channel,
                        "" if erased else first_name,
                        None if erased else phone,
                        None if erased else email,
                        "",
                        "",
                        language,
                        contact_language,
                        topic,
                        key,
                        coach_id,
                        created,
                        created + timedelta(days=1) if status.startswith("cancelled") else None,
                        start + timedelta(minutes=rng.randint(-10, 5))
                        if status == "attended"
                        else None,
                        end + retention if erased else None,
                    )
                )
                if status == "attended":
                    self.attended.append((aid, session, start, end, key, language, topic, coach_id))
            slot_rows.append((slot_id, session.id, start, end, holding, capacity))
        w = self.writer
        w.write(
            Slot.__table__,
            ("id", "help_session_id", "start", "end", "taken", "capacity"),
            slot_rows,
        )
        w.write(
            Appointment.__table__,
            (
                "id",
                "help_session_id",
                "location_id",
                "slot_id",
                "start",
                "end",
                "reference",
                "manage_token_hash",
                "status",
                "channel",
                "first_name",
                "phone",
                "email",
                "note",
                "staff_note",
                "language",
                "contact_language",
                "topic",
                "citizen_key",
                "assigned_coach_id",
                "created_at",
                "cancelled_at",
                "checked_in_at",
                "contact_erased_at",
            ),
            rows,
        )

    # -- help logs -----------------------------------------------------------------------------

    def help_logs(self) -> None:
        """One log per attended appointment, the rest walk-ins at past walk-in sessions.

        Written in the order of the day helped, as they would have been logged.
        """
        rng = self.rng
        now = self.now
        user_of = {coach.id: coach.user_id for coach in self.coaches}
        logs: list[tuple] = []
        total = self.size.help_logs
        seen: set[str] = set()
        attended = sorted(self.attended, key=lambda a: (a[2], a[0]))[:total]
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
                    rng.choice(["ocmw", "library", "bank", "other"])
                    if outcome == "referred"
                    else None,
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
            for s in self.session_list
            if s.coaches and s.ends_at <= now and s.mode in ("walk_in", "hybrid")
        ] or [s for s in self.session_list if s.coaches and s.ends_at <= now]
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
                    rng.choice(["ocmw", "library", "bank", "other"])
                    if outcome == "referred"
                    else None,
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

        self.writer.write(
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
        self.writer.write(HelpLogTopic.__table__, ("log_id", "code"), topic_rows)

    # -- the rest ------------------------------------------------------------------------------

    def finish(self) -> None:
        coaches_demo.publish_default_texts(now=self.now)
        self.writer.reset_sequences(
            [
                Municipality.__table__,
                Neighbourhood.__table__,
                Location.__table__,
                Programme.__table__,
                User.__table__,
                Coach.__table__,
                CoachStatusChange.__table__,
                HelpSeries.__table__,
                HelpSession.__table__,
                Shift.__table__,
                Slot.__table__,
                Appointment.__table__,
                HelpLog.__table__,
            ]
        )
        # Fresh statistics, or the planner guesses at an empty table's plan for a million rows.
        connection = self.writer.connection
        connection.execute(text("ANALYZE"))

    def snapshots(self) -> None:
        self.report.rows["progress_snapshot"] = write_snapshots(now=self.now)


def database_is_empty() -> bool:
    for model in (Municipality, Programme, User):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def seed_flanders(
    *,
    size: float = 1.0,
    seed: int = 2026,
    now: datetime | None = None,
    echo: Callable[[str], None] = lambda _line: None,
) -> ScaleReport:
    """Fill an empty database with Flanders-sized demo data; returns the rows made and timings.

    Writes in the caller's transaction (the CLI's unit of work commits). Raises
    DatabaseNotEmpty when any municipality, programme or user exists.
    """
    if not database_is_empty():
        raise DatabaseNotEmpty
    seeder = _Seeder(size=ScaleSize.of(size), seed=seed, now=now or clock.now(), echo=echo)
    return seeder.run()


__all__ = ["DatabaseNotEmpty", "ScaleReport", "ScaleSize", "database_is_empty", "seed_flanders"]
