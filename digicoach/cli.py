"""The command line: `flask --app digicoach create-admin | seed-demo | translate ...`.

Commands are edges like views: each opens its own unit of work and calls the same services the
web pages call. They speak English, the source language, because operators read them in logs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.accounts import passwords
from digicoach.accounts import services as account_services
from digicoach.accounts.models import Role, User
from digicoach.allowances import demo as allowances_demo
from digicoach.bookings import demo as bookings_demo
from digicoach.coaches import demo as coaches_demo
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.i18n import LANGUAGES
from digicoach.demo_data import flanders
from digicoach.extensions import db
from digicoach.helpdesk import demo as helpdesk_demo
from digicoach.helplog import demo as helplog_demo
from digicoach.homevisits import demo as homevisits_demo
from digicoach.loans import demo as loans_demo
from digicoach.partners import demo as partners_demo
from digicoach.places import demo as places_demo
from digicoach.places.models import Programme
from digicoach.progress import demo as progress_demo
from digicoach.referrals import demo as referrals_demo
from digicoach.training import demo as training_demo

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "digicoach" / "translations"
MAPPING_FILE = ROOT / "babel.cfg"
TEMPLATE_FILE = TRANSLATIONS / "messages.pot"
SOURCE_LANGUAGE = "en"
PROJECT_VERSION = "1"
HEADER_COMMENT = (
    "# digicoach: {what}.\n"
    "# Made with `flask --app digicoach translate`; see README.md, Translations."
)
KEYWORDS = ("_", "_l", "gettext", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2")


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translate)


# --- create-admin -----------------------------------------------------------------------------


@click.command("create-admin")
@click.option("--email", prompt="E-mail address", help="The administrator's e-mail address.")
@click.option("--name", prompt="Full name", help="The administrator's name.")
@click.option(
    "--password",
    prompt="Password",
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters. Prompted (hidden, twice) when left out.",
)
@click.option(
    "--language", type=click.Choice(LANGUAGES), default="nl", show_default=True, help="UI language."
)
@with_appcontext
def create_admin_command(email: str, name: str, password: str, language: str) -> None:
    """Create an administrator account (the first account of a new installation)."""
    with force_locale(SOURCE_LANGUAGE):
        try:
            address = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise click.ClickException(f"This e-mail address is not valid: {error}") from None
        if not name.strip():
            raise click.ClickException("Give the administrator's name.")
        problems = passwords.policy_errors(password)
        if problems:
            raise click.ClickException("This password cannot be used. " + " ".join(problems))
        if account_services.find_by_email(address) is not None:
            raise click.ClickException(f"An account with the e-mail address {address} exists.")
        now = clock.now()
        with unit_of_work():
            account_services.create_user(
                actor=None,
                email=address,
                name=name,
                roles=[Role.ADMIN],
                password=password,
                language=language,
                verified_at=now,
                now=now,
            )
    click.echo(f"Administrator {address} created.")
    click.echo("Two-factor authentication is set up at the first sign-in: have an app ready.")


# --- seed-demo --------------------------------------------------------------------------------

DEMO_DOMAIN = "demo.digicoach.be"
DEMO_MUNICIPALITY = "Gent"
# Demo only: a published secret protects nothing. It lets someone trying digicoach out add the
# demo admin and coordinator to an authenticator app instead of enrolling at each reset.
DEMO_TOTP_SECRET = "DIGICOACHDEMOTOTPSECRETONLY2345A"


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    name: str
    password: str
    scoped: bool = False
    two_factor: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        Role.ADMIN, f"admin@{DEMO_DOMAIN}", "Anna Peeters", "demo-admin-digicoach", two_factor=True
    ),
    DemoAccount(
        Role.COORDINATOR,
        f"coordinator@{DEMO_DOMAIN}",
        "Koen Claes",
        "demo-coordinator-digicoach",
        scoped=True,
        two_factor=True,
    ),
    DemoAccount(
        Role.DESK,
        f"desk@{DEMO_DOMAIN}",
        "Sofie Maes",
        "demo-desk-digicoach",
        scoped=True,
        two_factor=True,
    ),
    DemoAccount(Role.COACH, f"coach@{DEMO_DOMAIN}", "Jan Janssens", "demo-coach-digicoach"),
    # Staff of Bibliotheek Gent (partners.demo.DEMO_PARTNER_ORGANISATION), not of a municipality.
    DemoAccount(
        Role.PARTNER,
        f"partner@{DEMO_DOMAIN}",
        "Lotte De Smet",
        "demo-partner-digicoach",
        two_factor=True,
    ),
)


@dataclass
class DemoContext:
    """What every demo step receives: one seeded random source, one moment, the accounts made."""

    rng: random.Random
    now: datetime
    # What earlier steps made, for later steps to build on (see each seeder's docstring).
    places: dict[str, Any] = field(default_factory=dict)
    users: dict[Role, User] = field(default_factory=dict)
    coaches: list[Coach] = field(default_factory=list)


def seed_demo_places(context: DemoContext) -> None:
    context.places = places_demo.seed_places(rng=context.rng, now=context.now)


def seed_demo_accounts(context: DemoContext) -> None:
    gent = context.places["municipalities"][DEMO_MUNICIPALITY]
    for account in DEMO_ACCOUNTS:
        user = account_services.create_user(
            actor=None,
            email=account.email,
            name=account.name,
            roles=[account.role],
            municipality_ids=[gent.id] if account.scoped else [],
            password=account.password,
            verified_at=context.now,
            now=context.now,
        )
        if account.two_factor:
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled_at = context.now
        context.users[account.role] = user
    db.session.flush()


def seed_demo_organisations(context: DemoContext) -> None:
    """Five or six partner organisations per municipality, the digipunten they run, their
    offers with opening hours; the demo partner account works for Gent's library."""
    partners_demo.seed_organisations(
        places=context.places, now=context.now, partner_user=context.users.get(Role.PARTNER)
    )


