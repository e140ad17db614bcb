"""GET filter forms: a first visit shows no error, an unknown value is ignored with one note."""

from datetime import date

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from digicoach.core.forms import read_filter_form


class TopicFilterForm(FlaskForm):
    class Meta:
        csrf = False

    topic = SelectField(
        choices=[
            SelectChoice("", "All topics"),
            SelectChoice("email", "E-mail"),
            SelectChoice("eid", "eID"),
        ]
    )
    day = DateField(validators=[Optional()])
    languages = SelectMultipleField(
        choices=[SelectChoice("nl", "Dutch"), SelectChoice("fr", "French")]
    )


def _read(app, query: dict):
    args = MultiDict(query)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        form = TopicFilterForm(args)
        return form, read_filter_form(form, args)


def test_a_first_visit_validates_nothing_and_shows_no_error(app):
    form, reading = _read(app, {})
    assert reading.ignored == ()
    assert reading.note is None
    assert all(not field.errors for field in form)
    assert form.topic.data is None


def test_known_values_are_kept(app):
    form, reading = _read(app, {"topic": "email", "day": "2026-12-07", "languages": "fr"})
    assert reading.ignored == ()
    assert (form.topic.data, form.day.data, form.languages.data) == (
        "email",
        date(2026, 12, 7),
        ["fr"],
    )


def test_an_unknown_value_is_ignored_with_one_note_and_no_field_error(app):
    args = MultiDict([("topic", "lottery"), ("day", "2026-12-07")])
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        form = TopicFilterForm(args)
        reading = read_filter_form(form, args)
        assert reading.ignored == ("topic",)
        assert reading.note == "A filter was ignored: unknown value."
        assert form.topic.data is None and not form.topic.errors
        assert form.day.data == date(2026, 12, 7)


def test_a_malformed_date_and_a_blank_filter_are_no_errors(app):
    form, reading = _read(app, {"day": "yesterday-ish", "topic": ""})
    assert reading.ignored == ("day",)
    assert form.day.data is None and not form.day.errors
    assert not form.topic.errors


def test_two_ignored_filters_give_one_note(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        args = MultiDict([("topic", "x"), ("day", "y")])
        reading = read_filter_form(TopicFilterForm(args), args)
        assert reading.note == "2 filters were ignored: unknown values."


def test_a_blank_choice_stays_blank_so_all_means_all(app):
    """`?status=` is the "All" option chosen on purpose, not a missing filter."""
    form, reading = _read(app, {"topic": ""})
    assert reading.ignored == ()
    assert form.topic.data == ""
