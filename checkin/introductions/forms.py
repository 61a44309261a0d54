"""The introduction form: two of my contacts, and why they should meet."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from checkin.introductions.models import MAX_REASON_LENGTH


class IntroduceForm(FlaskForm):
    # Choices are my network, filled in by the view; the service checks whoever is sent.
    first = SelectField(_l("Introduce"), coerce=int, validate_choice=False,
                        validators=[DataRequired(_l("Pick someone."))])
    second = SelectField(_l("to"), coerce=int, validate_choice=False,
                         validators=[DataRequired(_l("Pick someone."))])
    reason = TextAreaField(_l("Why they should meet, in a sentence"), validators=[
        DataRequired(_l("Say in a sentence why they should meet.")),
        Length(max=MAX_REASON_LENGTH, message=_l("At most %(max)d characters."))])
