"""The command line: the first administrator, the demo data and the translation tooling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyotp
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from sqlalchemy import func, select

from digicoach import cli, create_app
from digicoach.accounts import passwords
from digicoach.accounts.models import Role, User
from digicoach.accounts.services import find_by_email
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.places.models import Municipality, Programme
from tests.conftest import POSTGRES_URL
from tests.factories import make_user

GOOD_PASSWORD = "a long and unusual passphrase"


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_create_admin_makes_a_verified_administrator(runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Beheer@Gent.be",
            "--name",
            "Lies Beheer",
            "--password",
            GOOD_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "two-factor" in result.output.lower()
    user = find_by_email("beheer@gent.be")
    assert user is not None
    assert user.roles == {Role.ADMIN}
    assert user.email_verified_at is not None
    assert user.totp_enabled_at is None  # set up at the first sign-in
    assert passwords.verify_password(user.password_hash, GOOD_PASSWORD)
    assert db.session.scalar(select(AuditEvent.action)) == "user.create"


def test_create_admin_asks_for_what_is_missing_and_hides_the_password(runner):
    result = runner.invoke(
        args=["create-admin"],
        input=f"an@gent.be\nAn Peeters\n{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output
    assert find_by_email("an@gent.be") is not None


@pytest.mark.parametrize("password", ["short", "password1234"])
def test_create_admin_refuses_a_short_or_common_password(runner, password):
    result = runner.invoke(
        args=["create-admin", "--email", "a@gent.be", "--name", "A", "--password", password]
    )
    assert result.exit_code == 1
    assert "password" in result.output.lower()
    assert _count(User) == 0


def test_create_admin_refuses_an_email_address_that_is_taken(runner):
    make_user(email="taken@gent.be")
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "TAKEN@gent.be",
            "--name",
            "B",
            "--password",
            GOOD_PASSWORD,
        ]
    )
    assert result.exit_code == 1
    assert "exists" in result.output
    assert _count(User) == 1


def test_create_admin_refuses_an_invalid_email_address(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "not-an-address", "--name", "C", "--password", "x" * 20]
    )
    assert result.exit_code == 1
    assert _count(User) == 0


def test_seed_demo_fills_an_empty_database(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _count(Programme) == 1
    assert set(db.session.scalars(select(Municipality.name))) == {"Gent", "Antwerpen", "Kortrijk"}
    gent = db.session.scalar(select(Municipality).where(Municipality.name == "Gent"))
    for account in cli.DEMO_ACCOUNTS:
        user = find_by_email(account.email)
        assert user is not None, account.email
        assert user.roles == {account.role}
        assert user.email_verified_at is not None
        assert passwords.verify_password(user.password_hash, account.password)
        assert account.email in result.output
        assert account.password in result.output
        assert user.municipality_ids == ({gent.id} if account.scoped else set())
        assert (user.totp_secret is not None) is account.two_factor


def test_seed_demo_prints_a_usable_two_factor_secret_for_the_admin(runner):
    result = runner.invoke(args=["seed-demo"])
    admin = find_by_email(f"admin@{cli.DEMO_DOMAIN}")
    assert admin.totp_enabled_at is not None
    assert admin.totp_secret in result.output
    assert len(pyotp.TOTP(admin.totp_secret).now()) == 6


def test_seed_demo_refuses_the_second_time_without_changing_anything(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    users, municipalities = _count(User), _count(Municipality)
    again = runner.invoke(args=["seed-demo", "--seed", "7"])
    assert again.exit_code == 0
    assert "already" in again.output
    assert (_count(User), _count(Municipality), _count(Programme)) == (users, municipalities, 1)


def _template(*messages: str | tuple[str, str]) -> Catalog:
    template = Catalog()
    for message in messages:
        template.add(message)
    return template


def test_translate_update_fills_in_english_and_lists_the_rest_to_translate(tmp_path: Path):
    template = _template("Hello", ("%(num)d coach", "%(num)d coaches"))
    for language in ("nl", "en"):
        cli.init_catalogue(tmp_path, _template(), language)
    cli.update_catalogues(tmp_path, template, ("nl", "fr", "en"))

    english = cli.read_catalog(cli.catalog_path(tmp_path, "en"), "en")
    assert english.get("Hello").string == "Hello"
    assert english.get("%(num)d coach").string == ("%(num)d coach", "%(num)d coaches")
    assert cli.untranslated(english) == []

    dutch = cli.read_catalog(cli.catalog_path(tmp_path, "nl"), "nl")
    assert {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in cli.untranslated(dutch)} == {
        "Hello",
        "%(num)d coach",
    }
    assert not cli.catalog_path(tmp_path, "fr").exists()  # init makes a catalogue, not update


def test_compiled_catalogues_leave_out_unfinished_plurals(tmp_path: Path):
    cli.init_catalogue(tmp_path, _template("Hello", ("%(num)d coach", "%(num)d coaches")), "nl")
    path = cli.catalog_path(tmp_path, "nl")
    dutch = cli.read_catalog(path, "nl")
    dutch.get("Hello").string = "Hallo"
    cli.write_catalog(dutch, path)
    (compiled,) = cli.compile_catalogues(tmp_path)
    with compiled.open("rb") as source:
        messages = {message.id for message in read_mo(source) if message.id}
    assert messages == {"Hello"}


def test_the_extractor_reads_python_and_templates():
    catalog = cli.extract_messages()
    locations = {path for message in catalog for path, _line in message.locations}
    assert any(path.startswith("digicoach/") and path.endswith(".py") for path in locations)
    assert any(path.startswith("templates/") for path in locations)


def _fingerprint() -> list[tuple[str, str]]:
    return sorted(db.session.execute(select(User.email, User.name)).tuples())


def test_seed_demo_gives_the_same_data_for_the_same_seed(
    runner, app_config, database_template, tmp_path, monkeypatch
):
    if POSTGRES_URL:
        pytest.skip("one engine proves determinism; the PostgreSQL fixture has one database")
    assert runner.invoke(args=["seed-demo", "--seed", "11"]).exit_code == 0
    first = _fingerprint()
    copy = tmp_path / "second.sqlite3"
    shutil.copyfile(database_template, copy)
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "second-instance"))
    second_app = create_app(
        "testing", **{**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}"}
    )
    with second_app.app_context():
        try:
            result = second_app.test_cli_runner().invoke(args=["seed-demo", "--seed", "11"])
            assert result.exit_code == 0, result.output
            assert _fingerprint() == first
        finally:
            db.session.remove()
            db.engine.dispose()
