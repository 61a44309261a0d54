"""Organizer forms: signing in, naming an API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class TokenForm(FlaskForm):
    label = StringField(_l("Label"), validators=[Optional(), Length(max=100)],
                        description=_l("A word to tell this token apart, e.g. “badge printer”."))
