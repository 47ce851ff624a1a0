"""bpmn-js's own interface in the modeler speaks the user's language, in Debian's chromium: the
palette, the context pad of a task, its replace menu, the properties panel (of a task, a timer event
and the process) and the search box are Dutch in the Dutch designer and English in the English one.
bpmn-js asks for every text by its English text; a text the page did not hand over would stay
English and is noted by the page (``werkpadOnvertaald``), which must stay empty. Process content (the
names of the steps) is not UI text; the words asserted on are bpmn-js's."""
from __future__ import annotations

import re

from .modeler_pages import open_modeler
from .test_browser import _shot, page, server  # noqa: F401 - fixtures
from .test_browser_designer_english import _login_in_english
from .test_browser_modeler_panel import _select

__all__ = ["page", "server"]

# common English words of bpmn-js's interface; none may show in the Dutch modeler
ENGLISH = re.compile(r"\b(Create|Append|Change type|Change element|General|Documentation|Name|Delete|Connect|"
                     r"Activate|Search|Toggle|Section|User task|Service task|Start event|End event|Sequence flow|"
                     r"Timer start event|Intermediate|Boundary|Process name|Executable|Duration|Cycle|Date|"
                     r"Select an element|Open documentation)\b")
# and their Dutch counterparts; none may show in the English one
DUTCH = re.compile(r"plaatsen|erachter|Verwijderen|Soort wijzigen|Algemeen|Naam|Documentatie|Kenmerk|"
                   r"Gebruikerstaak|Servicetaak|gebeurtenis|Volgordelijn|Verbinden|Zoeken|Uitvoerbaar|"
                   r"Onderdeel|Soort timer|Duur|Cyclus|Datum")

# every text bpmn-js shows in these parts: visible text, and the tooltips and labels of its buttons
COLLECT = """sel => { const out = [];
  for (const root of document.querySelectorAll(sel)) {
    out.push(root.textContent);
    for (const el of root.querySelectorAll('[title], [aria-label], [placeholder]')) {
      for (const name of ['title', 'aria-label', 'placeholder']) {
        if (el.getAttribute(name)) out.push(el.getAttribute(name));
      }
    }
  }
  return out.join(' | '); }"""


# choose an element and open its replace menu, as the context pad's "change" button does
SWEEP = """id => { const m = document.getElementById('modeler').werkpadModeler;
  const el = m.get('elementRegistry').get(id);
  m.get('selection').select(el);
  if (m.get('popupMenu').isEmpty(el, 'bpmn-replace') === false) {
    m.get('popupMenu').open(el, 'bpmn-replace', { x: 300, y: 300 }, { search: true });
  }
  return [el.type, m.get('popupMenu').isOpen()]; }"""


def _texts(page, selector: str) -> str:
    return page.evaluate(COLLECT, selector)


def _open_all_groups(page) -> None:
    """Open every closed group of the properties panel, so all its entries show."""
    for _ in range(20):
        closed = page.locator("#eigenschappenpaneel .bio-properties-panel-group-header:not(.open)")
        if not closed.count():
            return
        closed.first.click()


def _not_translated(page) -> list[str]:
    return page.evaluate("document.getElementById('modeler').werkpadOnvertaald")


def _walk_the_modeler(page) -> dict[str, str]:
    """The texts of the palette, a task's context pad, its replace menu, the properties panel of the
    task, of a timer event and of the process, and the search box."""
    page.wait_for_selector("#modeler.geladen", timeout=30000)
    seen = {"palette": _texts(page, ".djs-palette")}
    _select(page, "intake")  # a user task
    page.wait_for_selector(".djs-context-pad .entry")
    seen["context pad"] = _texts(page, ".djs-context-pad")
    _open_all_groups(page)
    seen["task panel"] = _texts(page, "#eigenschappenpaneel")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.wait_for_selector(".djs-popup .entry")
    seen["replace menu"] = _texts(page, ".djs-popup")
    page.keyboard.press("Escape")
    _select(page, "inspanningsperiode")  # a timer catch event
    _open_all_groups(page)
    seen["timer panel"] = _texts(page, "#eigenschappenpaneel")
    page.evaluate("document.getElementById('modeler').werkpadModeler.get('selection').select(null)")
    page.wait_for_selector("#eigenschappenpaneel .bio-properties-panel-header")  # nothing chosen: the process
    _open_all_groups(page)
    seen["process panel"] = _texts(page, "#eigenschappenpaneel")
    page.keyboard.press("Control+f")
    page.wait_for_selector(".djs-search-container input", state="attached")
    seen["search"] = _texts(page, ".djs-search-container")
    page.keyboard.press("Escape")
    return seen


