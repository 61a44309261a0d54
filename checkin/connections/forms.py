"""The note form: what I learnt about someone I met."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from checkin.connections.services import MAX_NOTE_LENGTH


class NoteForm(FlaskForm):
    text = TextAreaField(_l("My note"), validators=[
        Length(max=MAX_NOTE_LENGTH, message=_l("At most %(max)d characters."))])
