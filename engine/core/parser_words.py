"""SpiffWorkflow's parser (3.2.0) stops at a drawing it cannot read with a message in English,
often without saying which element it means. :func:`in_words` turns such a stop into the
designers' words, naming the element (by its name and id, as the other checks do) and what to
change; a message this table does not know keeps Spiff's words behind the element's name.

What the parser does not stop at but Werkpad cannot run, and the references to undefined
messages, signals, errors and escalations at which the parser itself fails, are found earlier
from the XML (engine/core/checks.py)."""
from __future__ import annotations

import re
from typing import Any

from .messages import Msg

# a process SpiffWorkflow leaves out because it is drawn as not executable, though the version runs it
NOT_EXECUTABLE = Msg("proces %(proces)s in %(bestand)s is als niet uitvoerbaar getekend, maar wordt wel uitgevoerd; "
                     "zet in de modeler 'uitvoerbaar' aan")

# Spiff's message (matched whole, its trailing ". " from SpiffWorkflowException dropped) -> ours.
# %(element)s is the element Spiff names; the groups of the pattern fill the other placeholders.
_WORDS: list[tuple[re.Pattern[str], Msg]] = [
    (re.compile(r"Exactly one start event is required in a SubWorkflow Task; found (?P<aantal>\d+)\."),
     Msg("subproces %(element)s heeft %(aantal)s startgebeurtenissen; een subproces begint met precies één")),
    (re.compile(r"A SubWorkflow Must contain an End event"),
     Msg("subproces %(element)s heeft geen eindgebeurtenis: teken waar het eindigt")),
    (re.compile(r'No "calledElement" attribute for Call Activity\.?'),
     Msg("aanroepactiviteit %(element)s zegt niet welk proces zij aanroept: kies het proces in de modeler")),
    (re.compile(r"The process '(?P<proces>[^']*)' was not found\. Did you mean one of the following: "
                r"(?P<bekend>.*?)\??"),
     Msg("proces '%(proces)s' wordt aangeroepen, maar staat in geen van de bestanden van deze versie (wel: "
         "%(bekend)s)")),
    (re.compile(r"There is no support implemented for this task type\."),
     Msg("%(element)s: een element van deze soort (%(soort)s) kan Werkpad niet uitvoeren; gebruik een taak, "
         "gateway of gebeurtenis die de modeler van Werkpad aanbiedt")),
    (re.compile(r"Process (?P<proces>.*) is not executable\."), NOT_EXECUTABLE),
    (re.compile(r"No start event found"),
     Msg("proces %(element)s heeft geen startgebeurtenis: teken waar een zaak begint")),
    (re.compile(r"Non-default exclusive outgoing sequence flow without condition"),
     Msg("pijl %(element)s uit een exclusieve gateway heeft geen voorwaarde en is niet het standaardpad: geef "
         "hem een voorwaarde of maak hem het standaardpad")),
    (re.compile(r"Conditional event definition with missing condition"),
     Msg("voorwaardelijke gebeurtenis %(element)s heeft geen voorwaarde: schrijf wanneer zij optreedt")),
    (re.compile(r"(?:Time Specification Error\. )?Unknown Time Specification\.?"),
     Msg("timer %(element)s heeft geen tijd: geef een duur (\"P28D\"), een moment of een herhaling (\"R/P3M\")")),
    (re.compile(r"Time Specification Error\. (?P<fout>.*)", re.S),
     Msg("timer %(element)s kan niet worden gelezen (%(fout)s)")),
    (re.compile(r"A loopMaximum or loopCondition must be specified for Loop Tasks"),
     Msg("herhaalde taak %(element)s zegt niet wanneer het herhalen stopt: geef een maximum of een voorwaarde")),
    (re.compile(r"A multiinstance task must specify a cardinality or a loop input data reference"),
     Msg("meervoudige taak %(element)s zegt niet hoe vaak zij loopt: geef een aantal of de lijst waarover zij "
         "loopt (een collection van een ander programma leest Werkpad niet)")),
    (re.compile(r"A multiinstance task must specify exactly one of cardinality or loop input data reference"),
     Msg("meervoudige taak %(element)s geeft zowel een aantal als een lijst: kies één van beide")),
    (re.compile(r"The loop (?:input|output) data reference is missing from the IO specification"),
     Msg("de lijst van meervoudige taak %(element)s staat niet bij de invoer en uitvoer van de taak")),
    (re.compile(r"Cancel Events may only be used with transactions"),
     Msg("annuleergebeurtenis %(element)s kan alleen aan een transactie hangen")),
    (re.compile(r"Multiple outgoing flows are not supported for tasks of type"),
     Msg("%(element)s heeft meer dan één uitgaande pijl: zet er een gateway achter (parallel voor alle paden "
         "tegelijk, exclusief voor één pad)")),
    (re.compile(r"When looking for a task spec, we found two items, perhaps a form has the same ID\? "
                r"\((?P<id>.*)\)"),
     Msg("een pijl leidt naar %(id)s, maar er is geen element met dat id (of meer dan één): verbind de pijl "
         "opnieuw in de modeler")),
    (re.compile(r"Duplicate process ID: (?P<id>.*)"),
     Msg("proces-id %(id)s komt twee keer voor: geef elk proces een eigen id")),
    (re.compile(r'No DMN Diagram available with id "None", Available DMN ids are: (?P<bekend>.*?)\.?'),
     Msg("beslistaak %(element)s zegt niet welke beslistabel zij gebruikt: kies er een in de modeler (%(bekend)s)")),
    (re.compile(r'No DMN Diagram available with id "(?P<tabel>[^"]*)", Available DMN ids are: (?P<bekend>.*?)\.?'),
     Msg("beslistaak %(element)s gebruikt beslistabel '%(tabel)s', maar die bestaat niet (wel: %(bekend)s)")),
    (re.compile(r"A Service Task must have an operator"),
     Msg("servicetaak %(element)s: Werkpad roept geen andere systemen aan. Maak er een gebruikerstaak of een "
         "scripttaak van.")),
    (re.compile(r"Sequential ordering for ad hoc subprocesses not supported"),
     Msg("ad-hocsubproces %(element)s kan niet op volgorde lopen: zet de volgorde op parallel")),
    (re.compile(r"Ad hoc subprocesses may not contain start or end events"),
     Msg("ad-hocsubproces %(element)s mag geen start- of eindgebeurtenis bevatten")),
    (re.compile(r"Could not find messageRef from message event definition: (?P<id>.*)"),
     Msg("een berichtgebeurtenis (%(id)s) zegt niet op welk bericht zij wacht: kies het bericht in de modeler")),
]
_UNKNOWN = Msg("%(element)s kan niet worden gelezen: %(fout)s")
_NO_ELEMENT = Msg("het proces kan niet worden gelezen: %(fout)s")


