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
