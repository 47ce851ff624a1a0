"""The rules of engine.core.checks one by one, on small drafts held in memory."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.checks import check_bundle
from engine.core.definitions import bundle_from_files
from engine.core.expressions import SafeScriptEngine

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "kwaadaardig"
BASE = (CORPUS / "basis.bpmn").read_text(encoding="utf-8")
DMN = (CORPUS / "basis.dmn").read_text(encoding="utf-8")
FORMS = {"kw_formulier": (CORPUS / "kw_formulier.json").read_text(encoding="utf-8")}
VOCABULARY = (ROOT / "forms" / "vocabulaire.json").read_text(encoding="utf-8")
# the names the gateway tests below read come with the start of a case
MANIFEST = {"sleutel": "kwaad", "proces": "kwaad_proces",
            "startgegevens": ["loonwaarde_pct", "klaar", "loon", "x", "lijst"]}


def _problems(bpmn: str = BASE, dmn: str = DMN) -> list:
    return check_bundle(bundle_from_files(MANIFEST, {"kwaad.bpmn": bpmn, "kwaad.dmn": dmn}, FORMS, VOCABULARY))


def _no_default(first: str, second: str) -> str:
    text = BASE.replace(' default="f_anders"', "").replace('<bpmn:conditionExpression>route == "werk"',
                                                           f"<bpmn:conditionExpression>{first}")
    return text.replace('targetRef="einde_anders">',
                        f'targetRef="einde_anders"><bpmn:conditionExpression>{second}</bpmn:conditionExpression>', 1)


@pytest.mark.parametrize("first,second", [('route == "werk"', 'route != "werk"'), ("klaar", "not klaar"),
                                          ("loon &lt; 30", "loon &gt;= 30"), ("x in lijst", "x not in lijst")])
def test_a_gateway_whose_conditions_negate_each_other_needs_no_default(first, second):
    assert _problems(_no_default(first, second)) == []


@pytest.mark.parametrize("first,second", [('route == "werk"', 'route == "anders"'), ("loon &lt; 30", "loon &gt; 30")])
def test_a_gateway_whose_conditions_can_all_be_false_is_refused(first, second):
    problems = _problems(_no_default(first, second))
    assert [p.element for p in problems] == ["gw_route"]
    assert "standaardstroom" in problems[0].message and "ontkenning" in problems[0].message


def test_a_loop_without_exit_is_refused_but_a_loop_with_one_is_fine():
    looping = BASE.replace('<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="einde_werk">',
                           '<bpmn:sequenceFlow id="f_werk" name="Werk" sourceRef="gw_route" targetRef="taak_intake">')
    # the loop back to the intake has an exit (the default flow): only the end it replaced is now unreachable
    assert [(p.element, "niet bereikbaar" in p.message) for p in _problems(looping)] == [("einde_werk", True)]
    trapped = BASE.replace('sourceRef="gw_route" targetRef="einde_anders"', 'sourceRef="gw_route" targetRef="taak_intake"')
    trapped = trapped.replace('sourceRef="gw_route" targetRef="einde_werk"', 'sourceRef="gw_route" targetRef="taak_intake"')
    found = {p.element for p in _problems(trapped) if "geen eindgebeurtenis" in p.message}
    assert {"taak_intake", "script_teller", "besluit_route", "gw_route"} <= found


def test_an_unreachable_task_inside_a_subprocess_is_named():
    sub = """    <bpmn:subProcess id="deel" name="Deelproces"><bpmn:incoming>x</bpmn:incoming>
      <bpmn:startEvent id="deel_start"><bpmn:outgoing>d1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="d1" sourceRef="deel_start" targetRef="deel_einde" />
      <bpmn:scriptTask id="deel_los" name="Los script"><bpmn:script>a = 1</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="deel_einde"><bpmn:incoming>d1</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