def seed_demo_coaches(context: DemoContext) -> None:
    """Version 1 of the public texts, about 60 coaches, and a profile for the demo coach."""
    coaches_demo.publish_default_texts(now=context.now)
    context.coaches = coaches_demo.seed_coaches(
        rng=context.rng,
        places=context.places,
        now=context.now,
        coach_user=context.users.get(Role.COACH),
    )


# The demo data, in dependency order. A feature adds its own step here (a function taking the
# DemoContext, usually a thin adapter over `<feature>.demo.seed_*`); every step shares one
# seeded random source, so the same --seed gives the same data.
def seed_demo_training(context: DemoContext) -> None:
    """The curriculum and cohorts in every phase, named after where and when they meet."""
    training_demo.seed_training(rng=context.rng, places=context.places, coaches=context.coaches)


def seed_demo_help_sessions(context: DemoContext) -> None:
    """Eight weeks of help sessions at every digipunt from its weekly hours, one of them today
    around the hour of seeding, with shifts (the demo coach's today in Gent)."""
    coach_user = context.users.get(Role.COACH)
    helpdesk_demo.seed_help_sessions(
        rng=context.rng,
        places=context.places,
        coaches=list(db.session.scalars(select(Coach))),
        now=context.now,
        demo_coach=next((c for c in context.coaches if c.user is coach_user), None),
    )


def seed_demo_progress(context: DemoContext) -> None:
    """Six months of help logs and weekly progress snapshots, so the charts show trends."""
    helplog_demo.seed_help_logs(
        rng=context.rng,
        places=context.places,
        coaches=list(db.session.scalars(select(Coach))),
        now=context.now,
    )
    progress_demo.seed_snapshots(now=context.now, hours=context.places["hours"])


def seed_demo_bookings(context: DemoContext) -> None:
    """Today's appointments and walk-in queue at every digipunt, and a few appointments in the
    next two weeks."""
    bookings_demo.seed_bookings(rng=context.rng, places=context.places, now=context.now)


def seed_demo_allowances(context: DemoContext) -> None:
    """The caps per year (2024's official figures), insurance on every programme, and
    allowances for a few Gent coaches on the days of their past shifts this year. The
    certificates of certified coaches come from the training step."""
    allowances_demo.seed_allowances(
        rng=context.rng,
        now=context.now,
        admin=context.users[Role.ADMIN],
        coordinator=context.users[Role.COORDINATOR],
        demo_coach_user=context.users.get(Role.COACH),
    )


def seed_demo_loans(context: DemoContext) -> None:
    """Laptops, tablets, smartphones and hotspots at every digipunt, lent by the municipality's
    desk (the demo desk in Gent, else the admin): open loans, some overdue, returned and lost."""
    desk = context.users.get(Role.DESK) or context.users[Role.ADMIN]
    desks = {
        municipality.id: desk
        if municipality.id in desk.municipality_ids
        else context.users[Role.ADMIN]
        for municipality in context.places["municipalities"].values()
    }
    loans_demo.seed_loans(rng=context.rng, places=context.places, now=context.now, desks=desks)


