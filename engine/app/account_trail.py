"""The account trail: every change to an account — a user created, a role or werkvoorraad
granted or revoked, an account blocked or unblocked (in one organisation or everywhere),
a password reset or changed, an API token issued or revoked — as one append-only,
hash-chained record, written by ``Accounts`` in the same transaction as the change.

A record says who acted, what they did, for whom, when and in which organisation.
It never holds a password, a token or a hash of either: details are names, roles,
werkvoorraden and token numbers only (``record`` refuses anything else).

The chain runs over the whole trail (one sequence): each record's hash covers its
content and the previous record's hash; a head row holds the last sequence number and
hash. :func:`verify_trail` recomputes it and names the first record that was changed,
removed, inserted or cut off at the end.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime

from sqlalchemy import exists, select

from ..core import clock
from ..storage.accounts_models import AccountEventRow, AccountEventScopeRow, AccountTrailHeadRow

GENESIS = "0" * 64
ACTIONS = {
    "gebruiker_aangemaakt": "Gebruiker aangemaakt",
    "rol_toegekend": "Rol toegekend",
    "rol_ingetrokken": "Rol ingetrokken",
    "geblokkeerd": "Geblokkeerd",
    "blokkade_opgeheven": "Blokkade opgeheven",
    "wachtwoord_hersteld": "Tijdelijk wachtwoord gemaakt",
    "wachtwoord_gewijzigd": "Wachtwoord gewijzigd",
    "token_uitgegeven": "API-token uitgegeven",
    "token_ingetrokken": "API-token ingetrokken",
}
# The only detail keys a record may carry: never a password or a token.
DETAIL_KEYS = frozenset({"rol", "werkvoorraad", "token", "naam", "geldig_dagen", "overal", "door_zichzelf"})
MAX_LIST = 500


def _canonical(seq: int, at: datetime, actor: str, action: str, subject: str, organisation: str | None,
               details: str, prev_hash: str) -> bytes:
    return json.dumps([seq, clock.to_utc(at).isoformat(),
                       actor, action, subject, organisation, details, prev_hash],
                      ensure_ascii=False, separators=(",", ":")).encode()


def _hash(seq: int, at: datetime, actor: str, action: str, subject: str, organisation: str | None,
          details: str, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(seq, at, actor, action, subject, organisation, details, prev_hash)).hexdigest()


def record(uow, *, actor: str, action: str, subject: str, organisation: str | None = None,
           scopes: Iterable[str] = (), details: dict | None = None) -> None:
    """Append one record inside the caller's unit of work (the change's own transaction).

    ``scopes``: the organisations whose auditors and administrators may read it (besides
    ``organisation``)."""
    if action not in ACTIONS:
        raise ValueError(f"onbekende accountwijziging {action!r}")
    details = {k: v for k, v in (details or {}).items() if v is not None}
    unknown = set(details) - DETAIL_KEYS
    if unknown:
        raise ValueError(f"niet toegestaan in het accountspoor: {sorted(unknown)}")
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    session = uow.session
    head = session.scalar(select(AccountTrailHeadRow).where(AccountTrailHeadRow.id == 1).with_for_update())
    if head is None:
        head = AccountTrailHeadRow(id=1, seq=0, hash=GENESIS)
        session.add(head)
    at = clock.now()
    seq, prev = head.seq + 1, head.hash
    digest = _hash(seq, at, actor, action, subject, organisation, text, prev)
    row = AccountEventRow(seq=seq, at=at, actor=(actor or "onbekend")[:100], action=action, subject=subject[:100],
                          organisation=organisation, details=text, prev_hash=prev, hash=digest)
    if row.actor != actor:  # the hash covers what is stored
        row.hash = _hash(seq, at, row.actor, action, row.subject, organisation, text, prev)
    session.add(row)
    session.flush()
    for org in sorted({*(s for s in scopes if s), *([organisation] if organisation else [])}):
        session.add(AccountEventScopeRow(event_id=row.id, organisation=org))
    head.seq, head.hash = seq, row.hash


def verify_trail(db, progress: Callable[[int], None] | None = None) -> dict:
    """Recompute the chain. ``{"ok", "records", "findings": [{"seq", "reason"}]}``; the
    first break is named (later records follow from a broken link and are not repeated)."""
    findings: list[dict] = []
    count = 0
    with db.unit_of_work(write=False) as uow:
        head = uow.session.get(AccountTrailHeadRow, 1)
        prev, expected = GENESIS, 1
        for row in uow.session.scalars(select(AccountEventRow).order_by(AccountEventRow.seq)).yield_per(1000):
            count += 1
            if progress is not None:
                progress(count)
            if findings:
                continue
            if row.seq != expected:
                findings.append({"seq": expected, "reason": f"wijziging {expected} ontbreekt (de volgende is {row.seq})"
                                 if row.seq > expected else f"wijziging {row.seq} staat er dubbel"})
            elif row.prev_hash != prev:
                findings.append({"seq": row.seq, "reason": f"wijziging {row.seq} sluit niet aan op de vorige"})
            elif _hash(row.seq, row.at, row.actor, row.action, row.subject, row.organisation, row.details,
                       row.prev_hash) != row.hash:
                findings.append({"seq": row.seq, "reason": f"wijziging {row.seq} is achteraf veranderd"})
            prev, expected = row.hash, row.seq + 1
        if not findings:
            last_seq = expected - 1
            if head is None and last_seq:
                findings.append({"seq": last_seq, "reason": "de kop van het accountspoor ontbreekt"})
            elif head is not None and (head.seq != last_seq or head.hash != prev):
                findings.append({"seq": last_seq + 1, "reason": f"het accountspoor is afgekapt: de kop noemt "
                                 f"wijziging {head.seq}, de laatste aanwezige is {last_seq}"})
    return {"ok": not findings, "records": count, "findings": findings}


def list_trail(db, organisations: list[str] | None, *, person: str | None = None, since: date | None = None,
               until: date | None = None, limit: int = MAX_LIST) -> list[dict]:
    """Newest first. ``organisations`` None: everything (system use); else the records in
    scope of those organisations. ``person`` matches the subject or the actor."""
    with db.unit_of_work(write=False) as uow:
        query = select(AccountEventRow).order_by(AccountEventRow.seq.desc()).limit(limit)
        if organisations is not None:
            query = query.where(exists().where(AccountEventScopeRow.event_id == AccountEventRow.id,
                                               AccountEventScopeRow.organisation.in_(sorted(organisations))))
        if person:
            name = person.strip().lower()
            query = query.where((AccountEventRow.subject == name) | (AccountEventRow.actor == name))
        if since:
            query = query.where(AccountEventRow.at >= clock.day_start(since))
        if until:
            query = query.where(AccountEventRow.at < clock.day_end(until))
        return [{"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action,
                 "action_label": ACTIONS.get(r.action, r.action), "subject": r.subject,
                 "organisation": r.organisation, "details": json.loads(r.details)}
                for r in uow.session.scalars(query).all()]

