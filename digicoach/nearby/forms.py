"""The filters of the public "where can I get help?" page: a GET form, read leniently."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField

from digicoach.core import vocabulary
from digicoach.core.forms import Form

WHEN_CHOICES = ("all", "now", "week")


class NearbyFilterForm(Form):
    class Meta:
        csrf = False

    topic = SelectField(
        _l("What do you need help with?"),
        choices=[SelectChoice("", _l("Anything")), *vocabulary.select_choices(vocabulary.TOPICS)],
    )
    language = SelectField(
        _l("In which language?"),
        choices=[
            SelectChoice("", _l("Any language")),
            *vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
        ],
    )
    when = RadioField(
        _l("When?"),
        choices=[
            SelectChoice("all", _l("Any time")),
            SelectChoice("now", _l("Open now")),
            SelectChoice("week", _l("This week")),
        ],
        default="all",
    )
