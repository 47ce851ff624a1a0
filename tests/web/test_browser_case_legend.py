"""The case page's diagram of a process drawn in rows per phase colours its tasks per role; below it a
legend names those roles with their colours, the same roles, names, colours and order as the legend of
the generated docs (engine/core/diagram_svg.py). A process drawn with lanes has no such legend. Lanes and
phase rows are drawn with the names of their role and phase, not the keys the model keeps.
In Debian's chromium, under the strict Content-Security-Policy (no console error)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from engine.core.diagram_svg import render_svg

from .conftest import PASSWORD
from .modeler_pages import werkkom_for_voorbeeldstad
from .test_accessibility import AXE, _violations
from .test_browser import _shot, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def processes_dir(tmp_path) -> Path:
    """Werk.Kom's process (rows per phase), owned for this test by Voorbeeldstad, and the voorbeeld
    process (lanes) for another organisation's municipality."""
    target = werkkom_for_voorbeeldstad(tmp_path)
    shutil.copytree(ROOT / "processes" / "voorbeeld", target / "anderstad")
    other = json.loads((target / "anderstad" / "proces.json").read_text(encoding="utf-8"))
    other.update({"sleutel": "anderstad", "naam": "Anderstad", "organisatie": "anderstad",
                  "gemeenten": {"anderstad": {}}})
    (target / "anderstad" / "proces.json").write_text(json.dumps(other), encoding="utf-8")
    return target


def _docs_legend() -> list[tuple[str, str, str]]:
    """(role name, fill, stroke) in the order the generated docs' SVG lists them."""
    roles = json.loads((ROOT / "processes" / "rollen.json").read_text(encoding="utf-8"))["rollen"]
    svg = render_svg((ROOT / "processes" / "werkkom" / "werkkom.bpmn").read_text(encoding="utf-8"), roles)
    legend = svg[svg.index("Rollen (kleur van de taak)"):]
    return [(name, fill, stroke) for fill, stroke, name in re.findall(
        r'<rect [^>]*width="26" height="16" rx="4" fill="(#[0-9a-f]{6})" stroke="(#[0-9a-f]{6})"[^>]*/>\s*<text [^>]*>([^<]+)</text>', legend)]


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def _svg_text(page, element_id: str) -> str:
    """The text drawn for a diagram element (its label)."""
    return page.eval_on_selector(f'#diagram g.djs-element[data-element-id="{element_id}"] text',
                                 "t => t.textContent").strip()


def _login(page, server, username):
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def test_the_case_page_names_the_role_colours(server, page, werkpad, accounts):  # noqa: F811
    case = werkpad.start_case("weert", "111222333", "Jan Jansen", "1980-05-01")
    accounts.create_user("olga", PASSWORD, "Olga")
    accounts.grant("olga", "anderstad", "teamleider", None)
    other = werkpad.start_case("anderstad", "100000010", "Els Anders", "1975-02-03")
    expected = _docs_legend()
    assert len(expected) >= 8  # Werk.Kom colours ten roles; the docs' legend was found

    _login(page, server, "tineke")
    page.goto(server + f"/zaken/{case['id']}")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    legend = page.locator("#diagram-rollen")
    assert legend.is_visible()
    assert page.locator(".diagram-terug").is_hidden()  # the main process: no way back to show
    assert legend.inner_text().startswith("Rollen (kleur van de taak):")
    assert _legend(page) == expected
    assert "consulent_intake_diagnose" not in legend.inner_text()  # names, not keys
    # the phase rows are named as everywhere else (the model keeps the key)
    assert _svg_text(page, "Fase_werkkom_participatie_poort_label") == "Poort"
    assert _svg_text(page, "Fase_werkkom_participatie_traject_label") == "Traject"
    # the colours on the canvas are the ones the legend names: a werkcoach task is drawn in its colour
    werkcoach = next(e for e in expected if e[0] == "Werkcoach")
    drawn = page.get_attribute('#diagram g.djs-element[data-element-id="werkcoach_begeleiding"] .djs-visual > rect',
                               "style") or ""
    assert f"fill: {_rgb(werkcoach[1])}" in drawn and f"stroke: {_rgb(werkcoach[2])}" in drawn
    page.locator("#diagram").scroll_into_view_if_needed()
    _shot(page, "zaak-rollegenda.png")
    if AXE.exists():  # the page with its legend passes axe (WCAG 2.1 AA, as every page)
        assert _violations(page) == []

    # in English the heading is English, the role names stay the municipality's words
    _in_english_the_same_legend(page, expected)
    assert not page.console_errors, page.console_errors

    # a process drawn with lanes colours no roles: no legend
    page.click("footer button[value=nl]")
    page.click("text=Uitloggen")
    _login(page, server, "olga")
    page.goto(server + f"/zaken/{other['id']}")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    assert page.locator("#diagram-rollen").is_hidden()
    assert page.locator("#diagram-legenda").is_visible()
    assert _svg_text(page, "Lane_inkomen") == "Inkomensconsulent"  # the lane by its role's name, not its key
    assert _svg_text(page, "Lane_werk") == "Werkconsulent"
    _shot(page, "zaak-banen-met-rolnamen.png")
    assert not page.console_errors, page.console_errors