"""
    text = BASE.replace('targetRef="einde_werk">', 'targetRef="deel">', 1).replace(
        '    <bpmn:endEvent id="einde_werk"', sub + '    <bpmn:sequenceFlow id="f_deel" sourceRef="deel" '
        'targetRef="einde_werk" />\n    <bpmn:endEvent id="einde_werk"')
    problems = _problems(text)
    assert [p.element for p in problems] == ["deel_los"], problems
    assert "in subproces 'Deelproces' (deel)" in problems[0].message


@pytest.mark.parametrize("entry,ok", [("-", True), ("&lt; 30", True), ('"a"', True), ("? &gt; 3 and ? &lt; 9", True),
                                      ('"a", "b"', False), ("[30..80]", False), ("? .__class__", False),
                                      ("not(30)", True)])
def test_dmn_input_entries_are_checked_as_spiff_evaluates_them(entry, ok):
    text = DMN.replace("<text>&gt;= 30</text>", f"<text>{entry}</text>")
    problems = [p for p in _problems(dmn=text) if p.element == "regel_hoog_in"]
    assert (problems == []) is ok, problems
    assert SafeScriptEngine()  # the engine the checks use is the one cases run with


def test_a_dmn_output_that_escapes_is_refused():
    text = DMN.replace('<text>"werk"</text>', "<text>().__class__</text>")
    assert [p.element for p in _problems(dmn=text)] == ["regel_hoog_uit"]


@pytest.mark.parametrize("cut", range(200, len(BASE), 397))
def test_a_half_written_draft_gives_problems_not_exceptions(cut):
    assert _problems(BASE[:cut])


@pytest.mark.parametrize("old,new", [('sourceRef="start"', 'sourceRef="nergens"'), ('id="gw_route"', 'id="gw2"'),
                                     ("calledDecisionId>kw_besluit<", "calledDecisionId>weg<"),
                                     ('targetRef="script_teller"', 'targetRef=""'), ('name="formulier"', 'name="iets"')])
def test_a_mangled_draft_gives_problems_not_exceptions(old, new):
    problems = _problems(BASE.replace(old, new))
    assert problems and all(p.message for p in problems)


# --------------------------------------------------------------------------- drawings from other tools
SCRIPT = ('<bpmn:scriptTask id="script_teller" name="Teller bijwerken"><bpmn:incoming>f2</bpmn:incoming>'
          '<bpmn:outgoing>f3</bpmn:outgoing>\n      <bpmn:script>teller = 1</bpmn:script></bpmn:scriptTask>')
_FLOWS = '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>'
_CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
# SpiffWorkflow's own words for these (and the TypeError its parser raises on an undefined reference)
_SPIFF_WORDS = ("Expected a", "TypeError", "must ", "No DMN", "was not found", "is required", "no support",
                "Time Specification", "ongeldige BPMN", "Did you mean", "attribute for", "loopMaximum")


def _step(xml: str) -> str:
    """The base draft with its script task replaced by ``xml`` (between the same two arrows)."""
    assert SCRIPT in BASE
    return BASE.replace(SCRIPT, xml.format(flows=_FLOWS, camunda=_CAMUNDA).replace('id="x"', 'id="script_teller"'))


@pytest.mark.parametrize("xml,said", [
    # the parser fails on these with a TypeError of its own (3.2.0)
    ('<bpmn:intermediateCatchEvent id="x" name="Antwoord">{flows}<bpmn:messageEventDefinition id="MED_1" '
     'messageRef="Message_1"/></bpmn:intermediateCatchEvent>',
     "'Antwoord' (script_teller) wacht op of verstuurt bericht 'Message_1', maar dat bericht staat niet in kwaad.bpmn"),
    ('<bpmn:receiveTask id="x" name="Antwoord" messageRef="Message_1">{flows}</bpmn:receiveTask>',
     "'Antwoord' (script_teller) wacht op bericht 'Message_1', maar dat bericht staat niet in kwaad.bpmn"),
    ('<bpmn:intermediateThrowEvent id="x" name="Sein">{flows}<bpmn:signalEventDefinition signalRef="S_1"/>'
     '</bpmn:intermediateThrowEvent>', "'Sein' (script_teller) verwijst naar signaal 'S_1', maar dat signaal staat niet in"),
    ('<bpmn:intermediateThrowEvent id="x" name="Hoger">{flows}<bpmn:escalationEventDefinition escalationRef="E_1"/>'
     '</bpmn:intermediateThrowEvent>', "'Hoger' (script_teller) verwijst naar escalatie 'E_1', maar die escalatie staat niet"),
    # the parser stops at these in English
    ('<bpmn:subProcess id="x" name="Deel">{flows}</bpmn:subProcess>',
     "subproces 'Deel' (script_teller) heeft 0 startgebeurtenissen; een subproces begint met precies één"),
    ('<bpmn:callActivity id="x" name="Aanroep">{flows}</bpmn:callActivity>',
     "aanroepactiviteit 'Aanroep' (script_teller) zegt niet welk proces zij aanroept"),
    ('<bpmn:callActivity id="x" name="Aanroep" calledElement="Process_elders">{flows}</bpmn:callActivity>',
     "aanroepactiviteit 'Aanroep' (script_teller) roept proces 'Process_elders' aan, maar dat staat in geen van "
     "de bestanden van deze versie (wel: kwaad_proces)"),
    ('<bpmn:complexGateway id="x" name="Complex">{flows}</bpmn:complexGateway>',
     "'Complex' (script_teller): een element van deze soort (complexGateway) kan Werkpad niet uitvoeren"),
    ('<bpmn:intermediateCatchEvent id="x" name="Wachten">{flows}<bpmn:timerEventDefinition id="T_1"/>'
     '</bpmn:intermediateCatchEvent>', "timer 'Wachten' (script_teller) heeft geen tijd: geef een duur (\"P28D\")"),
    ('<bpmn:userTask id="x" name="Per kind" {camunda}>{flows}<bpmn:multiInstanceLoopCharacteristics '
     'camunda:collection="kinderen" camunda:elementVariable="kind"/></bpmn:userTask>',
     "meervoudige taak 'Per kind' (script_teller) zegt niet hoe vaak zij loopt"),
    ('<bpmn:userTask id="x" name="Nog eens">{flows}<bpmn:standardLoopCharacteristics/></bpmn:userTask>',
     "herhaalde taak 'Nog eens' (script_teller) zegt niet wanneer het herhalen stopt"),
    ('<bpmn:businessRuleTask id="x" name="Regels" camunda:decisionRef="kw_besluit" {camunda}>{flows}'
     '</bpmn:businessRuleTask>', "beslistaak 'Regels' (script_teller) zegt niet welke beslistabel zij gebruikt: kies er een "
                                 "in de modeler ('Route bepalen' (kw_besluit))"),
    # read, but a case would fail or stand still there: findings
    ('<bpmn:intermediateCatchEvent id="x" name="Vier weken">{flows}<bpmn:timerEventDefinition>'
     '<bpmn:timeDuration>P28D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
     "timer van 'Vier weken' (script_teller): P28D is geen tekst maar een expressie; schrijf hem tussen aanhalingstekens: "
     "\"P28D\""),
    ('<bpmn:intermediateCatchEvent id="x" name="Op datum">{flows}<bpmn:timerEventDefinition>'
     '<bpmn:timeDate>2027-01-01T09:00:00</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
     "timer van 'Op datum' (script_teller): 2027-01-01T09:00:00 is geen tekst maar een expressie"),
    ('<bpmn:scriptTask id="x" name="Leeg">{flows}</bpmn:scriptTask>',
     "scripttaak 'Leeg' (script_teller) heeft geen script: een zaak zou daar in fout gaan"),
    ('<bpmn:receiveTask id="x" name="Wachten">{flows}</bpmn:receiveTask>',
     "ontvangsttaak 'Wachten' (script_teller) wacht op geen enkel bericht"),
    ('<bpmn:intermediateThrowEvent id="x" name="Terugdraaien">{flows}<bpmn:compensateEventDefinition/>'
     '</bpmn:intermediateThrowEvent>', "'Terugdraaien' (script_teller): Werkpad voert geen compensatie uit"),
    ('<bpmn:intermediateCatchEvent id="x" name="Verder">{flows}<bpmn:linkEventDefinition name="A"/>'
     '</bpmn:intermediateCatchEvent>', "'Verder' (script_teller): Werkpad volgt geen koppelingen"),
    ('<bpmn:intermediateCatchEvent id="x" name="Als klaar">{flows}<bpmn:conditionalEventDefinition>'
     '<bpmn:condition>klaar == True</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>',
     "voorwaardelijke gebeurtenis 'Als klaar' (script_teller): Werkpad bekijkt de voorwaarde alleen op het moment dat de zaak "
     "er aankomt"),
    # expressions written for another program
    ('<bpmn:scriptTask id="x" name="Tellen" scriptFormat="groovy">{flows}<bpmn:script>def teller = 1</bpmn:script>'
     '</bpmn:scriptTask>', "script van 'Tellen' (script_teller) is in groovy geschreven; Werkpad voert alleen scripts in zijn "
                           "eigen rekentaal uit"),
])
def test_a_drawing_from_another_tool_is_told_in_words_naming_the_element(xml, said):
    """What SpiffWorkflow's parser stops at in English (or with a TypeError), and what it reads but a case
    would fail at when it gets there, is a problem in Dutch naming the element and what to change."""
    problems = _problems(_step(xml))
    messages = [str(p.message) for p in problems]
    assert any(said in m for m in messages), messages
    assert not [m for m in messages if any(w in m for w in _SPIFF_WORDS)], messages
    assert all(p.element for p in problems if said in str(p.message))


def test_a_condition_in_juel_is_refused_with_the_expression_as_werkpad_writes_it():
    text = BASE.replace('<bpmn:conditionExpression>route == "werk"',
                        '<bpmn:conditionExpression>${route == "werk" &amp;&amp; !klaar || x == null}')
    messages = [str(p.message) for p in _problems(text)]
    assert ("'Werk' (f_werk): '${route == \"werk\" && !klaar || x == null}' is geschreven zoals een ander programma "
            "dat doet (${…}); schrijf de expressie zelf, zonder ${ en }: 'route == \"werk\" and not klaar or x == None'"
            in messages), messages


def test_a_quoted_timer_and_an_expression_over_case_data_are_no_bare_text():
    quoted = _step('<bpmn:intermediateCatchEvent id="x" name="Wachten">{flows}<bpmn:timerEventDefinition>'
                   '<bpmn:timeDuration>"P28D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                   '</bpmn:intermediateCatchEvent>')
    over_data = quoted.replace('"P28D"', "plus_duur(melddatum, &quot;P4W&quot;)").replace(
        "timeDuration", "timeDate")
    for text in (quoted, over_data):
        assert not [p for p in _problems(text) if "geen tekst maar een expressie" in str(p.message)]


@pytest.mark.parametrize("text", ["P28D", "PT10M", "R3/PT10M", "R/P3M", "2027-01-01", "2027-01-01T09:00:00Z",
                                  "P1Y2M10DT2H30M"])
def test_bare_time_texts_are_recognised(text):
    from engine.core.checks import bare_time

    assert bare_time(text)


@pytest.mark.parametrize("text", ['"P28D"', "termijn", "plus_duur(melddatum, \"P4W\")", "Periode", "P", "2027"])
def test_expressions_are_not_bare_time_texts(text):
    from engine.core.checks import bare_time

    assert not bare_time(text)


def test_a_main_process_drawn_as_not_executable_is_said_so():
    messages = [str(p.message) for p in _problems(BASE.replace('isExecutable="true"', 'isExecutable="false"'))]
    assert any("proces (kwaad_proces) in kwaad.bpmn is als niet uitvoerbaar getekend, maar wordt wel uitgevoerd"
               in m for m in messages), messages


@pytest.mark.parametrize("old,new,said", [
    ('hitPolicy="UNIQUE"', 'hitPolicy="PRIORITY"',
     "beslistabel 'Route bepalen' (kw_besluit): de beslisregel PRIORITY kent Werkpad niet"),
    ('hitPolicy="UNIQUE"', 'hitPolicy="RULE ORDER"', "de beslisregel RULE ORDER kent Werkpad niet"),
    ('hitPolicy="UNIQUE"', 'hitPolicy="COLLECT" aggregation="SUM"',
     "beslistabel 'Route bepalen' (kw_besluit): COLLECT met SUM telt of rekent niet"),
    ('name="route" typeRef="string"', 'label="Route" typeRef="string"',
     "beslistabel 'Route bepalen' (kw_besluit): uitvoerkolom 'Route' heeft geen naam"),
    ("</definitions>", '<decision id="tweede" name="Tweede"><literalExpression id="le"><text>1</text></literalExpression>'
                       "</decision></definitions>",
     "kwaad.dmn bevat 2 beslissingen; Werkpad leest precies één beslissing per bestand"),
    ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
     "kwaad.dmn is geen DMN 1.3 (maar http://www.omg.org/spec/DMN/20151101/dmn.xsd)"),
    ("<text>&gt;= 30</text></inputEntry>", "<text>&gt;= waarde_van(30)</text></inputEntry>",
     "'Route bepalen' (kw_besluit): '>= waarde_van(30)' roept waarde_van aan, maar die functie kent Werkpad niet; "
     "bedoel je waarde?"),
    ('"werk"</text></outputEntry>', 'date("2027-01-01")</text></outputEntry>',
     "'Route bepalen' (kw_besluit): 'date(\"2027-01-01\")' roept date aan, maar die functie kent Werkpad niet; "
     "bedoel je datum?"),
])
def test_a_decision_table_from_another_tool_is_told_in_words(old, new, said):
    """Hit policies SpiffWorkflow would run as 'the first match', an aggregation it ignores, an output that
    fills no case data, a file with two decisions (its reader fails on them with an AttributeError), an
    older DMN version (the checks would not read it while SpiffWorkflow runs it), another program's function."""
    assert old in DMN
    messages = [str(p.message) for p in _problems(dmn=DMN.replace(old, new))]
    assert any(said in m for m in messages), messages
    assert not [m for m in messages if any(w in m for w in _SPIFF_WORDS + ("AttributeError", "IndexError"))], messages


