"""The CLI never prints a traceback: bad timer values and unreadable files give one line and exit 1."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WERKPAD = str(Path(sys.executable).parent / "werkpad")


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WERKPAD, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    assert _run(env, "db", "upgrade").returncode == 0
    return env


def _process_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "p"
    shutil.copytree(ROOT / "processes" / "voorbeeld", target / "voorbeeld")
    bpmn = target / "voorbeeld" / "voorbeeld.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert old in text
    bpmn.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize("value, words", [('"-P1D"', "ongeldige timerduur"), ("3", "geen int"),
                                          ('"P99999Y"', "langer dan 100 jaar"), ('"banaan"', "ongeldige timerduur"),
                                          ('"P0D"', "is nul")])
def test_bad_timer_durations_are_refused_at_deploy(env, tmp_path, value, words):
    folder = _process_with(tmp_path, '<bpmn:timeDuration>"P3D"</bpmn:timeDuration>',
                           f"<bpmn:timeDuration>{value}</bpmn:timeDuration>")
    out = _run(env, "processes", "deploy", str(folder))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1
    listed = _run(env, "processes", "list", "--json")
    assert listed.returncode == 0 and "voorbeeld" not in listed.stdout  # nothing deployed


def test_a_zero_cycle_is_refused(env, tmp_path):
    folder = _process_with(tmp_path, '<bpmn:timeCycle>"R/P3M"</bpmn:timeCycle>',
                           '<bpmn:timeCycle>"R/PT0S"</bpmn:timeCycle>')
    out = _run(env, "processes", "deploy", str(folder), "--json")
    assert out.returncode == 1 and "Traceback" not in out.stderr and "is nul" in out.stderr


def test_a_file_that_is_not_utf8(env, tmp_path):
    folder = _process_with(tmp_path, "<bpmn:", "<bpmn:")
    (folder / "voorbeeld" / "voorbeeld.bpmn").write_bytes(b"\xff\xfe<bpmn:definitions")
    out = _run(env, "processes", "deploy", str(folder))
    assert out.returncode == 1 and "Traceback" not in out.stderr and "UTF-8" in out.stderr


@pytest.mark.parametrize("args", [("case", "show", "bestaat-niet"), ("case", "replay", "x" * 500),
                                  ("task", "complete", "nope", "--user", "kees", "--data", "[1]"),
                                  ("timers", "fire", "--until", "morgen"),
                                  ("case", "start", "--municipality", "nergens", "--bsn", "1", "--name", "X",
                                   "--birthdate", "gisteren"),
                                  # the first and last moments of the calendar, which overflowed in Amsterdam time
                                  ("case", "start", "--municipality", "voorbeeldstad", "--bsn", "111222333",
                                   "--name", "X", "--birthdate", "1980-01-01", "--at", "0001-01-01"),
                                  ("timers", "fire", "--until", "0001-01-01T00:05"),
                                  ("timers", "fire", "--until", "9999-12-31T23:59:59-05:00")])
def test_failures_are_one_line(env, args):
    out = _run(env, *args)
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) <= 3
