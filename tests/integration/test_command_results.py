"""A command answers with the case as it now is, built from what the command already holds
(no second read). Checked against a fresh read after every step of Jan's path through two
processes (tasks, timers, data, messages, status); only the notes are left out."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import Werkpad
from engine.tools import compare as compare_tool

ROOT = Path(__file__).resolve().parents[2]


def _without_notes(case: dict) -> dict:
    return {k: v for k, v in case.items() if k != "notes"}  # a command's answer leaves them out


@pytest.mark.parametrize("key", ["voorbeeld", "amersfoort"])
def test_command_answers_equal_a_fresh_read(key, monkeypatch):
    checked = {"n": 0}
    original_complete, original_message = Werkpad.complete_task, Werkpad.send_message

    def complete(self, task_id, actor, data=None, at=None, context=None):
        answer = original_complete(self, task_id, actor, data, at, context)
        assert answer == _without_notes(self.get_case(answer["id"]))
        checked["n"] += 1
        return answer

    def message(self, case_id, name, data=None, user="system", at=None, context=None):
        answer = original_message(self, case_id, name, data, user, at, context)
        assert answer == _without_notes(self.get_case(case_id))
        return answer

    monkeypatch.setattr(Werkpad, "complete_task", complete)
    monkeypatch.setattr(Werkpad, "send_message", message)
    profile = json.loads((ROOT / "docs" / "profielen" / "jan.json").read_text(encoding="utf-8"))
    compare_tool.compare(profile, ROOT / "processes", ROOT / "forms", only=[key])
    assert checked["n"] >= 5