def test_a_decision_table_with_a_notes_column_runs_as_without_it():
    """Camunda's annotation column (DMN 1.3 notes per rule) is for people: read past, not refused."""
    noted = DMN.replace('<output id="kw_uit" name="route" typeRef="string" />',
                        '<output id="kw_uit" name="route" typeRef="string" /><annotation name="Waarom" />')
    noted = noted.replace('"anders"</text></outputEntry>',
                          '"anders"</text></outputEntry><annotationEntry><text>te laag</text></annotationEntry>')
    assert noted != DMN and not _problems(dmn=noted)


@pytest.mark.parametrize("old,new,said", [
    ("<bpmn:script>teller = 1</bpmn:script>", "<bpmn:script>teller = werkdagen_naa(vandaag(), 5)</bpmn:script>",
     "'Teller bijwerken' (script_teller): 'teller = werkdagen_naa(vandaag(), 5)' roept werkdagen_naa aan, maar die "
     "functie kent Werkpad niet; bedoel je werkdagen_na?"),
    ('<bpmn:conditionExpression>route == "werk"', "<bpmn:conditionExpression>heeft_werk_volgens_uwv(route)",
     "roept heeft_werk_volgens_uwv aan, maar die functie kent Werkpad niet (wel: abs, "),
])
def test_a_call_of_a_function_werkpad_does_not_have_is_a_finding(old, new, said):
    """It passes the safety check but would put a case in error when it gets there (a typo, or another
    program's function): said at save, with the nearest known name."""
    problems = _problems(BASE.replace(old, new))
    found = [p for p in problems if said in str(p.message)]
    assert found and not any(p.refusal for p in found), [str(p.message) for p in problems]


