"""Which language a page speaks: the person's choice, else the browser's, else the event's."""

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from blinker import Namespace
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, get_translations

from checkin.extensions import babel
from checkin.inputs import next_target

# Every language the app speaks, each in its own words; adding one starts here.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
LANGUAGES = tuple(LANGUAGE_NAMES)

bp = Blueprint("i18n", __name__)

# Sent when someone picks a language in the footer, with ``language``: a signed-in attendee's
# choice is the person's too (their emails follow it). A signal, because people builds on i18n.
language_chosen = Namespace().signal("language-chosen")


def translation_directories() -> list[str]:
    """Every domain keeps its own catalogue beside its code, so work in one never clashes."""
    package = Path(__file__).parent
    return sorted(str(p) for p in package.glob("**/translations") if p.is_dir())


def select_locale() -> str:
    if not has_request_context():  # a CLI command or a mail sender: no browser to ask
        return getattr(g, "event_language", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang") or getattr(g, "person_language", None)
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(LANGUAGES) if request else None
    if best:
        return best
    return getattr(g, "event_language", None) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "en")


def in_each_language(words: Callable[[], dict[str, str]],
                     first: str = "es") -> list[tuple[str, dict[str, str]]]:
    """``words()`` said in every language at once, ``first`` first: [(language, words)].

    For what a stranger reads before anyone knows their language (a kiosk, a poster)."""
    languages = sorted(LANGUAGES, key=lambda language: language != first)
    said = []
    for language in languages:
        with force_locale(language):
            said.append((language, words()))
    return said


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A count's words in each plural form of the page's language, for a script.

    Keyed by CLDR category ("one", "few", "other", …): the browser's ``Intl.PluralRules``
    names the same categories from the same data, so a script picks the right form for any
    number and any language. The ``%(num)s`` placeholder is left for the script to fill.
    """
    locale = get_locale() or Locale.parse("en")
    translations = get_translations()
    forms: dict[str, str] = {}
    # Small numbers and round millions reach every category (Spanish writes "1 millón de
    # lecturas" for the round ones: a category of its own).
    for n in (*range(200), 1000, 10**6):
        forms.setdefault(locale.plural_form(n), translations.ngettext(singular, plural, n))
    forms.setdefault("other", translations.ngettext(singular, plural, 2))
    return forms


@bp.route("/lang", methods=["GET", "POST"])
def choose_language():
    """Remember a language picked from the page footer, then go back to the page.

    The footer's switch is a pair of links, so a page without a form of its own mints no
    CSRF token (and an anonymous visitor gets no session cookie for reading it). A link
    can be followed from anywhere, so it changes the language only when the browser says
    one of our pages sent it: ``Sec-Fetch-Site``, or from a browser too old to send that,
    the ``Referer`` the link asks for. A POST (a script, an old form) is CSRF-checked as
    every POST is.
    """
    lang = request.values.get("lang")
    if lang in LANGUAGES and (request.method == "POST"
                              or request.method == "GET" and followed_from_this_site()):
        remember_language(lang)
        language_chosen.send(current_app._get_current_object(), language=lang)
    return redirect(next_target(request.values.get("next"), url_for("site.home")), code=303)


# A link the visitor followed on one of our pages ("same-origin") or typed or bookmarked
# themselves ("none"); "same-site" and "cross-site" come from pages we did not write.
OWN_NAVIGATION = ("same-origin", "none")


def followed_from_this_site() -> bool:
    """Whether this request is a link followed from one of this site's pages (or opened by
    the visitor themselves), not one another site sent the browser to."""
    sent_by = request.headers.get("Sec-Fetch-Site")
    if sent_by is not None:
        return sent_by in OWN_NAVIGATION
    referrer = request.headers.get("Referer", "")
    return bool(referrer) and urlsplit(referrer).netloc == request.host


def remember_language(lang: str | None) -> None:
    """This browser's language from now on; ``None`` leaves it to the browser's settings."""
    if lang in LANGUAGES:
        session["lang"] = lang
    else:
        session.pop("lang", None)


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES
    )
