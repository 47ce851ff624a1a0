"""The audit trail's hash chain.

Every event's hash covers its own fields and the previous event's hash, so an
edit, a deletion or a reordering anywhere in a case's history breaks the chain
from that point on. The case row keeps the newest hash and sequence number, so
cutting events off the end is detected too.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, case_id: str, seq: int, type_: str, actor: str, at: datetime,
               recorded_at: datetime, phase: str | None, payload: str, state_digest: str) -> str:
    body = canonical({
        "case": case_id, "seq": seq, "type": type_, "actor": actor, "at": at.isoformat(),
        "recorded_at": recorded_at.isoformat(), "phase": phase, "payload": payload, "digest": state_digest,
    })
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def check_chain(case_id: str, events: Sequence[Any], last_seq: int, last_hash: str) -> str | None:
    """Return a description of the first break, or None when the chain holds."""
    prev = GENESIS
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            return f"gebeurtenis {expected_seq} ontbreekt of staat niet op zijn plaats (gevonden: {ev.seq})"
        if ev.prev_hash != prev:
            return f"gebeurtenis {ev.seq}: verwijst niet naar de vorige gebeurtenis"
        recomputed = event_hash(prev, case_id, ev.seq, ev.type, ev.actor, ev.at, ev.recorded_at, ev.phase,
                                ev.payload, ev.digest)
        if recomputed != ev.hash:
            return f"gebeurtenis {ev.seq} ({ev.type}) is gewijzigd"
        prev = ev.hash
    if len(events) != last_seq or prev != last_hash:
        return f"de zaak verwacht {last_seq} gebeurtenissen, gevonden {len(events)}: het einde is afgeknipt"
    return None
