"""Fixtures for the process acceptance tests: an engine on a fresh SQLite file with
one municipality's process (plus the shared subprocesses) deployed."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine import Werkpad

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def werkpad_voor(tmp_path) -> Iterator[Callable[[str], Werkpad]]:
    engines: list[Werkpad] = []

    def maak(sleutel: str) -> Werkpad:
        engine = Werkpad(f"sqlite:///{tmp_path / f'{sleutel}.sqlite'}", processes_dir=ROOT / "processes",
                         forms_dir=ROOT / "forms")
        engine.upgrade_db()
        engine.deploy(only=[sleutel])
        engines.append(engine)
        return engine

    yield maak
    for engine in engines:
        engine.db.dispose()
