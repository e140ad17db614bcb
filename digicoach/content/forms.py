"""Editing a public text."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from digicoach.core.forms import Form


class PageForm(Form):
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Enter a title.")), Length(max=200)]
    )
    body = TextAreaField(
        _l("Text"),
        validators=[InputRequired(_l("Enter the text.")), Length(max=50_000)],
        render_kw={"rows": 20},
    )