def test_known_functions_and_methods_are_no_unknown_calls():
    text = BASE.replace("<bpmn:script>teller = 1</bpmn:script>",
                        "<bpmn:script>teller = len(str(werkdagen_na(vandaag(), 5)).lower())\n"
                        "a = bekend(\"teller\")</bpmn:script>")
    assert not [p for p in _problems(text) if "kent Werkpad niet" in str(p.message)]


def test_an_unknown_function_in_a_call_activitys_pre_script_is_found():
    """Scripts run before or after a call (spiffworkflow:preScript) are read as scripts too."""
    call = ('<bpmn:callActivity id="script_teller" name="Aanroep" calledElement="kwaad_proces">'
            '<bpmn:extensionElements><spiffworkflow:preScript>x = telling_van(1)</spiffworkflow:preScript>'
            f'</bpmn:extensionElements>{_FLOWS}</bpmn:callActivity>')
    messages = [str(p.message) for p in _problems(BASE.replace(SCRIPT, call))]
    assert any("roept telling_van aan, maar die functie kent Werkpad niet" in m for m in messages), messages


def test_a_wait_for_a_signal_nothing_gives_is_a_finding_and_one_that_is_given_is_not():
    """Werkpad takes no signals from outside: a case waiting for one that nothing in the version throws would
    stand there for good."""
    waiting = _step('<bpmn:intermediateCatchEvent id="x" name="Wachten op sein">{flows}'
                    '<bpmn:signalEventDefinition signalRef="S_1"/></bpmn:intermediateCatchEvent>').replace(
        '<bpmn:process id="kwaad_proces"', '<bpmn:signal id="S_1" name="dossier_compleet"/><bpmn:process id="kwaad_proces"')
    said = "'Wachten op sein' (script_teller) wacht op signaal 'dossier_compleet', maar niets in het proces geeft dat signaal"
    assert any(said in str(p.message) for p in _problems(waiting)), [str(p.message) for p in _problems(waiting)]
    given = waiting.replace('<bpmn:endEvent id="einde_werk" name="Naar werk"><bpmn:incoming>f_werk</bpmn:incoming>',
                            '<bpmn:endEvent id="einde_werk" name="Naar werk"><bpmn:incoming>f_werk</bpmn:incoming>'
                            '<bpmn:signalEventDefinition signalRef="S_1"/>')
    assert given != waiting
    assert not [p for p in _problems(given) if "wacht op signaal" in str(p.message)]