def test_the_modeler_is_dutch_in_the_dutch_designer(server, page, werkpad):  # noqa: F811
    open_modeler(page, server, "voorbeeld")
    seen = _walk_the_modeler(page)
    for part, text in seen.items():
        assert not ENGLISH.search(text), (part, ENGLISH.search(text).group(0), text)
    assert "Taak plaatsen" in seen["palette"] and "Hand: het diagram verschuiven" in seen["palette"]
    assert "Startgebeurtenis plaatsen" in seen["palette"]
    pad = seen["context pad"]
    assert "Taak erachter toevoegen" in pad and "Verwijderen" in pad and "Soort wijzigen" in pad
    assert "Verbinden met een ander element" in pad
    menu = seen["replace menu"]
    assert "Soort wijzigen" in menu and "Servicetaak" in menu and "Beslistaak" in menu and "Deelproces" in menu
    assert "Meerdere keren, tegelijk" in menu  # the header's markers
    task = seen["task panel"]
    assert "Algemeen" in task and "Naam" in task and "Kenmerk" in task and "Documentatie van het element" in task
    assert "Gebruikerstaak" in task  # the panel's header (shown in capitals)
    assert "Soort timer" in seen["timer panel"] and "Tussengebeurtenis: wachten op timer" in seen["timer panel"]
    assert seen["process panel"].startswith("Proces") and "Uitvoerbaar" in seen["process panel"]
    assert "Zoeken in het diagram" in seen["search"]
    assert _not_translated(page) == []
    assert not page.console_errors, page.console_errors

    # every element of the example process: its panel (all groups open) and its replace menu ask for
    # no text the page did not hand over
    ids = page.evaluate("document.getElementById('modeler').werkpadModeler.get('elementRegistry')"
                        ".filter(e => !e.labelTarget && e.parent).map(e => e.id)")
    kinds, menus = set(), 0
    for element_id in ids:
        kind, menu = page.evaluate(SWEEP, element_id)
        kinds.add(kind)
        menus += menu
        _open_all_groups(page)
        text = _texts(page, "#eigenschappenpaneel") + _texts(page, ".djs-popup")
        assert not ENGLISH.search(text), (element_id, ENGLISH.search(text).group(0), text)
        page.keyboard.press("Escape")
    assert {"bpmn:UserTask", "bpmn:ExclusiveGateway", "bpmn:SequenceFlow", "bpmn:BoundaryEvent"} <= kinds, kinds
    assert menus > len(ids) / 2, (menus, len(ids))
    assert _not_translated(page) == []

    # two elements chosen: the align menu; a lane: its own buttons
    page.evaluate("() => { const m = document.getElementById('modeler').werkpadModeler;"
                  " const r = m.get('elementRegistry');"
                  " m.get('selection').select([r.get('intake'), r.get('start')]); }")
    page.wait_for_selector(".djs-context-pad .entry svg", state="attached")
    assert "Elementen uitlijnen" in _texts(page, ".djs-context-pad")
    page.click(".djs-context-pad .entry:has(svg)")
    page.wait_for_selector(".djs-popup .entry svg", state="attached")
    aligned = _texts(page, ".djs-popup")
    assert "Links uitlijnen" in aligned and "Onder uitlijnen" in aligned, aligned
    page.keyboard.press("Escape")
    page.evaluate("() => { const m = document.getElementById('modeler').werkpadModeler;"
                  " m.get('selection').select(m.get('elementRegistry').filter(e => e.type === 'bpmn:Lane')[0]); }")
    page.wait_for_selector(".djs-context-pad .entry")
    lane = _texts(page, ".djs-context-pad")
    assert "Lane erboven toevoegen" in lane and "In twee lanes verdelen" in lane, lane
    assert not ENGLISH.search(aligned + lane)
    assert _not_translated(page) == []

    # the replace menu and the panel as a person sees them
    _select(page, "intake")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.wait_for_selector(".djs-popup .entry")
    _shot(page, "designer-modeler-nl-menu.png")


def test_the_modeler_is_english_in_the_english_designer(server, page, werkpad):  # noqa: F811
    _login_in_english(page, server, "piet")
    page.goto(server + "/ontwerp/voorbeeld/modeler")
    seen = _walk_the_modeler(page)
    for part, text in seen.items():
        assert not DUTCH.search(text), (part, DUTCH.search(text).group(0), text)
    assert "Create task" in seen["palette"] and "Activate hand tool" in seen["palette"]
    pad = seen["context pad"]
    assert "Append task" in pad and "Delete" in pad and "Change element" in pad
    menu = seen["replace menu"]
    assert "Service task" in menu and "Business rule task" in menu and "Parallel multi-instance" in menu
    task = seen["task panel"]
    assert "General" in task and "Name" in task and "Element documentation" in task
    assert "Timer" in seen["timer panel"] and "Duration" in seen["timer panel"]
    assert seen["process panel"].startswith("Process") and "Executable" in seen["process panel"]
    assert "Search in diagram" in seen["search"]
    assert _not_translated(page) == []
    assert not page.console_errors, page.console_errors
    _select(page, "intake")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    page.wait_for_selector(".djs-popup .entry")
    _shot(page, "designer-modeler-en-menu.png")
