"""Attendee forms: my card, joining as a walk-in, asking for the sign-in link again."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, FieldList, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from checkin.people.cards import as_web_link, is_web_link
from checkin.people.models import LIMITS, MAX_LINKS


def at_most(field: str) -> Length:
    return Length(max=LIMITS[field], message=_l("At most %(max)d characters."))


def web_link(_form, field) -> None:
    if field.data and not is_web_link(field.data.strip()):
        raise ValidationError(_l("A link starts with https:// or http:// and has no spaces."))


class CardForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(_l("A name is needed.")),
                                                       at_most("display_name")])
    headline = StringField(lazy_pgettext("job title", "Role"), validators=[at_most("headline")])
    company = StringField(_l("Company"), validators=[at_most("company")])
    what_i_do = TextAreaField(_l("What I do"), validators=[at_most("what_i_do")])
    offer = TextAreaField(_l("What I offer"), validators=[at_most("offer")])
    need = TextAreaField(_l("What I need"), validators=[at_most("need")])
    pitch = TextAreaField(_l("My pitch"), validators=[at_most("pitch")])
    links = FieldList(StringField(_l("Link"), validators=[at_most("link"), web_link],
                                  filters=[as_web_link]),
                      min_entries=MAX_LINKS, max_entries=MAX_LINKS)
    phone = StringField(_l("Phone"), validators=[at_most("phone")])
    email = EmailField(_l("Email"), validators=[Optional(), at_most("email"),
                                                Email(_l("This is not a valid email address."),
                                                      check_deliverability=False)])
    share_email = BooleanField(_l("My email"))
    share_phone = BooleanField(_l("My phone"))
    share_links = BooleanField(_l("My links"))
    suggestible = BooleanField(_l("Suggest me to people who might want to meet me"))
    accepts_requests = BooleanField(_l("Let people at my events ask to meet me"),
                                    description=_l("I decide each time; whoever asks is never "
                                                   "told if I say not now."))
    photo = FileField(_l("My photo"))
    remove_photo = BooleanField(_l("Remove my photo"))
    listed = BooleanField(_l("List me in the community's directory"),
                          description=_l("Other members then see my name, role, what I do, "
                                         "offer and need (never my contact details)."))
    language = SelectField(_l("My language"), choices=[
        SelectChoice("", _l("As my browser says")), SelectChoice("es", "Español"),
        SelectChoice("en", "English")])


def error_summary(form) -> list[tuple[str, str]]:
    """Every error on ``form``, in the order of its fields: (the input's id, the message).

    A list of links entry is named by its position ("Link 2"), as its label on the page reads.
    """
    summary = []
    for field in form:
        if field.type == "CSRFTokenField":
            summary += [("", message) for message in field.errors]
        elif isinstance(field, FieldList):
            for index, entry in enumerate(field.entries, start=1):
                summary += [(entry.id, f"{_l('Link %(n)d', n=index)}: {message}")
                            for message in entry.errors]
            if isinstance(field.errors, list):
                first = field.entries[0].id if field.entries else field.id
                summary += [(first, f"{field.label.text}: {message}")
                            for message in field.errors if isinstance(message, str)]
        else:
            summary += [(field.id, f"{field.label.text}: {message}") for message in field.errors]
    return summary


class JoinForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(_l("A name is needed.")),
                                                            at_most("display_name")])
    email = EmailField(_l("Your email"), validators=[
        DataRequired(_l("An email address is needed.")), at_most("email"),
        Email(_l("This is not a valid email address."), check_deliverability=False)])


class ResendForm(FlaskForm):
    email = EmailField(_l("Your email"), validators=[
        DataRequired(_l("An email address is needed.")), at_most("email"),
        Email(_l("This is not a valid email address."), check_deliverability=False)])

