"""Editing a public text."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class PageForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Enter a title.")), Length(max=200)]
    )
    body = TextAreaField(
        _l("Text"),
        validators=[InputRequired(_l("Enter the text.")), Length(max=50_000)],
        render_kw={"rows": 20},
    )
