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
    found = chain_break(case_id, events, last_seq, last_hash)
    return found["reason"] if found else None


# how the record was altered: the words an auditor reads
CHANGE_WORDS = {
    "edited": "gewijzigd",
    "deleted": "verwijderd",
    "inserted": "ingevoegd",
    "reordered": "van volgorde veranderd",
}


def snapshot_matches(ev: Any) -> bool:
    """An event's stored snapshot (when it has one) is the fingerprint its digest was made of."""
    text = getattr(ev, "snapshot", None)
    if not text:
        return True
    try:
        return bool(digest(json.loads(text)) == ev.digest)
    except ValueError:
        return False


def chain_break(case_id: str, events: Sequence[Any], last_seq: int, last_hash: str) -> dict[str, Any] | None:
    """The first break in a case's hash chain, named: ``{"change": edited|deleted|inserted|reordered,
    "event": seq, "reason": Dutch sentence}``; None when the chain holds.

    An edit leaves an event whose hash no longer covers its fields; a deletion leaves a gap or an
    event pointing to a hash that is gone; an insertion leaves the next event pointing past the
    inserted one; a reordering leaves an event pointing to a hash that is elsewhere in the list."""
    hashes = {ev.hash for ev in events}
    prev = GENESIS
    before_prev = None
    for index, ev in enumerate(events):
        expected_seq = index + 1
        nxt = events[index + 1] if index + 1 < len(events) else None
        if ev.seq != expected_seq:
            if ev.seq > expected_seq:
                return _break("deleted", expected_seq,
                              f"gebeurtenis {expected_seq} ontbreekt: zij is verwijderd")
            return _break("reordered", ev.seq, f"gebeurtenis {ev.seq} staat niet op haar plaats")
        if ev.prev_hash != prev:
            if before_prev is not None and ev.prev_hash == before_prev:
                return _break("inserted", ev.seq - 1,
                              f"gebeurtenis {ev.seq - 1} is ingevoegd: gebeurtenis {ev.seq} verwijst eroverheen")
            if ev.prev_hash in hashes:
                return _break("reordered", ev.seq,
                              f"gebeurtenis {ev.seq} staat niet op haar plaats: de volgorde is veranderd")
            return _break("deleted", ev.seq,
                          f"gebeurtenis {ev.seq} verwijst naar een gebeurtenis die er niet meer is: "
                          "er is een gebeurtenis verwijderd")
        recomputed = event_hash(prev, case_id, ev.seq, ev.type, ev.actor, ev.at, ev.recorded_at, ev.phase,
                                ev.payload, ev.digest)
        if recomputed != ev.hash:
            if nxt is not None and nxt.prev_hash == prev:
                return _break("inserted", ev.seq, f"gebeurtenis {ev.seq} ({_label(ev)}) is ingevoegd")
            return _break("edited", ev.seq, f"gebeurtenis {ev.seq} ({_label(ev)}) is gewijzigd")
        if not snapshot_matches(ev):
            return _break("edited", ev.seq,
                          f"gebeurtenis {ev.seq} ({_label(ev)}) is gewijzigd: de vastgelegde toestand past niet "
                          "bij haar vingerafdruk")
        before_prev, prev = prev, ev.hash
    if len(events) < last_seq:
        return _break("deleted", len(events) + 1,
                      f"de zaak verwacht {last_seq} gebeurtenissen, gevonden {len(events)}: het einde is afgeknipt")
    if len(events) > last_seq:
        return _break("inserted", last_seq + 1,
                      f"de zaak verwacht {last_seq} gebeurtenissen, gevonden {len(events)}: "
                      "er zijn gebeurtenissen toegevoegd")
    if prev != last_hash:
        return _break("edited", last_seq, "de laatste gebeurtenis past niet bij wat de zaak vastlegt: "
                                          "de geschiedenis is herschreven")
    return None


def _label(ev: Any) -> str:
    from .findings import EVENT_WORDS

    label: str = EVENT_WORDS.get(ev.type, ev.type)
    return label.lower()


def _break(change: str, seq: int, reason: str) -> dict[str, Any]:
    return {"change": change, "change_words": CHANGE_WORDS[change], "event": seq, "reason": reason}