# ---------------------------------------------------------------------------- names nothing gives
_ROUTE = '<bpmn:conditionExpression>route == "werk"'


def _unprovided(problems) -> list[str]:
    return [str(p.message) for p in problems if "maar geen formulier, script, beslistabel" in str(p.message)]


def test_a_condition_reading_a_name_nothing_gives_is_a_finding_with_the_nearest_name():
    """A typo in a condition passes every safety check but stops a case in error at the gateway."""
    problems = _problems(BASE.replace(_ROUTE, '<bpmn:conditionExpression>rout == "werk"'))
    said = _unprovided(problems)
    assert len(said) == 1 and "'Werk' (f_werk) leest rout ('rout == \"werk\"')" in said[0], said
    assert "Bedoel je route?" in said[0]
    found = [p for p in problems if str(p.message) == said[0]]
    assert found[0].element == "f_werk" and not found[0].refusal


@pytest.mark.parametrize("condition", [
    'waarde("rout", "") == "werk"',                 # may be missing: read with a default
    'bekend("rout") and rout == "werk"',            # asked about first
    'teller == 1',                                  # set by the script before it
    'loonwaarde_pct &gt; 30',                       # declared start data
    'gemeente == "kwaadstad" and leeftijd &gt;= 27',  # what every case starts with
    'len([r for r in [route] if r == "werk"]) == 1',  # a comprehension's own name
    'aanvraag_ingetrokken is None',                 # a message the engine sends, stored under its name
])
def test_names_given_somewhere_or_read_with_a_guard_are_no_finding(condition):
    assert not _unprovided(_problems(BASE.replace(_ROUTE, f"<bpmn:conditionExpression>{condition}")))


