"""Console forms: events, attendees, imports, staff."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp

from checkin.events.models import EVENT_LIMITS
from checkin.i18n import LANGUAGE_NAMES, current_language
from checkin.people.models import LIMITS

# Offered in a datalist; any IANA name typed is accepted.
COMMON_TIMEZONES = [
    "Europe/Madrid", "Atlantic/Canary", "Europe/Lisbon", "Europe/London", "Europe/Paris",
    "Europe/Berlin", "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich",
    "Europe/Vienna", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul", "Africa/Casablanca",
    "America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
    "America/Argentina/Buenos_Aires", "America/Sao_Paulo", "America/Caracas",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Toronto", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
    "Australia/Sydney", "UTC",
]
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class EventForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=EVENT_LIMITS["name"])])
    slug = StringField(
        _l("Web address (slug)"),
        validators=[Optional(), Length(max=EVENT_LIMITS["slug"]),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Use only a-z, 0-9 and single hyphens."))],
        description=_l("Leave empty to make one from the name."),
    )
    starts_at = DateTimeLocalField(_l("Starts"), validators=[DataRequired()],
                                   format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()],
                                 format="%Y-%m-%dT%H:%M")
    timezone = StringField(_l("Time zone"), default="Europe/Madrid",
                           validators=[DataRequired(), AnyOf(sorted(available_timezones()),
                                                             message=_l("Unknown time zone."))],
                           description=_l("Where the event happens, e.g. Europe/Madrid."))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=EVENT_LIMITS["venue"])])
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    walk_ins_allowed = BooleanField(_l("Walk-ins may join from the event page"))
    # The communities the organizer owns (set by the page); a new event joins one of them.
    community = SelectField(_l("Community"), choices=[], validate_choice=False,
                            description=_l("Its members keep their card and network from "
                                           "event to event."))
    reminder_hours_before = SelectField(
        _l("Reminder email"), default="24",
        choices=[SelectChoice("", _l("No reminder")),
                 SelectChoice("2", _l("2 hours before")),
                 SelectChoice("24", _l("The day before (24 hours)")),
                 SelectChoice("48", _l("2 days before")),
                 SelectChoice("168", _l("A week before"))],
        description=_l("To invited guests not checked in yet, with their card and the event."))

    def reminder_hours(self) -> int | None:
        return int(self.reminder_hours_before.data) if self.reminder_hours_before.data else None


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class AttendeeForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[Optional(),
                                                           Length(max=LIMITS["first_name"])])
    last_name = StringField(_l("Last name"), validators=[Optional(),
                                                         Length(max=LIMITS["last_name"])])
    display_name = StringField(_l("Name shown on the card"),
                               validators=[Optional(), Length(max=LIMITS["display_name"])])
    # Checked by the service (the same check as the API's and the card's).
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=LIMITS["email"])])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=LIMITS["company"])])
    headline = StringField(_l("Job title"), validators=[Optional(),
                                                        Length(max=LIMITS["headline"])])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=LIMITS["phone"])])
    ticket_code = StringField(_l("Ticket code"),
                              validators=[Optional(), Length(max=LIMITS["ticket_code"])])
    ticket_type = StringField(_l("Ticket type"),
                              validators=[Optional(), Length(max=LIMITS["ticket_type"])])
    language = SelectField(_l("Language"), choices=[SelectChoice("", "—"), *LANGUAGE_CHOICES],
                           validators=[Optional()])
    attention_note = TextAreaField(_l("Note for the door"),
                                   validators=[Optional(),
                                               Length(max=LIMITS["attention_note"])],
                                   description=_l("Shown to door staff when they scan this "
                                                  "person, e.g. “VIP: take to the stage”."))


class ImportForm(FlaskForm):
    file = FileField(_l("Guest list (CSV or TSV)"), validators=[FileRequired()])


class ImportConfirmForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired()])


class StaffInviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(lazy_pgettext("staff role", "Role"),
                       choices=[SelectChoice("door", _l("Door staff")),
                                SelectChoice("owner", _l("Owner"))])
    # The inviter's own language unless they pick another.
    language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES,
                           default=current_language,
                           description=_l("The email is written in it, unless the address "
                                          "already has an account with a language of its "
                                          "own."))


class JoinForm(FlaskForm):
    """A new organizer account made from a staff invitation."""

    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Choose a password"),
                             validators=[DataRequired(), Length(min=8, max=200)],
                             description=_l("At least 8 characters."))
