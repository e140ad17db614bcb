"""seed-demo adds six months of help logs and weekly snapshots, so the charts show trends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from digicoach.cli import seed_demo_command
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog
from digicoach.places.models import Programme
from digicoach.progress.models import ProgressSnapshot
from digicoach.progress.queries import programme_progress


def test_seed_demo_adds_half_a_year_of_help_and_snapshots(app):
    result = app.test_cli_runner().invoke(seed_demo_command, ["--seed", "7"])
    assert result.exit_code == 0, result.output
    first_day = db.session.scalar(select(func.min(HelpLog.helped_on)))
    assert first_day <= clock.local_today() - timedelta(days=170)
    assert db.session.scalar(select(func.count(HelpLog.id))) > 300
    assert db.session.scalar(select(func.count(ProgressSnapshot.id))) >= 27
    programme_id = db.session.scalar(select(Programme.id))
    figures = programme_progress(programme_id, now=clock.now())
    assert 0 < figures["citizens"]["supported"] < figures["citizens"]["contacts"]
