"""Reading exports as a Belgian municipality's spreadsheet would, and asking for them in a
language: shared by the export tests."""

from __future__ import annotations

import csv
import io

import openpyxl
from flask import Flask
from flask.testing import FlaskClient

from digicoach.accounts.models import User
from digicoach.extensions import db
from tests.conftest import sign_in


def as_reader(app: Flask, user: User, language: str) -> FlaskClient:
    """A client signed in as `user`, who reads (and downloads) in `language`."""
    user.language = language
    db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", language)
    sign_in(client, user)
    return client


def belgian_csv(body: bytes) -> list[list[str]]:
    """Rows of a CSV as Excel with Belgian settings reads it: `;` and a byte-order mark."""
    assert body.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def workbook(body: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body))
