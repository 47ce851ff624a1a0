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
    N_("Rollen (kleur van de taak):"), N_("nu"), N_("huidige stap"), N_("afgerond"),
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
    # the form page's field builder (web/static/js/formulierbouwer.js)
    N_("Ja/nee"), N_("Keuze uit een lijst"), N_("Meerdere keuzes"), N_("Korte tekst"), N_("Lange tekst"),
    N_("Geheel getal"), N_("Getal"), N_("Datum"),
    N_("Uit het gedeelde vocabulaire: {soort}. Label en uitleg komen daarvandaan, tenzij je ze hier anders invult."),
    N_("Label"), N_("Uitleg voor de consulent"), N_("Soort"), N_("Keuzes"),
    N_("Eén per regel: waarde = tekst voor de consulent. De waarde staat in de zaak en in beslistabellen; "
       "verander haar niet bij een veld dat al in gebruik is."),
    N_("Minimaal"), N_("Maximaal"), N_("Verplicht"), N_("Omhoog"), N_("Omlaag"), N_("{veld} omhoog"),
    N_("{veld} omlaag"), N_("Verwijderen"), N_("{veld} verwijderen"),
    N_("Veld “{veld}” verwijderen? Gegevens die zaken al in dit veld hebben blijven in die zaken staan."),
    N_("Nieuw veld"), N_("Veldnaam"), N_("verplicht"), N_("vocabulaire"),
    N_("Kleine letters, cijfers en _ (zoals in beslistabellen en expressies). Een naam uit het gedeelde "
       "vocabulaire neemt soort en label daarvan over."),
    N_("Veld toevoegen"),
    N_("Een veldnaam begint met een kleine letter en heeft verder alleen kleine letters, cijfers en _."),
    N_("Dit formulier heeft al een veld “{veld}”."),
    N_("De JSON hieronder is nu geen geldig formulier; herstel haar, dan verschijnen de velden weer."),
    N_("Ook gebruikt in: {plekken}."), N_("Nergens anders gebruikt."), N_("Het veld wordt nog gebruikt in: {plekken}."),
    N_("Dit veld heette “{oud}”; die naam wordt nog gebruikt in: {plekken}. Pas die plekken aan naar “{nieuw}”, "
       "anders vinden ze het veld niet meer."),
    N_("Nieuwe veldnaam"),
    N_("Lopende zaken houden hun gegevens onder de oude naam; de nieuwe naam geldt voor wat na publicatie "
       "wordt ingevuld."),
    N_("Naam wijzigen"), N_("Naam wijzigen…"), N_("{veld}: naam wijzigen"), N_("Annuleren"),
    N_("Vorm"), N_("Vrij"), N_("Postcode"), N_("Telefoonnummer"), N_("E-mailadres"), N_("IBAN"), N_("KvK-nummer"), N_("Tijd"), N_("BSN"),
    N_("Eigen patroon (uit het formulierbestand)"), N_("Melding bij een andere vorm"),
    N_("Wat de consulent leest als de waarde niet deze vorm heeft."),
    N_("De server controleert de vorm bij het afronden."),
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
    # a column's data type (typeRef), under its name and in its "Soort" menu (web/static/js/beslistabel.js
    # offers these)
    "string": N_("tekst"), "boolean": N_("ja/nee"), "integer": N_("geheel getal"), "number": N_("getal"),
}

