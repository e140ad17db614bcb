"""The deployment files say what the README promises: sync workers from WEB_CONCURRENCY, the
port from PORT, no preload, and a Procfile with the release step and exactly one scheduler."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults_to_four_sync_workers_on_port_8000_without_preload(monkeypatch):
    settings = _settings(monkeypatch)
    assert settings["workers"] == 4
    assert settings["worker_class"] == "sync"
    assert settings["preload_app"] is False
    assert settings["bind"] == "0.0.0.0:8000"
    assert settings["accesslog"] == "-"
    assert 0 < settings["timeout"] <= 60


def test_gunicorn_takes_port_workers_and_bind_from_the_environment(monkeypatch):
    assert _settings(monkeypatch, PORT="5005")["bind"] == "0.0.0.0:5005"
    assert _settings(monkeypatch, WEB_CONCURRENCY="9")["workers"] == 9
    bound = _settings(monkeypatch, PORT="5005", GUNICORN_BIND="127.0.0.1:7000")
    assert bound["bind"] == "127.0.0.1:7000"


def test_the_procfile_upgrades_the_database_before_release_and_runs_one_scheduler():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert processes["release"].strip() == "flask --app digicoach db upgrade"
    assert processes["web"].strip() == "gunicorn -c deploy/gunicorn.conf.py wsgi:app"
    assert processes["scheduler"].strip() == "flask --app digicoach scheduler run"


@pytest.mark.parametrize("unit", ["digicoach-web.service", "digicoach-scheduler.service"])
def test_the_systemd_units_read_the_settings_file_and_restart(unit):
    text = (ROOT / "deploy" / unit).read_text()
    assert "EnvironmentFile=/etc/digicoach/env" in text
    assert "Restart=always" in text
    assert "ExecStart=/srv/digicoach/.venv/bin/" in text
