"""Every text field of every form refuses what no stored text may hold: a one-line field no line
break, control character or bidi override; a multi-line field keeps its line breaks and refuses
the rest. The API's text fields follow the same two rules, and a header never breaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

import digicoach
from digicoach.core import mail, text
from digicoach.core.forms import Form

ONE_LINE_REFUSED = ["Ma\u202eria", "Maria\r\nBcc: x@example.org", "Ma\x07ria", "a\u2028b", "a\x85b"]
TEXT_REFUSED = ["Hello\x00", "Hello\x1b[31m", "Mar\u202eia", "a\x7fb"]
TEXT_KEPT = "Line one\r\nLine two\n\tindented"


def _every_form() -> list[type[Form]]:
    for module in pkgutil.walk_packages(digicoach.__path__, "digicoach."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        form = todo.pop()
        found.append(form)
        todo.extend(form.__subclasses__())
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


def _text_fields(form: Form) -> list:
    return [
        field
        for field in form
        if isinstance(field, StringField) and not isinstance(field, PasswordField)
    ]


def test_the_walk_finds_the_forms_of_every_feature():
    modules = {form.__module__ for form in _every_form()}
    assert len(_every_form()) >= 40
    for feature in ("accounts", "bookings", "coaches", "helpdesk", "helplog", "training", "places"):
        assert f"digicoach.{feature}.forms" in modules


@pytest.mark.parametrize("form_class", _every_form(), ids=lambda form: form.__qualname__)
def test_every_text_field_of_every_form_refuses_what_it_cannot_hold(app, form_class):
    with app.test_request_context("/", method="POST"):
        fields = _text_fields(form_class(formdata=MultiDict(), meta={"csrf": False}))
        for field in fields:
            multi_line = isinstance(field, TextAreaField)
            for value in TEXT_REFUSED if multi_line else ONE_LINE_REFUSED:
                form = form_class(formdata=MultiDict({field.name: value}), meta={"csrf": False})
                bound = form[field.name]
                bound.validate(form)
                expected = text.MULTI_LINE_MESSAGE if multi_line else text.SINGLE_LINE_MESSAGE
                assert str(expected) in bound.errors, (form_class.__name__, field.name, value)
            if multi_line:
                form = form_class(formdata=MultiDict({field.name: TEXT_KEPT}), meta={"csrf": False})
                form[field.name].validate(form)
                assert str(text.MULTI_LINE_MESSAGE) not in form[field.name].errors


def test_the_api_refuses_a_bidi_override_in_a_first_name_and_keeps_line_breaks_in_a_note(client):
    response = client.post("/api/v1/bookings", json={"first_name": "Ma\u202eria", "note": "a\nb"})
    assert response.status_code == 422
    assert "first_name" in response.json["errors"]
    assert "note" not in response.json["errors"]


def test_a_stored_line_break_never_breaks_a_mail_header(app):
    with app.app_context():
        message = mail.build(
            recipient="a@example.org",
            subject="Training group Gent\r\nBcc: everyone@example.org",
            body_text="Hello",
        )
    assert message["Subject"] == "Training group Gent Bcc: everyone@example.org"
    assert message["Bcc"] is None
    assert message.as_string()  # the message builds
