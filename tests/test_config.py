"""Settings come from the config classes, then from DIGICOACH_ variables and DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digicoach import create_app
from digicoach.app import normalise_database_url
from digicoach.extensions import db


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without stray settings, with the instance folder in a temp directory."""
    for name in list(os.environ):
        if name.startswith("DIGICOACH_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def test_digicoach_prefixed_variables_override_the_settings(environment):
    environment.setenv("DIGICOACH_MAIL_SERVER", "smtp.gent.be")
    environment.setenv("DIGICOACH_MAIL_PORT", "2525")
    environment.setenv("DIGICOACH_RATELIMIT_ENABLED", "false")
    environment.setenv("DIGICOACH_PUBLIC_BASE_URL", "https://digicoach.gent.be")
    app = create_app("development")
    assert app.config["MAIL_SERVER"] == "smtp.gent.be"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["PUBLIC_BASE_URL"] == "https://digicoach.gent.be"


def test_the_environment_chooses_the_settings_class(environment):
    environment.setenv("DIGICOACH_ENV", "development")
    app = create_app()
    assert app.config["ENV_NAME"] == "development"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_an_unknown_environment_name_is_refused(environment):
    environment.setenv("DIGICOACH_ENV", "staging")
    with pytest.raises(RuntimeError, match="DIGICOACH_ENV"):
        create_app()


def test_production_is_the_default_and_needs_its_settings(environment):
    with pytest.raises(RuntimeError, match="DIGICOACH_SECRET_KEY"):
        create_app()


def test_database_url_is_accepted_and_uses_psycopg_3(environment):
    environment.setenv("DATABASE_URL", "postgres://digicoach:secret@db.internal:5432/digicoach")
    app = create_app(
        "production",
        SECRET_KEY="x" * 40,
        CITIZEN_KEY_SECRET="y" * 40,
        PUBLIC_BASE_URL="https://digicoach.gent.be",
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://digicoach:secret@db.internal:5432/digicoach"
    )
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"


def test_the_prefixed_database_setting_wins_over_database_url(environment, tmp_path):
    environment.setenv("DATABASE_URL", "postgresql://elsewhere/digicoach")
    environment.setenv("DIGICOACH_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'a.sqlite3'}"


def test_development_keeps_its_data_and_secret_in_the_instance_folder(environment, tmp_path):
    first = create_app("development")
    second = create_app("development")
    instance = tmp_path / "instance"
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'digicoach.sqlite3'}"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.sqlite3", "sqlite:///x.sqlite3"),
    ],
)
def test_database_urls_are_normalised(given, used):
    assert normalise_database_url(given) == used
