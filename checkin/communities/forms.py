"""Console forms: a community's settings and its owners."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from checkin.communities.models import COMMUNITY_LIMITS
from checkin.i18n import LANGUAGE_NAMES


class CommunityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(),
                                               Length(max=COMMUNITY_LIMITS["name"])],
                       description=_l("Your cowork, association or meetup group."))
    slug = StringField(
        _l("Web address (slug)"),
        validators=[Optional(), Length(max=COMMUNITY_LIMITS["slug"]),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Use only a-z, 0-9 and single hyphens."))],
        description=_l("Leave empty to make one from the name."),
    )
    default_language = SelectField(_l("Default language"), choices=[
        SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()])


class OwnerForm(FlaskForm):
    email = EmailField(_l("Organizer's email"),
                       validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("They need a console account already."))
