"""Imported once by the racers' fork server (tests/racing.py): does the process-wide work every
racer would otherwise repeat before the start signal, so twenty racers don't each pay for it.

Mapper configuration and Babel's locale data are process-wide caches; an app built here on an
in-memory database is thrown away, nothing of it reaches the racers but those caches."""

from __future__ import annotations

import os
import tempfile
from datetime import date

from flask_babel import force_locale, format_date, gettext
from sqlalchemy.orm import configure_mappers

from digicoach import create_app
from digicoach.core.i18n import LANGUAGES
from tests.compile_once import share_url_builders


def _warm_up() -> None:
    share_url_builders()
    os.environ["DIGICOACH_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="racer-warmup-")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    configure_mappers()
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with force_locale(language):
                format_date(date(2026, 1, 1), "full")
                gettext("Save")


_warm_up()
