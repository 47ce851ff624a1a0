"""Record a corpus of case histories for the replay-compatibility test.

    .venv/bin/python scripts/record_corpus.py [--cases-per-process 30] [--seed 7]

Every process under processes/ is deployed in a throw-away database and worked by a
seeded random consultant: cases start at random moments (with microseconds), open
tasks are completed with random valid form values, timers fire at their own due
times, now and then a message arrives. Each case's events and the exact definition
version it ran on are written to tests/corpus/ as JSON. CI replays every recorded
history (tests/integration/test_corpus.py): a change to the engine that would give an
existing case another outcome fails the build instead of surfacing in an audit.
Re-record only on purpose (a new process, a deliberate and announced change).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Werkpad, WerkpadError, clock  # noqa: E402
from engine.core.definitions import discover  # noqa: E402

OUT = ROOT / "tests" / "corpus"
FIRST_NAMES = ("Jan", "Fatima", "Piet", "Anouk", "Mohamed", "Sanne", "Bram", "Noor")


def _bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def _value(rng: random.Random, prop: dict, now: datetime) -> Any:
    kind = prop.get("type")
    if "enum" in prop:
        return rng.choice(prop["enum"])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "integer" or kind == "number":
        low = prop.get("minimum", 0)
        high = prop.get("maximum", low + 100)
        return rng.randint(int(low), int(high)) if kind == "integer" else round(rng.uniform(low, high), 1)
    if kind == "array":
        items = prop.get("items", {}).get("enum", [])
        if not items:
            return []
        count = rng.randint(max(prop.get("minItems", 0), 1 if prop.get("minItems") else 0), len(items))
        return rng.sample(items, count)
    if "pattern" in prop:
        import re

        for candidate in ("8911 AB", "8911AB", "1234", "A1", "123456789", "ja"):
            if re.fullmatch(prop["pattern"], candidate) or re.search(prop["pattern"], candidate):
                return candidate
    if prop.get("format") == "date":
        return clock.local_date(now + timedelta(days=rng.randint(-10, 60))).isoformat()
    return rng.choice(("akkoord", "besproken met cliënt", "zie dossier"))


def _fill(rng: random.Random, schema: dict, now: datetime) -> dict:
    required = set(schema.get("required", []))
    return {name: _value(rng, prop, now) for name, prop in schema.get("properties", {}).items()
            if name in required or rng.random() < 0.5}


def _work_case(wp: Werkpad, rng: random.Random, municipality: str, start: datetime, max_steps: int = 60) -> str:
    case = wp.start_case(municipality, _bsn(rng), rng.choice(FIRST_NAMES), f"{rng.randint(1960, 2006)}-0"
                         f"{rng.randint(1, 9)}-1{rng.randint(0, 9)}", at=start, actor="simulatie")
    cid, now = case["id"], start
    for _ in range(max_steps):
        case = wp.get_case(cid)
        if case["status"] in ("completed", "withdrawn", "error"):
            break
        now += timedelta(hours=rng.randint(1, 96), microseconds=rng.randint(0, 999_999))
        if case["tasks"] and rng.random() < 0.85:
            task = wp.get_task(rng.choice(case["tasks"])["id"])
            if rng.random() < 0.3:
                wp.claim_task(task["id"], "consulent", at=now)
            for _attempt in range(3):
                try:
                    wp.complete_task(task["id"], "consulent", _fill(rng, task["form"] or {}, now), at=now)
                    break
                except WerkpadError:
                    now += timedelta(seconds=1)
            continue
        only_messages = not case["tasks"] and not case["timers"]
        if case["waiting_for_messages"] and (only_messages or rng.random() < 0.05):
            name = rng.choice(case["waiting_for_messages"])
            try:
                wp.send_message(cid, name, {}, user="consulent", at=now)
            except WerkpadError:
                pass
            continue
        due = [clock.to_utc(t["due"]) for t in case["timers"]]
        if not due:
            break
        now = max(now, min(due))
        wp.fire_due_timers(now)
    return cid


def record(per_process: int, seed: int) -> None:
    rng = random.Random(seed)
    (OUT / "definitions").mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for old in (OUT / "definitions").glob("*.json"):
        old.unlink()
    total = 0
    keys = [b.key for b in discover(ROOT / "processes", ROOT / "forms")]
    with tempfile.TemporaryDirectory(prefix="werkpad-corpus-") as tmp:
        for key in keys:
            wp = Werkpad(f"sqlite:///{Path(tmp) / f'{key}.sqlite'}", ROOT / "processes", ROOT / "forms")
            wp.upgrade_db()
            wp.deploy(only=[key])
            shown = wp.show_process(key)
            cases = []
            for _ in range(per_process):
                start = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(
                    days=rng.randint(0, 900), seconds=rng.randint(0, 86399), microseconds=rng.randint(0, 999_999))
                cid = _work_case(wp, rng, rng.choice(shown["municipalities"]), start)
                history = wp.case_history(cid)
                version = history[0]["payload"]["version"]
                target = OUT / "definitions" / f"{version[:16]}.json"
                if not target.exists():
                    record_ = wp.definition_files(key, version)
                    target.write_text(json.dumps(record_, ensure_ascii=False, sort_keys=True), encoding="utf-8")
                final = wp.get_case(cid)
                cases.append({"case": cid, "status": final["status"], "events": history})
            wp.db.dispose()
            (OUT / f"{key}.json").write_text(json.dumps({"process": key, "cases": cases}, ensure_ascii=False,
                                                        indent=0, sort_keys=True), encoding="utf-8")
            total += len(cases)
            statuses: dict[str, int] = {}
            for c in cases:
                statuses[c["status"]] = statuses.get(c["status"], 0) + 1
            print(f"{key:18} {len(cases):4} zaken  {sum(len(c['events']) for c in cases):6} gebeurtenissen  "
                  + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"totaal {total} zaken in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases-per-process", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    record(args.cases_per_process, args.seed)