def test_a_script_and_a_decision_table_reading_an_unknown_name_are_findings_too():
    script = BASE.replace("<bpmn:script>teller = 1</bpmn:script>", "<bpmn:script>teller = tellr + 1</bpmn:script>")
    said = _unprovided(_problems(script))
    assert len(said) == 1 and "leest tellr" in said[0] and "Bedoel je teller?" in said[0]
    assert "loonwaarde_pct" in DMN
    said = _unprovided(_problems(dmn=DMN.replace("<text>loonwaarde_pct</text>", "<text>loonwaarde_procent</text>")))
    assert said and "leest loonwaarde_procent" in said[0] and "Bedoel je loonwaarde_pct?" in said[0]


def test_undeclared_start_data_is_named_with_where_to_declare_it():
    """A process fed at its start through the API declares what it expects there (proces.json
    'startgegevens'); without it the finding says so."""
    bundle = bundle_from_files({"sleutel": "kwaad", "proces": "kwaad_proces"}, {"kwaad.bpmn": BASE, "kwaad.dmn": DMN},
                               FORMS, VOCABULARY)
    said = _unprovided(check_bundle(bundle))
    assert said and "leest loonwaarde_pct" in said[0] and "startgegevens in proces.json" in said[0]


def test_a_shared_process_that_nothing_calls_is_not_read_for_names():
    """The shared files come with every version; one its processes do not call is not their concern."""
    shared = BASE.replace('id="kwaad_proces"', 'id="ander_proces"').replace('id="kwaad_def"', 'id="ander_def"')
    shared = shared.replace(_ROUTE, '<bpmn:conditionExpression>iets_anders == "werk"')
    files = {"kwaad.bpmn": BASE, "kwaad.dmn": DMN, "gedeeld/ander.bpmn": shared}
    said = _unprovided(check_bundle(bundle_from_files(MANIFEST, files, FORMS, VOCABULARY)))
    assert not [m for m in said if "iets_anders" in m], said


