"""Languages: Dutch by default, English available (Flask-Babel).

The choice is a cookie set by ``POST /taal`` (CSRF-protected like every other
state change). Catalogues live in ``web/translations``; after changing texts::

    .venv/bin/pybabel extract -F web/babel.cfg -k N_ -k Msg -o web/translations/messages.pot .
    .venv/bin/pybabel update -i web/translations/messages.pot -d web/translations
    .venv/bin/pybabel compile -d web/translations
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext

from engine.core.messages import Msg

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT = "nl"
COOKIE = "werkpad_taal"


def N_(text: str) -> str:  # noqa: N802 - the conventional name of the extraction marker
    """Marks a text for translation where it is defined; it is translated where it is shown."""
    return text


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def translate(text):
    """An engine text in the user's language: a :class:`~engine.core.messages.Msg` through the
    catalogue with its values filled in (untranslated: the Dutch text it already is); any other
    value unchanged. Used for form errors and engine messages (Conflict, NotFound) on pages."""
    if isinstance(text, Msg):
        return gettext(text.template, **text.params) if text.params else gettext(text.template)
    return text


# Texts the page scripts show (web/static/js/diagram.js); base.html hands them over translated, the
# script looks each one up and keeps the Dutch text when it is not there.
SCRIPT_TEXTS = (
    N_("Inzoomen"), N_("Uitzoomen"), N_("Huidige stap"), N_("Toon de huidige stap"), N_("Hele proces"),
    N_("Toon het hele proces"), N_("Naar links"), N_("Naar rechts"), N_("Omhoog"), N_("Omlaag"),
    N_("De diagramviewer ontbreekt op de server (voer npm ci uit)."),
    N_("Het procesdiagram kan niet worden getoond"), N_("Terug naar het hoofdproces"),
)


def script_texts() -> dict[str, str]:
    """The page scripts' texts in the user's language, keyed by their Dutch text."""
    return {text: gettext(text) for text in SCRIPT_TEXTS}


def install_fast_gettext(app) -> None:
    """Templates translate through the request's catalogue looked up once per request.
    Flask-Babel's own callables look the catalogue up again for every text (a walk over the
    context, the locale and the domain): on the inbox page that was ~250 lookups, a tenth of
    the page's time (bench/inbox.py)."""
    from flask import g
    from flask_babel import get_translations

    def catalogue():
        found = g.get("_werkpad_catalogue")
        if found is None:
            found = g._werkpad_catalogue = get_translations()
        return found

    # newstyle: Jinja fills in the values itself, like it does around Flask-Babel's callables
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: catalogue().ugettext(text),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, text: catalogue().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
        newstyle=True)
