"""The ceiling of bench/http_load.py: a Flask app with no extensions, no database and no
middleware that answers "ok". Served by the same gunicorn settings as digicoach, it shows what
the framework and the worker class can do on this machine, so every digicoach row is a share
of it (issue 17)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok() -> str:
    return "ok"