# ---------------------------------------------------------------------------- older DMN versions
_DMN_11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
_DMN_12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
_DMNDI_12 = ('<dmndi:DMNDI xmlns:dmndi="http://www.omg.org/spec/DMN/20180521/DMNDI/" '
             'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"><dmndi:DMNDiagram id="d1">'
             '<dmndi:DMNShape id="s1" dmnElementRef="kw_besluit"><dc:Bounds height="80" width="180" x="150" y="80" />'
             '</dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI></definitions>')


@pytest.mark.parametrize("namespace,version,diagram", [(_DMN_11, "1.1", False), (_DMN_12, "1.2", True)])
def test_a_decision_table_of_an_older_dmn_version_is_taken_in_as_13(namespace, version, diagram):
    """Camunda Modeler before 4 wrote DMN 1.1: the same table under another namespace. Taken in as DMN
    1.3 it passes the checks as the 1.3 file does, rules and columns unchanged; 1.2's diagram part goes."""
    from engine.core.xml import DMN_NS, dmn_in_13

    old = DMN.replace("https://www.omg.org/spec/DMN/20191111/MODEL/", namespace)
    if diagram:
        old = old.replace("</definitions>", _DMNDI_12)
    assert old != DMN and any("geen DMN 1.3" in str(p.message) for p in _problems(dmn=old))
    text, was = dmn_in_13("kwaad.dmn", old)
    assert was == version and namespace not in text and DMN_NS in text and "DMNDI" not in text
    assert _problems(dmn=text) == _problems(dmn=DMN) == []
    assert text.count("<rule ") == DMN.count("<rule ") and "loonwaarde_pct" in text


@pytest.mark.parametrize("text", [DMN, "<definitions", BASE, "geen xml"])
def test_a_13_file_or_anything_else_is_left_as_it_is(text):
    from engine.core.xml import dmn_in_13

    assert dmn_in_13("x.dmn", text) == (text, None)
