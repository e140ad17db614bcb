from flask_wtf import FlaskForm
from wtforms import StringField

from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import show_errors


class SlotForm(FlaskForm):
    name = StringField()
    slot = StringField()


def test_each_message_goes_next_to_its_field_or_above_the_form(app):
    with app.test_request_context("/"):
        form = SlotForm(meta={"csrf": False})
        show_errors(
            form,
            ValidationFailed({"name": ["Enter a name."], "start": ["Pick a time."], "data": ["x"]}),
            aliases={"start": "slot"},
        )
        assert form.name.errors == ["Enter a name."]
        assert form.slot.errors == ["Pick a time."]
        assert form.form_errors == ["x"]  # a form attribute is never taken for a field


def test_a_refusal_without_a_field_stands_above_the_form(app):
    with app.test_request_context("/"):
        form = SlotForm(meta={"csrf": False})
        show_errors(form, Conflict("The place is gone."))
        assert form.form_errors == ["The place is gone."]
        assert not form.name.errors