def element_label(name: str | None, ident: str | None) -> str:
    """How a message names an element: ``'Naam' (id)`` or ``(id)`` (engine/core/checks.py's ``label`` too)."""
    name, ident = (name or "").strip(), (ident or "").strip()
    if name and ident:
        return f"'{name}' ({ident})"
    return f"'{name}'" if name else f"({ident})" if ident else ""


def in_words(exc: Any) -> Msg:
    """SpiffWorkflow's ValidationException ``exc`` in the designers' words."""
    text = str(exc.args[0]) if exc.args else str(exc)
    text = text.strip()
    element = element_label(getattr(exc, "name", None), getattr(exc, "id", None))
    kind = str(getattr(exc, "tag", "") or "").rsplit(":", 1)[-1].rsplit("}", 1)[-1]
    for pattern, template in _WORDS:
        found = pattern.fullmatch(text)
        if found:
            values = {"element": element or "?", "soort": kind or "?",
                      "bestand": getattr(exc, "file_name", None) or "?", **found.groupdict()}
            needed = set(re.findall(r"%\((\w+)\)s", template.template))
            return Msg(template.template, **{k: v for k, v in values.items() if k in needed})
    return Msg(_UNKNOWN.template, element=element, fout=text) if element else Msg(_NO_ELEMENT.template, fout=text)