# bpmn-js's and its properties panel's own texts in the designer's modeler (palette, context pad,
# replace menu, properties panel: each asks the 'translate' service by its English text, web/static/js/
# ontwerp.js). Words: taak, gebeurtenis (start-, tussen-, eind-, grensgebeurtenis), gateway, volgordelijn,
# lane, deelnemer (pool), deelproces. A Dutch text used for two English texts (the replace menu's
# "User task" and the panel header's "User Task") has the first as its English in the catalogue.
BPMN_WORDS = {
    # the palette
    "Activate hand tool": N_("Hand: het diagram verschuiven"),
    "Activate lasso tool": N_("Lasso: elementen selecteren"),
    "Activate create/remove space tool": N_("Ruimte maken of weghalen"),
    "Activate global connect tool": N_("Elementen verbinden"),
    "Create start event": N_("Startgebeurtenis plaatsen"),
    "Create intermediate/boundary event": N_("Tussen- of grensgebeurtenis plaatsen"),
    "Create end event": N_("Eindgebeurtenis plaatsen"), "Create gateway": N_("Gateway plaatsen"),
    "Create task": N_("Taak plaatsen"), "Create data object reference": N_("Gegevensobject plaatsen"),
    "Create data store reference": N_("Gegevensopslag plaatsen"),
    "Create expanded sub-process": N_("Uitgeklapt deelproces plaatsen"),
    "Create pool/participant": N_("Deelnemer (pool) plaatsen"), "Create group": N_("Groep plaatsen"),
    # the context pad and the canvas
    "Delete": N_("Verwijderen"), "Add lane above": N_("Lane erboven toevoegen"),
    "Add lane below": N_("Lane eronder toevoegen"), "Divide into two lanes": N_("In twee lanes verdelen"),
    "Divide into three lanes": N_("In drie lanes verdelen"), "Append task": N_("Taak erachter toevoegen"),
    "Append end event": N_("Eindgebeurtenis erachter toevoegen"),
    "Append gateway": N_("Gateway erachter toevoegen"),
    "Append intermediate/boundary event": N_("Tussengebeurtenis erachter toevoegen"),
    "Append receive task": N_("Ontvangsttaak erachter toevoegen"),
    "Append message intermediate catch event": N_("Wachten op een bericht erachter toevoegen"),
    "Append timer intermediate catch event": N_("Wachten op een timer erachter toevoegen"),
    "Append conditional intermediate catch event": N_("Wachten op een voorwaarde erachter toevoegen"),
    "Append signal intermediate catch event": N_("Wachten op een signaal erachter toevoegen"),
    "Append compensation activity": N_("Compensatieactiviteit erachter toevoegen"),
    "Change element": N_("Soort wijzigen"), "Connect to other element": N_("Verbinden met een ander element"),
    "Connect using association": N_("Verbinden met een associatie"),
    "Connect using data input association": N_("Verbinden met een associatie voor gegevensinvoer"),
    "Add text annotation": N_("Tekstnotitie toevoegen"), "Align elements": N_("Elementen uitlijnen"),
    "Align elements left": N_("Links uitlijnen"), "Align elements center": N_("Horizontaal centreren"),
    "Align elements right": N_("Rechts uitlijnen"), "Align elements top": N_("Boven uitlijnen"),
    "Align elements middle": N_("Verticaal centreren"), "Align elements bottom": N_("Onder uitlijnen"),
    "Distribute elements horizontally": N_("Horizontaal gelijk verdelen"),
    "Distribute elements vertically": N_("Verticaal gelijk verdelen"),
    "Open {element}": N_("{element} openen"), "Search in diagram": N_("Zoeken in het diagram"),
    "flow elements must be children of pools/participants": N_("Stappen van het proces horen binnen een deelnemer (pool)"),
    # the replace menu: its header
    "Loop": N_("Lus (herhalen)"), "Parallel multi-instance": N_("Meerdere keren, tegelijk"),
    "Sequential multi-instance": N_("Meerdere keren, na elkaar"), "Collection": N_("Verzameling"),
    "Participant multiplicity": N_("Meerdere deelnemers"), "Ad-hoc": N_("Ad hoc"),
    "Toggle non-interrupting": N_("Onderbrekend of niet onderbrekend"),
    # element types: the replace menu (sentence case) and the panel's header (title case)
    "Business rule task": N_("Beslistaak"), "Call activity": N_("Aanroepactiviteit"),
    "Cancel boundary event": N_("Grensgebeurtenis met annulering"),
    "Cancel end event": N_("Eindgebeurtenis met annulering"),
    "Compensation boundary event": N_("Grensgebeurtenis met compensatie"),
    "Compensation end event": N_("Eindgebeurtenis met compensatie"),
    "Compensation intermediate throw event": N_("Tussengebeurtenis: compensatie starten"),
    "Compensation start event": N_("Startgebeurtenis met compensatie"),
    "Complex gateway": N_("Complexe gateway"),
    "Conditional boundary event": N_("Grensgebeurtenis met voorwaarde"),
    "Conditional boundary event (non-interrupting)": N_("Grensgebeurtenis met voorwaarde (niet onderbrekend)"),
    "Conditional flow": N_("Voorwaardelijke volgordelijn"),
    "Conditional intermediate catch event": N_("Tussengebeurtenis: wachten op voorwaarde"),
    "Conditional start event": N_("Startgebeurtenis met voorwaarde"),
    "Conditional start event (non-interrupting)": N_("Startgebeurtenis met voorwaarde (niet onderbrekend)"),
    "Data object reference": N_("Gegevensobject"), "Data store reference": N_("Gegevensopslag"),
    "Default flow": N_("Standaardvolgordelijn"), "End event": N_("Eindgebeurtenis"),
    "Error boundary event": N_("Grensgebeurtenis met fout"),
    "Error end event": N_("Eindgebeurtenis met fout"), "Error start event": N_("Startgebeurtenis met fout"),
    "Escalation boundary event": N_("Grensgebeurtenis met escalatie"),
    "Escalation boundary event (non-interrupting)": N_("Grensgebeurtenis met escalatie (niet onderbrekend)"),
    "Escalation end event": N_("Eindgebeurtenis met escalatie"),
    "Escalation intermediate throw event": N_("Tussengebeurtenis: escalatie uitzenden"),
    "Escalation start event": N_("Startgebeurtenis met escalatie"),
    "Escalation start event (non-interrupting)": N_("Startgebeurtenis met escalatie (niet onderbrekend)"),
    "Event based instantiating Gateway": N_("Gebeurtenisgestuurde gateway die het proces start"),
    "Event sub-process": N_("Gebeurtenis-deelproces"),
    "Event-based gateway": N_("Gebeurtenisgestuurde gateway"), "Exclusive gateway": N_("Exclusieve gateway"),
    "Expanded pool/participant": N_("Deelnemer (pool), uitgeklapt"),
    "Inclusive gateway": N_("Inclusieve gateway"), "Intermediate throw event": N_("Tussengebeurtenis"),
    "Link intermediate catch event": N_("Tussengebeurtenis: doorgaan vanaf koppeling"),
    "Link intermediate throw event": N_("Tussengebeurtenis: doorgaan naar koppeling"),
    "Manual task": N_("Handmatige taak"), "Message boundary event": N_("Grensgebeurtenis met bericht"),
    "Message boundary event (non-interrupting)": N_("Grensgebeurtenis met bericht (niet onderbrekend)"),
    "Message end event": N_("Eindgebeurtenis met bericht"),
    "Message intermediate catch event": N_("Tussengebeurtenis: bericht ontvangen"),
    "Message intermediate throw event": N_("Tussengebeurtenis: bericht versturen"),
    "Message start event": N_("Startgebeurtenis met bericht"),
    "Message start event (non-interrupting)": N_("Startgebeurtenis met bericht (niet onderbrekend)"),
    "Parallel Event based instantiating Gateway": N_("Parallelle gebeurtenisgestuurde gateway die het proces start"),
    "Parallel gateway": N_("Parallelle gateway"), "Receive task": N_("Ontvangsttaak"),
    "Script task": N_("Scripttaak"), "Send task": N_("Verzendtaak"), "Sequence flow": N_("Volgordelijn"),
    "Service task": N_("Servicetaak"), "Signal boundary event": N_("Grensgebeurtenis met signaal"),
    "Signal boundary event (non-interrupting)": N_("Grensgebeurtenis met signaal (niet onderbrekend)"),
    "Signal end event": N_("Eindgebeurtenis met signaal"),
    "Signal intermediate catch event": N_("Tussengebeurtenis: signaal ontvangen"),
    "Signal intermediate throw event": N_("Tussengebeurtenis: signaal uitzenden"),
    "Signal start event": N_("Startgebeurtenis met signaal"),
    "Signal start event (non-interrupting)": N_("Startgebeurtenis met signaal (niet onderbrekend)"),
    "Start event": N_("Startgebeurtenis"), "Sub-process": N_("Deelproces"),
    "Sub-process (collapsed)": N_("Deelproces (ingeklapt)"),
    "Sub-process (expanded)": N_("Deelproces (uitgeklapt)"), "Task": N_("Taak"),
    "Terminate end event": N_("Eindgebeurtenis die het hele proces beëindigt"),
    "Timer boundary event": N_("Grensgebeurtenis met timer"),
    "Timer boundary event (non-interrupting)": N_("Grensgebeurtenis met timer (niet onderbrekend)"),
    "Timer intermediate catch event": N_("Tussengebeurtenis: wachten op timer"),
    "Timer start event": N_("Startgebeurtenis met timer"),
    "Timer start event (non-interrupting)": N_("Startgebeurtenis met timer (niet onderbrekend)"),
    "Transaction": N_("Transactie"), "User task": N_("Gebruikerstaak"),
    "Empty pool/participant": N_("Lege deelnemer (pool)"),
    "Empty pool/participant (removes content)": N_("Lege deelnemer (pool); de inhoud verdwijnt"),
    "Association": N_("Associatie"), "Business Rule Task": N_("Beslistaak"),
    "Call Activity": N_("Aanroepactiviteit"), "Collaboration": N_("Samenwerking"),
    "Conditional Flow": N_("Voorwaardelijke volgordelijn"), "Sequence Flow": N_("Volgordelijn"),
    "Data Input": N_("Gegevensinvoer"), "Data Input Association": N_("Associatie met gegevensinvoer"),
    "Data Output": N_("Gegevensuitvoer"), "Data Output Association": N_("Associatie met gegevensuitvoer"),
    "Data Object Reference": N_("Gegevensobject"), "Data Store Reference": N_("Gegevensopslag"),
    "Default Flow": N_("Standaardvolgordelijn"), "Cancel End Event": N_("Eindgebeurtenis met annulering"),
    "Compensate End Event": N_("Eindgebeurtenis met compensatie"),
    "Error End Event": N_("Eindgebeurtenis met fout"),
    "Escalation End Event": N_("Eindgebeurtenis met escalatie"),
    "Link End Event": N_("Eindgebeurtenis met koppeling"),
    "Message End Event": N_("Eindgebeurtenis met bericht"),
    "Multiple End Event": N_("Eindgebeurtenis met meerdere triggers"), "End Event": N_("Eindgebeurtenis"),
    "Signal End Event": N_("Eindgebeurtenis met signaal"),
    "Terminate End Event": N_("Eindgebeurtenis die het hele proces beëindigt"),
    "Event Sub Process": N_("Gebeurtenis-deelproces"), "Complex Gateway": N_("Complexe gateway"),
    "Event Based Gateway": N_("Gebeurtenisgestuurde gateway"), "Exclusive Gateway": N_("Exclusieve gateway"),
    "Gateway": N_("Gateway"), "Inclusive Gateway": N_("Inclusieve gateway"),
    "Parallel Gateway": N_("Parallelle gateway"), "Group": N_("Groep"),
    "Cancel Intermediate Catch Event": N_("Tussengebeurtenis: annulering ontvangen"),
    "Compensate Intermediate Catch Event": N_("Tussengebeurtenis: compensatie ontvangen"),
    "Conditional Intermediate Catch Event": N_("Tussengebeurtenis: wachten op voorwaarde"),
    "Error Intermediate Catch Event": N_("Tussengebeurtenis: fout ontvangen"),
    "Escalation Intermediate Catch Event": N_("Tussengebeurtenis: escalatie ontvangen"),
    "Link Intermediate Catch Event": N_("Tussengebeurtenis: doorgaan vanaf koppeling"),
    "Message Intermediate Catch Event": N_("Tussengebeurtenis: bericht ontvangen"),
    "Multiple Intermediate Catch Event": N_("Tussengebeurtenis: een van meerdere triggers ontvangen"),
    "Conditional Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: wachten op voorwaarde (niet onderbrekend)"),
    "Escalation Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: escalatie ontvangen (niet onderbrekend)"),
    "Message Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: bericht ontvangen (niet onderbrekend)"),
    "Multiple Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: een van meerdere triggers ontvangen (niet onderbrekend)"),
    "Parallel Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: meerdere triggers tegelijk ontvangen (niet onderbrekend)"),
    "Signal Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: signaal ontvangen (niet onderbrekend)"),
    "Timer Intermediate Catch Event (Non Interrupting)": N_("Tussengebeurtenis: wachten op timer (niet onderbrekend)"),
    "Parallel Multiple Intermediate Catch Event": N_("Tussengebeurtenis: meerdere triggers tegelijk ontvangen"),
    "Signal Intermediate Catch Event": N_("Tussengebeurtenis: signaal ontvangen"),
    "Timer Intermediate Catch Event": N_("Tussengebeurtenis: wachten op timer"),
    "Intermediate Throw Event": N_("Tussengebeurtenis"),
    "Compensate Intermediate Throw Event": N_("Tussengebeurtenis: compensatie starten"),
    "Escalation Intermediate Throw Event": N_("Tussengebeurtenis: escalatie uitzenden"),
    "Link Intermediate Throw Event": N_("Tussengebeurtenis: doorgaan naar koppeling"),
    "Message Intermediate Throw Event": N_("Tussengebeurtenis: bericht versturen"),
    "Multiple Intermediate Throw Event": N_("Tussengebeurtenis: meerdere triggers versturen"),
    "Signal Intermediate Throw Event": N_("Tussengebeurtenis: signaal uitzenden"), "Lane": N_("Lane"),
    "Manual Task": N_("Handmatige taak"), "Message Flow": N_("Berichtlijn"),
    "Participant": N_("Deelnemer (pool)"), "Process": N_("Proces"), "Receive Task": N_("Ontvangsttaak"),
    "Script Task": N_("Scripttaak"), "Send Task": N_("Verzendtaak"), "Service Task": N_("Servicetaak"),
    "Compensate Start Event": N_("Startgebeurtenis met compensatie"),
    "Conditional Start Event": N_("Startgebeurtenis met voorwaarde"),
    "Error Start Event": N_("Startgebeurtenis met fout"),
    "Escalation Start Event": N_("Startgebeurtenis met escalatie"),
    "Message Start Event": N_("Startgebeurtenis met bericht"),
    "Multiple Start Event": N_("Startgebeurtenis met meerdere triggers"),
    "Conditional Start Event (Non Interrupting)": N_("Startgebeurtenis met voorwaarde (niet onderbrekend)"),
    "Escalation Start Event (Non Interrupting)": N_("Startgebeurtenis met escalatie (niet onderbrekend)"),
    "Message Start Event (Non Interrupting)": N_("Startgebeurtenis met bericht (niet onderbrekend)"),
    "Multiple Start Event (Non Interrupting)": N_("Startgebeurtenis met meerdere triggers (niet onderbrekend)"),
    "Parallel Multiple Start Event (Non Interrupting)": N_("Startgebeurtenis met meerdere triggers tegelijk (niet onderbrekend)"),
    "Signal Start Event (Non Interrupting)": N_("Startgebeurtenis met signaal (niet onderbrekend)"),
    "Timer Start Event (Non Interrupting)": N_("Startgebeurtenis met timer (niet onderbrekend)"),
    "Cancel Boundary Event": N_("Grensgebeurtenis met annulering"),
    "Compensate Boundary Event": N_("Grensgebeurtenis met compensatie"),
    "Conditional Boundary Event": N_("Grensgebeurtenis met voorwaarde"),
    "Error Boundary Event": N_("Grensgebeurtenis met fout"),
    "Escalation Boundary Event": N_("Grensgebeurtenis met escalatie"),
    "Link Boundary Event": N_("Grensgebeurtenis met koppeling"),
    "Message Boundary Event": N_("Grensgebeurtenis met bericht"),
    "Multiple Boundary Event": N_("Grensgebeurtenis met meerdere triggers"),
    "Boundary Event": N_("Grensgebeurtenis"),
    "Conditional Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met voorwaarde (niet onderbrekend)"),
    "Escalation Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met escalatie (niet onderbrekend)"),
    "Message Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met bericht (niet onderbrekend)"),
    "Multiple Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met meerdere triggers (niet onderbrekend)"),
    "Parallel Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met meerdere triggers tegelijk (niet onderbrekend)"),
    "Signal Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met signaal (niet onderbrekend)"),
    "Timer Boundary Event (Non Interrupting)": N_("Grensgebeurtenis met timer (niet onderbrekend)"),
    "Parallel Multiple Boundary Event": N_("Grensgebeurtenis met meerdere triggers tegelijk"),
    "Signal Boundary Event": N_("Grensgebeurtenis met signaal"),
    "Timer Boundary Event": N_("Grensgebeurtenis met timer"), "Start Event": N_("Startgebeurtenis"),
    "Parallel Multiple Start Event": N_("Startgebeurtenis met meerdere triggers tegelijk"),
    "Signal Start Event": N_("Startgebeurtenis met signaal"),
    "Timer Start Event": N_("Startgebeurtenis met timer"),
    "Collapsed Sub Process": N_("Deelproces (ingeklapt)"),
    "Collapsed Ad Hoc Sub Process": N_("Ad-hocdeelproces (ingeklapt)"),
    "Expanded Sub Process": N_("Deelproces (uitgeklapt)"),
    "Expanded Ad Hoc Sub Process": N_("Ad-hocdeelproces (uitgeklapt)"), "Text Annotation": N_("Tekstnotitie"),
    "User Task": N_("Gebruikerstaak"), "Intermediate Catch Event": N_("Tussengebeurtenis (wachtend)"),
    # the properties panel
    "General": N_("Algemeen"), "Name": N_("Naam"), "ID": N_("Kenmerk"),
    "Participant Name": N_("Naam van de deelnemer"), "Participant ID": N_("Kenmerk van de deelnemer"),
    "Process name": N_("Naam van het proces"), "Process ID": N_("Kenmerk van het proces"),
    "Documentation": N_("Documentatie"), "Element documentation": N_("Documentatie van het element"),
    "Process documentation": N_("Documentatie van het proces"), "Executable": N_("Uitvoerbaar"),
    "Compensation": N_("Compensatie"), "Error": N_("Fout"), "Message": N_("Bericht"), "Signal": N_("Signaal"),
    "Link": N_("Koppeling"), "Escalation": N_("Escalatie"), "Timer": N_("Timer"),
    "Multi-instance": N_("Meerdere keren"), "Completion": N_("Afronding"),
    "Completion condition": N_("Voorwaarde voor afronding"),
    "Cancel remaining instances": N_("Overige exemplaren afbreken"), "Loop cardinality": N_("Aantal keren"),
    "Wait for completion": N_("Wachten tot het klaar is"), "Activity reference": N_("Activiteit"),
    "<none>": N_("<geen>"), "Create new ...": N_("Nieuw maken …"),
    "Global error reference": N_("Verwijzing naar een fout"),
    "Global escalation reference": N_("Verwijzing naar een escalatie"),
    "Global message reference": N_("Verwijzing naar een bericht"),
    "Global signal reference": N_("Verwijzing naar een signaal"), "Code": N_("Code"),
    "Type": N_("Soort timer"), "Value": N_("Waarde"), "Date": N_("Datum"), "Duration": N_("Duur"),
    "Cycle": N_("Cyclus"),
    "A specific point in time defined as ISO 8601 combined date and time representation.": N_("Een tijdstip: datum en tijd samen in ISO 8601-notatie."),
    "UTC time": N_("UTC-tijd"), "UTC plus 2 hours zone offset": N_("UTC plus 2 uur (tijdzone)"),
    "Documentation: Timer events": N_("Documentatie: timergebeurtenissen"),
    "A cycle defined as ISO 8601 repeating intervals format.": N_("Een cyclus in de ISO 8601-notatie voor herhaalde perioden."),
    "every 10 seconds, up to 5 times": N_("elke 10 seconden, hoogstens 5 keer"),
    "every day, infinitely": N_("elke dag, zonder einde"),
    "A time duration defined as ISO 8601 durations format.": N_("Een tijdsduur in de ISO 8601-notatie voor duur."),
    "15 seconds": N_("15 seconden"), "1 hour and 30 minutes": N_("1 uur en 30 minuten"),
    "14 days": N_("14 dagen"), "ID must not be empty.": N_("Het kenmerk mag niet leeg zijn."),
    "ID must be unique.": N_("Het kenmerk moet uniek zijn."),
    "ID must not contain spaces.": N_("Het kenmerk mag geen spaties bevatten."),
    "ID must not contain prefix.": N_("Het kenmerk mag geen voorvoegsel met een dubbele punt hebben."),
    "ID must be a valid QName.": N_("Het kenmerk begint met een letter of _ en bevat alleen letters, cijfers, _, - en punten."),
    "Select an element to edit its properties.": N_("Kies een element om de eigenschappen te bewerken."),
    "Multiple elements are selected. Select a single element to edit its properties.": N_("Er zijn meerdere elementen gekozen. Kies één element om de eigenschappen te bewerken."),
    "Open documentation": N_("Documentatie openen"), "Toggle section": N_("Onderdeel open- of dichtklappen"),
    "Section contains an error": N_("Dit onderdeel bevat een fout"),
    "Section contains edits": N_("Dit onderdeel is ingevuld"), "<empty>": N_("<leeg>"),
    "Toggle list item": N_("Item open- of dichtklappen"), "Delete item": N_("Item verwijderen"),
    "Create new list item": N_("Nieuw item toevoegen"), "Create": N_("Toevoegen"),
    "List contains {numOfItems} item": N_("De lijst bevat {numOfItems} item"),
    "List contains {numOfItems} items": N_("De lijst bevat {numOfItems} items"),
    "JSON contains errors": N_("De JSON bevat fouten"),
    "Open pop-up editor": N_("In een apart venster bewerken"),
    "Opened in editor": N_("Geopend in een apart venster"),
    "FEEL expression is mandatory": N_("Een FEEL-expressie is verplicht"),
    "Click to set a dynamic value with FEEL expression": N_("Klik om een dynamische waarde met een FEEL-expressie te geven"),
    "Click to remove dynamic value with FEEL expression": N_("Klik om de dynamische waarde met een FEEL-expressie weg te halen"),
    "Unparsable FEEL expression.": N_("De FEEL-expressie is niet te lezen."),
}

SCRIPT_GROUPS = {"ontwerp": DESIGNER_TEXTS}


def script_texts(*groups: str) -> dict[str, str]:
    """The page scripts' texts in the user's language, keyed by their Dutch text; with group
    ``ontwerp`` also the designer's, with ``beslistabel`` also dmn-js's labels (keyed by
    dmn-js's English text, which no Dutch text equals), with ``modeler`` bpmn-js's (the same way)."""
    texts = {text: gettext(text) for text in SCRIPT_TEXTS}
    for group in groups:
        texts.update({text: gettext(text) for text in SCRIPT_GROUPS.get(group, ())})
        if group == "beslistabel":
            texts.update({key: gettext(dutch) for key, dutch in DMN_WORDS.items()})
        if group == "modeler":
            texts.update({key: gettext(dutch) for key, dutch in BPMN_WORDS.items()})
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