def seed_demo_referrals(context: DemoContext) -> None:
    """A few open and closed referrals per municipality, from the coaches' recent help logs
    to the partner organisations' offers (its own random source)."""
    referrals_demo.seed_referrals(now=context.now)


def seed_demo_home_visits(context: DemoContext) -> None:
    """A few Gent coaches who do home visits, and four visits in the coming week booked by the
    demo desk with the people who go: three with two coaches (a coach of one cancelled afterwards,
    so it lacks a coach), one with a coach and the desk."""
    homevisits_demo.seed_home_visits(
        rng=context.rng,
        places=context.places,
        now=context.now,
        desk=context.users.get(Role.DESK) or context.users[Role.ADMIN],
    )


DEMO_STEPS: tuple[Callable[[DemoContext], None], ...] = (
    seed_demo_places,
    seed_demo_accounts,
    seed_demo_organisations,
    seed_demo_coaches,
    seed_demo_training,
    seed_demo_help_sessions,
    seed_demo_bookings,
    seed_demo_progress,
    seed_demo_allowances,
    # Late: it draws from the shared random source after every other step.
    seed_demo_loans,
    seed_demo_referrals,
    # After the loans, so the loans' draws stay as they were.
    seed_demo_home_visits,
)


@click.command("seed-demo")
@click.option(
    "--scale",
    type=click.Choice(["small", "flanders"]),
    default="small",
    show_default=True,
    help="small: three municipalities; flanders: all of Flanders, for load tests (minutes).",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
@with_appcontext
def seed_demo_command(scale: str, seed: int) -> None:
    """Load deterministic demo data into an empty database."""
    if scale == "flanders":
        seed_flanders_scale(seed)
        return
    if db.session.scalar(select(Programme.id).limit(1)) is not None:
        db.session.rollback()
        click.echo("The database already has a programme, so no demo data was added.")
        return
    context = DemoContext(rng=random.Random(seed), now=clock.now())
    with force_locale(SOURCE_LANGUAGE), unit_of_work():
        for step in DEMO_STEPS:
            step(context)
    click.echo(f"Demo data loaded (scale {scale}, seed {seed}).")
    click.echo("")
    click.echo("Demo accounts (for trying digicoach out; never on a real server):")
    for account in DEMO_ACCOUNTS:
        scope = f" ({DEMO_MUNICIPALITY})" if account.scoped else ""
        if account.role is Role.PARTNER:
            scope = f" ({partners_demo.DEMO_PARTNER_ORGANISATION[1]})"
        click.echo(f"  {account.role.value + scope:<20} {account.email:<32} {account.password}")
    click.echo("")
    click.echo(f"Two-factor secret of the staff accounts: {DEMO_TOTP_SECRET}")
    click.echo("Add it to an authenticator app (time-based, 6 digits, 30 seconds).")


def seed_flanders_scale(seed: int) -> None:
    """300 municipalities, 20,000 coaches, 500,000 appointments, 1,000,000 help logs, in bulk."""
    click.echo(f"Seeding Flanders scale (seed {seed}):")
    started = time.perf_counter()
    try:
        with force_locale(SOURCE_LANGUAGE), unit_of_work():
            report = flanders.seed_flanders(seed=seed, now=clock.now(), echo=click.echo)
            committing = time.perf_counter()
        click.echo(f"  {'commit':<28} {time.perf_counter() - committing:7.1f} s")
    except flanders.DatabaseNotEmpty:
        raise click.ClickException(
            "The flanders scale needs an empty database; this one has data. Nothing was added."
        ) from None
    for table, count in report.rows.items():
        click.echo(f"  {table:<28} {count:>9,} rows")
    click.echo(f"Flanders-scale demo data loaded in {time.perf_counter() - started:.0f} s.")
    click.echo("The scale accounts share an unknown password: they are not for signing in.")


# --- translate --------------------------------------------------------------------------------

translate = AppGroup("translate", help="Extract, update and compile the translations.")


def extract_messages(root: Path = ROOT, mapping_file: Path = MAPPING_FILE) -> Catalog:
    """Every translatable string in the code and templates, as a template catalogue."""
    with mapping_file.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(mapping_file))
    catalog = Catalog(
        project="digicoach",
        version=PROJECT_VERSION,
        copyright_holder="the digicoach contributors",
        header_comment=HEADER_COMMENT.format(what="translation template"),
        charset="utf-8",
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=parse_keywords(KEYWORDS),
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as output:
        write_po(output, catalog, width=100, sort_by_file=True)


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def catalog_path(directory: Path, language: str) -> Path:
    return directory / language / "LC_MESSAGES" / "messages.po"


def fill_source_language(catalog: Catalog) -> None:
    """English is the source: every msgstr is its msgid, plural forms included, never fuzzy."""
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            singular, plural = message.id[0], message.id[1]
            count = max(catalog.num_plurals, 2)
            message.string = (singular, *([plural] * (count - 1)))
        else:
            message.string = message.id
        message.flags.discard("fuzzy")


def update_catalogues(directory: Path, template: Catalog, languages: tuple[str, ...]) -> None:
    """Merge the template into each existing catalogue (new, changed and obsolete strings)."""
    for language in languages:
        path = catalog_path(directory, language)
        if not path.exists():
            continue
        catalog = read_catalog(path, language)
        catalog.update(template, update_creation_date=False)
        if language == SOURCE_LANGUAGE:
            fill_source_language(catalog)
        write_catalog(catalog, path)


def init_catalogue(directory: Path, template: Catalog, language: str) -> Path:
    path = catalog_path(directory, language)
    if path.exists():
        raise click.ClickException(f"{path} exists; use `translate update`.")
    catalog = Catalog(
        locale=language,
        project="digicoach",
        version=PROJECT_VERSION,
        copyright_holder="the digicoach contributors",
        header_comment=HEADER_COMMENT.format(what=f"{language} translations"),
        charset="utf-8",
        fuzzy=False,
    )
    catalog.update(template, update_creation_date=False)
    if language == SOURCE_LANGUAGE:
        fill_source_language(catalog)
    write_catalog(catalog, path)
    return path


def compile_catalogues(directory: Path) -> list[Path]:
    """Write a .mo next to every .po; fuzzy entries stay untranslated, as gettext expects."""
    written = []
    for path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        catalog = read_catalog(path, path.parent.parent.name)
        # write_mo keeps a plural entry whose forms are empty, and gettext would then show an
        # empty text; leaving it out shows the English source instead, as for other gaps.
        for message in untranslated(catalog):
            catalog.delete(message.id, context=message.context)
        target = path.with_suffix(".mo")
        with target.open("wb") as output:
            write_mo(output, catalog, use_fuzzy=False)
        written.append(target)
    return written


def untranslated(catalog: Catalog) -> list[Message]:
    """Messages with an empty msgstr (any plural form) or marked fuzzy."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            missing.append(message)
    return missing


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@translate.command("extract")
def translate_extract() -> None:
    """Write digicoach/translations/messages.pot from the code and the templates."""
    catalog = extract_messages()
    write_catalog(catalog, TEMPLATE_FILE)
    click.echo(f"{len(catalog)} messages written to {_shown(TEMPLATE_FILE)}.")


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge the new strings into every catalogue (English fills itself in)."""
    template = extract_messages()
    write_catalog(template, TEMPLATE_FILE)
    update_catalogues(TRANSLATIONS, template, LANGUAGES)
    for language in LANGUAGES:
        path = catalog_path(TRANSLATIONS, language)
        if path.exists():
            todo = len(untranslated(read_catalog(path, language)))
            click.echo(f"{language}: {todo} messages to translate.")
        else:
            click.echo(f"{language}: no catalogue; run `translate init {language}`.")


@translate.command("init")
@click.argument("language", type=click.Choice(LANGUAGES))
def translate_init(language: str) -> None:
    """Start the catalogue of LANGUAGE."""
    template = extract_messages()
    write_catalog(template, TEMPLATE_FILE)
    path = init_catalogue(TRANSLATIONS, template, language)
    click.echo(f"Created {_shown(path)}.")


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalogue into the .mo files the app reads."""
    written = compile_catalogues(TRANSLATIONS)
    if not written:
        click.echo("No catalogues to compile yet; the app shows the English source strings.")
    for path in written:
        click.echo(f"Compiled {_shown(path)}.")


@translate.command("todo")
@click.argument("language", type=click.Choice(LANGUAGES))
def translate_todo(language: str) -> None:
    """List the messages of LANGUAGE that are empty or fuzzy."""
    path = catalog_path(TRANSLATIONS, language)
    if not path.exists():
        raise click.ClickException(f"No catalogue for {language}; run `translate init {language}`.")
    missing = untranslated(read_catalog(path, language))
    for message in missing:
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
        label = "fuzzy" if message.fuzzy else "empty"
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        click.echo(f"[{label}] {msgid!r}  ({where})")
    click.echo(f"{len(missing)} messages to translate in {language}.")
