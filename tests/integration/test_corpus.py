"""Recorded case histories replay unchanged on today's engine.

tests/corpus/ holds a few hundred histories recorded by scripts/record_corpus.py on
every process, with the exact definition version each ran on. Each is replayed
event by event; after every event the rebuilt state's fingerprint must equal the
one recorded then. A change to the engine that would give an existing case another
outcome fails here, not in an audit years later.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine.app.auditing import _replay
from engine.core.definitions import Bundle

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(CORPUS.glob("*.json"))


@cache
def _bundle(version: str) -> Bundle:
    record = json.loads((CORPUS / "definitions" / f"{version[:16]}.json").read_text(encoding="utf-8"))
    return Bundle.from_record(record)


def _events(history: list[dict]) -> list[SimpleNamespace]:
    return [SimpleNamespace(seq=e["seq"], type=e["type"], at=datetime.fromisoformat(e["at"]),
                            payload=json.dumps(e["payload"]), digest=e["digest"]) for e in history]


def test_the_corpus_is_there_and_large_enough():
    cases = sum(len(json.loads(f.read_text(encoding="utf-8"))["cases"]) for f in FILES)
    assert len(FILES) >= 9 and cases >= 200


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_recorded_history_replays(path):
    recorded = json.loads(path.read_text(encoding="utf-8"))
    failures = []
    for case in recorded["cases"]:
        events = _events(case["events"])
        result = _replay(case["case"], events, _bundle, events[-1].digest)
        if not result["match"]:
            failures.append(f"{case['case']}: {result.get('reason')}")
    assert not failures, "\n".join(failures[:10])
