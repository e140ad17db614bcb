"""Links that leave the app (e-mails, SMS, calendar feeds) point where the app is served.

In development, without DIGICOACH_PUBLIC_BASE_URL, they follow the host and port `make run`
serves (it passes FLASK_RUN_HOST and FLASK_RUN_PORT to the web server and the scheduler);
production refuses to start without the setting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from config import development_base_url
from digicoach import create_app
from digicoach.core import messages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("DIGICOACH_", "FLASK_RUN_")) or name in ("DATABASE_URL", "PORT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def test_in_development_links_follow_the_port_make_run_serves(environment):
    environment.setenv("FLASK_RUN_HOST", "127.0.0.1")
    environment.setenv("FLASK_RUN_PORT", "5101")
    app = create_app("development")
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5101"
    with app.app_context():
        link = messages.absolute_url("bookings.manage", token="abc")
    assert link == "http://127.0.0.1:5101/b/abc"


def test_port_alone_is_enough_and_without_anything_it_is_5000(environment):
    environment.setenv("PORT", "5202")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5202"
    environment.delenv("PORT")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_the_setting_wins_over_the_port(environment):
    environment.setenv("FLASK_RUN_PORT", "5101")
    environment.setenv("DIGICOACH_PUBLIC_BASE_URL", "https://digicoach.gent.be")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "https://digicoach.gent.be"


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", "5101", "http://127.0.0.1:5101"),
        ("localhost", "8000", "http://localhost:8000"),
        ("0.0.0.0", "5101", "http://127.0.0.1:5101"),  # every interface: reach it locally
        ("::1", "5101", "http://[::1]:5101"),
    ],
)
def test_the_development_address(host, port, url):
    assert development_base_url({"FLASK_RUN_HOST": host, "FLASK_RUN_PORT": port}) == url


def test_production_still_refuses_to_start_without_the_public_address(environment):
    environment.setenv("FLASK_RUN_PORT", "5101")
    with pytest.raises(RuntimeError, match="DIGICOACH_PUBLIC_BASE_URL"):
        create_app(
            "production",
            SECRET_KEY="x" * 40,
            CITIZEN_KEY_SECRET="y" * 40,
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_gives_the_web_server_and_the_scheduler_the_same_address():
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=5101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("DIGICOACH_")},
    ).stdout
    scheduler = next(line for line in plan.splitlines() if "scheduler run" in line)
    server = next(line for line in plan.splitlines() if "flask --app digicoach run" in line)
    for line in (scheduler, server):
        assert "FLASK_RUN_HOST=127.0.0.1" in line
        assert "FLASK_RUN_PORT=5101" in line
