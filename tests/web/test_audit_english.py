"""The auditor's pages in English: every page string has an English translation (web/translations)."""
from __future__ import annotations

import html as html_lib
import re

from engine.app.audit_workspace import AuditorWorkspace

from .conftest import login, page_csrf
from .test_audit_decisions import _to_route


def _text(response) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_auditor_pages_in_english(client, werkpad, accounts):
    case = _to_route(werkpad)
    run_id = AuditorWorkspace(werkpad).start_run("voorbeeldstad", "aafke")
    AuditorWorkspace(werkpad).execute_run(run_id)
    login(client, "aafke")
    client.post("/taal", data={"csrf_token": page_csrf(client, "/audit/"), "taal": "en"})
    pages = {
        "/audit/": ["Find cases", "Name, BSN or case number", "All processes"],
        f"/audit/zaken/{case['id']}": ["History", "Replay and verify", "Decision table applied", "Rule that applied",
                                       "Outcome", "Inputs", "Download case file", "Kind of event"],
        f"/audit/zaken/{case['id']}/moment/3": ["Time travel", "Active tasks at that moment", "Deadlines and timers"],
        "/audit/controle": ["Verify organisation", "Earlier verifications", "Integrity anchor", "everything is correct"],
        f"/audit/controle/{run_id}": ["Verification of", "Correct", "1 case checked", "Back to Verify organisation"],
        "/audit/logboek": ["Export as CSV", "refused actions are included"],
        "/audit/termijnen": ["Download as CSV", "Green: on time. Red: late."],
    }
    dutch = ["Zaken zoeken", "Herspelen en controleren", "Geschiedenis", "Eerdere controles", "Beslistabel toegepast",
             "Regel die gold", "Uitkomst", "Tijdreis", "Integriteitsanker", "Exporteer als CSV", "Organisatie controleren",
             "Ingevulde gegevens", "gecontroleerd", "Termijnen en timers"]
    for path, expected in pages.items():
        body = _text(client.get(path))
        for words in expected:
            assert words in body, (path, words)
        left = [w for w in dutch if w in body]
        assert not left, (path, left)
