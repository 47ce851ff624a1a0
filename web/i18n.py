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
    N_("Rollen (kleur van de taak):"),
)

# The designer's scripts (web/static/js/ontwerp.js, beslistabel.js): status and error messages.
# {n}, {hier} are filled in by the script.
DESIGNER_TEXTS = (
    N_("Het diagram kan niet worden getoond"), N_("De modeler ontbreekt op de server (voer npm ci uit)."),
    N_("Het model kan niet worden geladen"), N_("onbekend"), N_("Geen problemen gevonden."),
    N_("Bezig met bewaren…"), N_("niet bewaard"), N_("Niet bewaard: {reden}"), N_("de server is niet bereikbaar"),
    N_("onverwacht antwoord van de server (fout {status})"),
    N_("Bewaard; de controles zijn in orde."), N_("Bewaard, met 1 probleem."), N_("Bewaard, met {n} problemen."),
    N_("Bewaard, met 1 probleem ({hier} in deze tabel)."), N_("Bewaard, met {n} problemen ({hier} in deze tabel)."),
    N_("Niet bewaarde wijzigingen."), N_("De beslistabel-editor ontbreekt op de server (voer npm ci uit)."),
    N_("De beslistabel kan niet worden geladen"), N_("dit bestand heeft geen beslistabel"),
    N_("Werkpad-expressie"),
)

# dmn-js's own labels (it asks its 'translate' service for each, by its English text) in the
# user's language: the Dutch words go through the catalogue like every other text.
DMN_WORDS = {
    "When": N_("Als"), "Then": N_("Dan"), "And": N_("En"), "Annotations": N_("Toelichting"),
    "Annotation": N_("Toelichting"), "Hit policy:": N_("Beslisregel:"), "Hit policy": N_("Beslisregel"),
    "Unique": N_("Uniek (precies één regel)"), "First": N_("Eerste"), "Priority": N_("Prioriteit"),
    "Any": N_("Willekeurig"), "Collect": N_("Verzamelen"), "Collect (Sum)": N_("Verzamelen (som)"),
    "Collect (Min)": N_("Verzamelen (min)"), "Collect (Max)": N_("Verzamelen (max)"),
    "Collect (Count)": N_("Verzamelen (aantal)"), "Rule order": N_("Regelvolgorde"),
    "Output order": N_("Uitvoervolgorde"), "Add rule": N_("Regel toevoegen"),
    "Add rule above": N_("Regel erboven toevoegen"), "Add rule below": N_("Regel eronder toevoegen"),
    "Remove rule": N_("Regel verwijderen"), "Copy rule": N_("Regel kopiëren"), "Cut rule": N_("Regel knippen"),
    "Paste rule above": N_("Regel erboven plakken"), "Paste rule below": N_("Regel eronder plakken"),
    "Move rule": N_("Regel verplaatsen"), "Add input": N_("Invoer toevoegen"), "Add output": N_("Uitvoer toevoegen"),
    "Add input column left": N_("Invoerkolom links toevoegen"),
    "Add input column right": N_("Invoerkolom rechts toevoegen"),
    "Add output column left": N_("Uitvoerkolom links toevoegen"),
    "Add output column right": N_("Uitvoerkolom rechts toevoegen"),
    "Remove input column": N_("Invoerkolom verwijderen"), "Remove output column": N_("Uitvoerkolom verwijderen"),
    "Copy input column": N_("Invoerkolom kopiëren"), "Copy output column": N_("Uitvoerkolom kopiëren"),
    "Cut input column": N_("Invoerkolom knippen"), "Cut output column": N_("Uitvoerkolom knippen"),
    "Paste input column left": N_("Invoerkolom links plakken"),
    "Paste input column right": N_("Invoerkolom rechts plakken"),
    "Paste output column left": N_("Uitvoerkolom links plakken"),
    "Paste output column right": N_("Uitvoerkolom rechts plakken"),
    "Add cell description": N_("Toelichting bij cel toevoegen"),
    "Remove cell description": N_("Toelichting bij cel verwijderen"),
    "Input": N_("Invoer"), "Output": N_("Uitvoer"), "Input label": N_("Naam van de invoer"),
    "Input label: ": N_("Naam van de invoer: "), "Input expression": N_("Invoerexpressie"),
    "Input expression: ": N_("Invoerexpressie: "), "Input type": N_("Soort invoer"),
    "Input values": N_("Toegestane invoer"), "Output label": N_("Naam van de uitvoer"),
    "Output label: ": N_("Naam van de uitvoer: "), "Output name": N_("Veldnaam van de uitvoer"),
    "Output name: ": N_("Veldnaam van de uitvoer: "), "Output type": N_("Soort uitvoer"),
    "Output values": N_("Toegestane uitvoer"), "Type": N_("Soort"), "Expression": N_("Expressie"),
    "Expression language": N_("Expressietaal"), "Decision name": N_("Naam van de beslissing"),
    "Decision name: ": N_("Naam van de beslissing: "), "Edit": N_("Bewerken"), "Edit input": N_("Invoer bewerken"),
    "Edit output": N_("Uitvoer bewerken"), "Enter expression": N_("Typ een expressie"),
    "Predefined values": N_("Vaste waarden"), "Add predefined values": N_("Vaste waarden toevoegen"),
    "Clear predefined values": N_("Vaste waarden wissen"), "Values": N_("Waarden"), "Value": N_("Waarde"),
    "No values": N_("Geen waarden"), "Yes": N_("Ja"), "No": N_("Nee"), "Resize": N_("Breedte aanpassen"),
    "Strings must be in double quotes": N_("Tekst staat tussen dubbele aanhalingstekens"),
}

SCRIPT_GROUPS = {"ontwerp": DESIGNER_TEXTS}


def script_texts(*groups: str) -> dict[str, str]:
    """The page scripts' texts in the user's language, keyed by their Dutch text; with group
    ``ontwerp`` also the designer's, with ``beslistabel`` also dmn-js's labels (keyed by
    dmn-js's English text, which no Dutch text equals)."""
    texts = {text: gettext(text) for text in SCRIPT_TEXTS}
    for group in groups:
        texts.update({text: gettext(text) for text in SCRIPT_GROUPS.get(group, ())})
        if group == "beslistabel":
            texts.update({key: gettext(dutch) for key, dutch in DMN_WORDS.items()})
    return texts


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
