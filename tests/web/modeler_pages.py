"""What the browser tests of the designer's pages share: logging in, opening the modeler, and
Werk.Kom's process (drawn in rows per phase) owned for a test by Voorbeeldstad, where piet designs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def log_in(page, server: str, username: str = "piet") -> None:
    page.goto(server + "/inloggen")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")


def open_modeler(page, server: str, process: str, username: str = "piet") -> None:
    """Log in and open ``process`` in the modeler, waiting until the diagram is loaded."""
    log_in(page, server, username)
    page.goto(f"{server}/ontwerp/{process}/modeler")
    page.wait_for_selector("#modeler.geladen", timeout=30000)


def werkkom_for_voorbeeldstad(tmp_path: Path) -> Path:
    """A processes folder with Werk.Kom's process (and the shared sub-processes), owned by Voorbeeldstad."""
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes" / "werkkom", target / "werkkom")
    shutil.copytree(ROOT / "processes" / "gedeeld", target / "gedeeld")
    manifest = json.loads((target / "werkkom" / "proces.json").read_text(encoding="utf-8"))
    manifest["organisatie"] = "voorbeeldstad"
    (target / "werkkom" / "proces.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target