def test_the_auditors_moment_page_names_roles_and_phases_as_the_case_page(server, page, werkpad):  # noqa: F811
    """The auditor's view of a case at an earlier moment draws the same diagram with the same names
    and the same legend of role colours (the JSON of both carries them from one builder)."""
    case = werkpad.start_case("weert", "111222333", "Jan Jansen", "1980-05-01")
    expected = _docs_legend()

    _login(page, server, "aafke")  # auditor of Voorbeeldstad, which owns the process here
    page.goto(server + f"/audit/zaken/{case['id']}/moment/1")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    legend = page.locator("#diagram-rollen")
    assert legend.is_visible()
    assert legend.inner_text().startswith("Rollen (kleur van de taak):")
    assert _legend(page) == expected
    assert "consulent_intake_diagnose" not in legend.inner_text()
    assert _svg_text(page, "Fase_werkkom_participatie_poort_label") == "Poort"
    assert _svg_text(page, "Fase_werkkom_participatie_traject_label") == "Traject"
    page.locator("#diagram").scroll_into_view_if_needed()
    _shot(page, "audit-moment-rollegenda.png")
    if AXE.exists():
        assert _violations(page) == []

    _in_english_the_same_legend(page, expected)
    assert not page.console_errors, page.console_errors


def _legend(page) -> list[tuple[str, str, str]]:
    """The role legend under the diagram: (name, fill, stroke) per role, in order."""
    return [tuple(s) for s in page.eval_on_selector_all("#diagram-rollen .rol", """items => items.map(i =>
        [i.textContent.trim(), i.querySelector('rect').getAttribute('fill'),
         i.querySelector('rect').getAttribute('stroke')])""")]


def _signs(page, kind: str) -> list[str]:
    """The diagram elements that carry a sign of where the case stands: 'huidig' (nu) or 'gedaan' (✓)."""
    return sorted(page.eval_on_selector_all(
        f"#diagram .djs-overlays .{kind}-teken",
        "signs => signs.map(s => s.closest('.djs-overlays').getAttribute('data-container-id'))"))


def test_where_the_case_stands_is_said_by_a_sign_not_only_by_colour(server, page, werkpad, accounts):  # noqa: F811
    """Werk.Kom colours its regisseur's tasks green and its jobcoach's yellow: the same colours as
    "afgerond" and "huidig". So the case's stand is said beside each step: "nu" at the current step
    (also a timer the case waits at), a check mark at each completed one, and nothing at a task that
    merely has its role's colour; the legend shows the same signs."""
    case = werkpad.start_case("weert", "111222333", "Jan Jansen", "1980-05-01")
    _login(page, server, "tineke")
    page.goto(server + f"/zaken/{case['id']}")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    current = page.get_attribute("#diagram", "data-huidig").split()
    assert current and _signs(page, "huidig") == sorted(current)
    assert _signs(page, "gedaan") == []  # the green regisseur task 'aanmelding' is not done: no check mark
    assert page.locator('#diagram g.djs-element[data-element-id="aanmelding"]').count() == 1
    sign = page.locator("#diagram .djs-overlays .huidig-teken").first
    assert sign.inner_text() == "nu" and sign.is_visible()
    legend = page.locator("#diagram-legenda").inner_text()
    assert "huidige stap" in legend and "afgerond" in legend and "\u2713" in legend
    page.locator("#diagram").scroll_into_view_if_needed()
    _shot(page, "zaak-stand-tekens.png")
    assert not page.console_errors, page.console_errors

    # a case between two tasks stands at its wait: the four weeks of searching carry "nu"
    accounts.create_user("olga", PASSWORD, "Olga")
    accounts.grant("olga", "anderstad", "teamleider", None)
    other = werkpad.start_case("anderstad", "123456782", "Fatima el Amrani", "1992-11-17")
    werkpad.complete_task(other["tasks"][0]["id"], "olga", {"crisis": False, "woonsituatie": "inwonend"})
    page.click("text=Uitloggen")
    _login(page, server, "olga")
    page.goto(server + f"/zaken/{other['id']}")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    assert _signs(page, "huidig") == ["inspanningsperiode"]
    assert _signs(page, "gedaan") == ["intake"]
    waiting = page.locator('#diagram g.djs-element[data-element-id="inspanningsperiode"]').bounding_box()
    frame = page.locator("#diagram").bounding_box()
    assert waiting and frame["x"] <= waiting["x"] <= frame["x"] + frame["width"]  # "Huidige stap" shows the wait
    assert not page.console_errors, page.console_errors


def _in_english_the_same_legend(page, expected) -> None:
    """Switched to English: the heading and the phase names are English, the roles the same."""
    page.click("footer button[value=en]")
    page.wait_for_selector("#diagram.geladen", timeout=30000)
    assert page.inner_text("#diagram-rollen").startswith("Roles (colour of the task):")
    assert _svg_text(page, "Fase_werkkom_participatie_traject_label") == "Trajectory"
    assert _legend(page) == expected
