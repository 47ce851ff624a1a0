"""Issue 7: the case file as PDF — client, timeline, decisions with inputs, deadlines, the path taken."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from engine.app.audit_pdf import _e, case_file_html
from engine.app.audit_workspace import AuditorWorkspace
from engine.cli import main

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils niet geïnstalleerd")


@pytest.fixture
def jan(wp):
    case = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    intake = case["tasks"][0]["id"]
    wp.complete_task(intake, "kees", {"crisis": True, "woonsituatie": "dakloos"}, at="2026-01-05T10:00")
    return case["id"]


def test_pdf_has_client_task_dates_and_the_path_taken(wp, jan, tmp_path):
    url = wp.db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "zaak.pdf"
    result = CliRunner().invoke(main, ["--database-url", url, "case", "export", jan, "--format", "pdf",
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Jan Jansen" in text and "111222333" in text
    assert "Meldingsgesprek voeren" in text  # the intake task, with its inputs
    assert "Dakloos of zonder vaste woonplek" in text and "5 januari 2026" in text and "2 maart 2026" in text
    assert "Afgelegd pad" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out), str(tmp_path / "pagina")], check=True)
    pages = sorted(tmp_path.glob("pagina-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 2000 for p in pages)


def test_the_diagram_marks_completed_and_current_steps(wp, jan):
    html = case_file_html(AuditorWorkspace(wp), jan)
    import base64
    import re

    svg = base64.b64decode(re.search(r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)', html).group(1)).decode()
    assert "#dcefe0" in svg and "#fff0b3" in svg  # the intake done (green), the next step current (amber)
    # and said in a sign beside each, not only in a colour a role may share
    assert svg.count('class="stand-gedaan"') >= 1 and svg.count('class="stand-nu"') >= 1


def test_pdf_needs_an_out_file(wp, jan):
    url = wp.db.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--database-url", url, "case", "export", jan, "--format", "pdf"])
    assert result.exit_code == 1 and "--out" in result.output


def test_the_case_file_names_people_and_the_case_as_users_know_them(wp):
    """Who acted is a person's name with the account the event recorded, a deadline that passed is
    Werkpad's in words (not an engine actor such as 'system:timer'); the case is its case number."""
    from argon2 import PasswordHasher

    from engine.app.accounts import Accounts

    Accounts(wp, password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).create_user(
        "kees", "geheim-wachtwoord-1", "Kees de Vries")
    case = wp.start_case("voorbeeldstad", "123456782", "Fatima el Amrani", "1992-11-17", at="2026-01-05T09:00")
    wp.complete_task(case["tasks"][0]["id"], "kees", {"crisis": False, "woonsituatie": "inwonend"},
                     at="2026-01-05T10:00")
    assert wp.fire_due_timers("2026-03-01T09:00")  # the four weeks of searching are over
    jan = case["id"]
    case = wp.get_case(jan)
    html = case_file_html(AuditorWorkspace(wp), jan)
    assert "door Kees de Vries (kees)" in html
    assert "Werkpad (termijn verstreken) — " in html
    assert "system" not in html.replace("Werkpad", "")
    assert f"zaaknummer {case['number']}" in html and jan not in html.split("<h2>")[0]
    assert "procesversie 1, geldig vanaf 1 januari 2025" in html and case["version"] not in html
    assert "<dt>Gemeente</dt><dd>Voorbeeldstad</dd>" in html and "fase Poort" in html
    text = re.sub(r'src="data:[^"]*"', "", html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates
    assert _e("2026-08-13") == "13 augustus 2026"  # a date field as it was filled in


def test_a_large_process_gets_a_readable_close_up_of_where_the_case_stands(tmp_path):
    """Werk.Kom's diagram on one landscape page is small print: the case file shows, on a page of its
    own before the whole process, the part around the current step at a scale people can read; the
    whole diagram fits its page. A small process (the example) needs no close-up."""
    import base64

    from engine import Werkpad

    root = tmp_path / "processes"
    from pathlib import Path
    source = Path(__file__).resolve().parents[2] / "processes"
    for folder in ("gedeeld", "werkkom"):
        shutil.copytree(source / folder, root / folder)
    shutil.copy(source / "rollen.json", root / "rollen.json")
    wp = Werkpad(f"sqlite:///{tmp_path / 'groot.sqlite'}", processes_dir=root, forms_dir=source.parent / "forms")
    wp.upgrade_db()
    wp.deploy()
    case = wp.start_case("weert", "111222333", "Jan Jansen", "1980-05-01", at="2026-01-05T09:00")
    html = case_file_html(AuditorWorkspace(wp), case["id"])
    assert "Waar de zaak staat" in html and html.index("Waar de zaak staat") < html.index("Afgelegd pad")
    images = [base64.b64decode(b).decode() for b in re.findall(r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)', html)]
    assert len(images) == 2
    near, whole = ([int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups()] for svg in images)
    assert near[0] * near[1] < 0.4 * whole[0] * whole[1]
    assert 'class="stand-nu"' in images[0]  # the current step is in the close-up, with its sign
    wp.db.dispose()



def test_a_close_up_stays_inside_the_drawing_and_needs_a_step_that_is_drawn():
    """The part around a step near the edge of the diagram is moved inside the drawing (no blank
    margin), and a focus on no drawn step is the whole diagram."""
    from pathlib import Path

    from engine.core.diagram_svg import render_svg

    bpmn = (Path(__file__).resolve().parents[2] / "processes" / "voorbeeld" / "voorbeeld.bpmn").read_text(encoding="utf-8")
    whole = render_svg(bpmn)
    assert render_svg(bpmn, focus={"bestaat_niet"}) == whole
    near = render_svg(bpmn, current={"intake"}, focus={"intake"})
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', near).groups())
    shift = re.search(r'<g transform="translate\((-?\d+) (-?\d+)\)">', near)
    assert shift and int(shift.group(1)) <= 0 and int(shift.group(2)) <= 0  # the part starts inside the drawing
    assert (width, height) == (1200, 560)
