"""Accounts and security use cases: organisations, users, roles, server-side
sessions and the access log. No Flask here; the web layer calls these.

Roles (per organisation):

* ``consultant`` — works tasks in one or more lanes (``inkomensconsulent``, ``werkconsulent``, …)
* ``teamleider`` — sees and works every task of the organisation, assigns tasks
* ``process_designer`` — deploys and inspects processes; no access to case data
* ``auditor`` — reads cases and the access log; changes nothing
* ``administrator`` — manages users and roles; no access to case data

Sessions: the browser holds a random token; the table keeps only its SHA-256.
A session ends after 30 minutes without activity or 12 hours after login,
at logout and when the user is blocked — checked on every request.

Blocking: an administrator of an organisation blocks a user *in that organisation*
(``block(..., organisation=...)``): the user loses that organisation's roles at once and
keeps the others; only when every organisation they belong to has blocked them can they
no longer log in. ``block`` without an organisation is the global block of the system
administrator (``werkpad users block``).

Every change to an account is also written to the account trail
(:mod:`engine.app.account_trail`) in the same transaction, with the acting person
(``actor``); never a password or a token.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update

from ..core import clock
from ..core.bsn import is_valid_rsin
from ..core.messages import Msg
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..storage.accounts_models import (
    AccessLogRow,
    ApiTokenRow,
    InboxSearchRow,
    MembershipRow,
    OrganisationBlockRow,
    OrganisationRow,
    TaskDraftRow,
    UserRow,
    WebSessionRow,
)
from . import account_trail
from .acting import Access, AccessLog, AccessNote, RequestContext
from .ratelimit import RateLimits

SYSTEM = "systeem"  # the actor of a change made without a person (demo data, scripts)

ROLES = ("consultant", "teamleider", "process_designer", "auditor", "administrator")
ROLE_LABELS = {
    "consultant": "Consulent",
    "teamleider": "Teamleider",
    "process_designer": "Procesontwerper",
    "auditor": "Auditor",
    "administrator": "Beheerder",
}
CASE_READERS = frozenset({"consultant", "teamleider", "auditor"})
CASE_WORKERS = frozenset({"consultant", "teamleider"})
ORGANISATION_KINDS = ("gemeente", "regionaal")
IDLE_TIMEOUT = timedelta(minutes=30)
SEARCH_TTL = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_INTERVAL = timedelta(seconds=30)
MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOGIN_PAUSE = timedelta(minutes=15)
LOGIN_ATTEMPTS_PER_IP = 30
LOGIN_WINDOW = timedelta(minutes=10)

_hasher = PasswordHasher()
_dummy: list[str] = []
# Bearer token -> principal, per process, for a few seconds: an API request then needs no
# token lookup of its own. Any account change made in this process empties it at once; a
# change made by another process (the CLI, another web worker) holds here within
# TOKEN_CACHE_SECONDS. 0 turns the cache off.
TOKEN_CACHE_SECONDS = 5.0
_token_cache: dict[tuple[str, str], tuple[float, Principal]] = {}
_token_lock = threading.Lock()


def forget_tokens() -> None:
    """Empty the token cache (after any change to users, roles or tokens)."""
    with _token_lock:
        _token_cache.clear()


def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same work either way);
    made on first use, not at import: the CLI must start fast."""
    if not _dummy:
        _dummy.append(_hasher.hash("werkpad-dummy-wachtwoord"))
    return _dummy[0]


@dataclass(frozen=True)
class Membership:
    organisation: str
    role: str
    lane: str = ""


@dataclass
class Principal:
    """The logged-in user and what they may do, per organisation."""

    user_id: int
    username: str
    display_name: str
    memberships: list[Membership] = field(default_factory=list)
    must_change_password: bool = False

    def roles(self, organisation: str | None = None) -> set[str]:
        return {m.role for m in self.memberships if organisation is None or m.organisation == organisation}

    def has_role(self, role: str, organisation: str | None = None) -> bool:
        return role in self.roles(organisation)

    @property
    def organisations(self) -> list[str]:
        return sorted({m.organisation for m in self.memberships})

    def case_organisations(self) -> list[str]:
        """Organisations whose cases this user may read."""
        return sorted({m.organisation for m in self.memberships if m.role in CASE_READERS})

    def work_organisations(self) -> list[str]:
        """Organisations whose tasks this user may claim and complete."""
        return sorted({m.organisation for m in self.memberships if m.role in CASE_WORKERS})

    def lanes(self, organisation: str) -> set[str]:
        return {m.lane for m in self.memberships
                if m.organisation == organisation and m.role == "consultant" and m.lane}

    def team_scope(self) -> dict[str, set[str] | None]:
        """Per organisation the lanes of 'my team' (None: every lane, for a teamleider)."""
        out: dict[str, set[str] | None] = {}
        for org in self.work_organisations():
            out[org] = None if self.has_role("teamleider", org) else self.lanes(org)
        return out

@dataclass
class SessionInfo:
    principal: Principal
    csrf_token: str
    created_at: datetime
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Use cases on accounts; takes a ``Werkpad`` (or anything with ``.db``)."""

    def __init__(self, werkpad, pseudonym_secret: bytes | str | None = None,
                 password_hasher: PasswordHasher | None = None) -> None:
        self.db = werkpad.db if hasattr(werkpad, "db") else werkpad
        self._hasher = password_hasher or _hasher
        self.access = AccessLog(self.db, pseudonym_secret)
        self.token_cache_seconds = TOKEN_CACHE_SECONDS
        self._limits = RateLimits(self.db)

    # ------------------------------------------------------------------ organisations
    def create_organisation(self, key: str, name: str, kind: str = "gemeente", rsin: str | None = None) -> dict:
        """Create or update an organisation. ``rsin`` (9 digits, 11-proef) is kept when not given."""
        key = (key or "").strip()
        errors: dict[str, list[str]] = {}
        if not key or len(key) > 64 or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
            errors["key"] = [Msg("Gebruik kleine letters, cijfers, _ en -.")]
        if kind not in ORGANISATION_KINDS:
            errors["kind"] = [Msg("Kies uit: %(keuzes)s.", keuzes=", ".join(ORGANISATION_KINDS))]
        if rsin is not None:
            rsin = "".join(c for c in rsin if not c.isspace() and c != ".")
            if not is_valid_rsin(rsin):
                errors["rsin"] = [Msg("Een RSIN heeft 9 cijfers en voldoet aan de elfproef.")]
        if errors:
            raise ValidationError(Msg("Ongeldige organisatie."), fields=errors)
        with self.db.unit_of_work() as uow:
            row = uow.session.get(OrganisationRow, key)
            if row is None:
                row = OrganisationRow(key=key, name=name or key, kind=kind, created_at=clock.now(), rsin=rsin)
                uow.session.add(row)
            else:
                row.name, row.kind = name or row.name, kind
                if rsin is not None:
                    row.rsin = rsin
            uow.commit()
            return {"key": row.key, "name": row.name, "kind": row.kind, "rsin": row.rsin}

    def list_organisations(self) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(OrganisationRow).order_by(OrganisationRow.key)).all()
            return [{"key": r.key, "name": r.name, "kind": r.kind} for r in rows]

    def organisation_names(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        with self.db.unit_of_work(write=False) as uow:
            query = select(OrganisationRow.key, OrganisationRow.name)
            if keys is not None:
                query = query.where(OrganisationRow.key.in_(list(keys)))
            return dict(uow.session.execute(query).all())

    # ------------------------------------------------------------------ users
    def create_user(self, username: str, password: str, display_name: str | None = None,
                    email: str | None = None, temporary: bool = False, *, actor: str = SYSTEM,
                    organisation: str | None = None, role: str | None = None, lane: str | None = None,
                    note: AccessNote | None = None) -> dict:
        """A new user; with ``organisation`` and ``role`` also their first role, in the same
        transaction (a user is never left without the role they were made for)."""
        username = (username or "").strip().lower()
        errors: dict[str, list[str]] = {}
        if not username or any(c.isspace() for c in username) or len(username) > 100:
            errors["username"] = [Msg("Gebruikersnaam is verplicht, zonder spaties.")]
        if len(password or "") < MIN_PASSWORD_LENGTH:
            errors["password"] = [Msg("Wachtwoord moet minstens %(aantal)s tekens hebben.",
                                      aantal=MIN_PASSWORD_LENGTH)]
        if errors:
            raise ValidationError(Msg("Ongeldige gebruiker."), fields=errors)
        if role is not None:
            lane = self._check_role(role, lane)
        now = clock.now()
        with self.db.unit_of_work() as uow:
            if uow.session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
                raise Conflict(Msg("gebruiker '%(username)s' bestaat al", username=username))
            row = UserRow(username=username, display_name=(display_name or username).strip(), email=email,
                          password_hash=self._hasher.hash(password), blocked=False, created_at=now,
                          password_changed_at=now, failed_logins=0, must_change_password=temporary)
            uow.session.add(row)
            uow.flush()
            account_trail.record(uow, actor=actor, action="gebruiker_aangemaakt", subject=username,
                                 organisation=organisation, details={"naam": row.display_name})
            if organisation and role:
                self._grant(uow, row, organisation, role, lane or "", actor)
            self._noted(uow, note, username)
            uow.commit()
            return self._user_dict(row, self._memberships(uow, row.id), self._blocked_in(uow, row.id))

    def set_password(self, username: str, password: str, temporary: bool = False, *, actor: str = SYSTEM,
                     note: AccessNote | None = None) -> None:
        """Set the password and end every session. ``temporary``: set by an administrator,
        the user must choose a new one at the next login."""
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise ValidationError(Msg("Ongeldig wachtwoord."),
                                  fields={"password": [Msg("Minstens %(aantal)s tekens.",
                                                           aantal=MIN_PASSWORD_LENGTH)]})
        with self.db.unit_of_work() as uow:
            row = self._user_row(uow, username)
            row.password_hash = self._hasher.hash(password)
            row.password_changed_at = clock.now()
            row.must_change_password = temporary
            self._end_sessions(uow, row.id, "wachtwoord_gewijzigd")
            own = actor == row.username
            account_trail.record(uow, actor=actor, action="wachtwoord_hersteld" if temporary else "wachtwoord_gewijzigd",
                                 subject=row.username, scopes=self._organisations_of(uow, row.id),
                                 details={"door_zichzelf": True} if own else None)
            self._noted(uow, note, row.username)
            uow.commit()
            forget_tokens()

    def reset_password(self, username: str, *, actor: str = SYSTEM, note: AccessNote | None = None) -> str:
        """A new temporary password (returned once, never stored in clear); sessions end and
        the user must change it at the next login."""
        password = temporary_password()
        self.set_password(username, password, temporary=True, actor=actor, note=note)
        return password

    def change_password(self, user_id: int, current: str, new: str, note: AccessNote | None = None) -> None:
        """The user's own change: the current password must match, the new one must differ.
        Other sessions end; the caller starts a fresh one."""
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(UserRow, user_id)
            if row is None:
                raise NotFound(Msg("gebruiker bestaat niet"))
            username, password_hash = row.username, row.password_hash
        if not self._check(password_hash, current or ""):
            raise ValidationError(Msg("Ongeldig wachtwoord."), fields={"huidig": [Msg("Het huidige wachtwoord klopt niet.")]})
        if current == new:
            raise ValidationError(Msg("Ongeldig wachtwoord."), fields={"password": [Msg("Kies een ander wachtwoord.")]})
        self.set_password(username, new, actor=username, note=note)

    def get_user(self, username: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            row = self._user_row(uow, username)
            return self._user_dict(row, self._memberships(uow, row.id), self._blocked_in(uow, row.id))

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """The names of these accounts, user name to name (an unknown account is left out)."""
        wanted = sorted({u for u in usernames if u})
        if not wanted:
            return {}
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(UserRow.username, UserRow.display_name)
                                       .where(UserRow.username.in_(wanted))).all()
            return {username: name for username, name in rows}

    def list_users(self, organisation: str | None = None) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            query = select(UserRow).order_by(UserRow.username)
            if organisation:
                query = query.where(UserRow.id.in_(select(MembershipRow.user_id)
                                                   .where(MembershipRow.organisation == organisation)))
            rows = uow.session.scalars(query).all()
            return [self._user_dict(r, self._memberships(uow, r.id), self._blocked_in(uow, r.id)) for r in rows]

    def colleagues(self, organisation: str, lane: str | None = None) -> list[dict]:
        """Unblocked users who may work a task of ``lane`` in ``organisation`` (to assign it to)."""
        with self.db.unit_of_work(write=False) as uow:
            fits = MembershipRow.role == "teamleider"
            if lane:
                fits = fits | ((MembershipRow.role == "consultant") & (MembershipRow.lane == lane))
            else:
                fits = fits | (MembershipRow.role == "consultant")
            rows = uow.session.execute(
                select(UserRow.username, UserRow.display_name).join(MembershipRow, MembershipRow.user_id == UserRow.id)
                .where(MembershipRow.organisation == organisation, fits, UserRow.blocked.is_(False),
                       ~select(OrganisationBlockRow.user_id).where(
                           OrganisationBlockRow.user_id == UserRow.id,
                           OrganisationBlockRow.organisation == organisation).exists())
                .distinct().order_by(UserRow.display_name, UserRow.username)).all()
            return [{"username": u, "display_name": d} for u, d in rows]

    @staticmethod
    def _check_role(role: str, lane: str | None) -> str:
        lane = (lane or "").strip()
        errors: dict[str, list[str]] = {}
        if role not in ROLES:
            errors["role"] = [Msg("Kies uit: %(keuzes)s.", keuzes=", ".join(ROLES))]
        if role == "consultant" and not lane:
            errors["lane"] = [Msg("Een consulent hoort bij een lane (bijvoorbeeld inkomensconsulent).")]
        if role != "consultant" and lane:
            errors["lane"] = [Msg("Alleen een consulent heeft een lane.")]
        if errors:
            raise ValidationError(Msg("Ongeldige rol."), fields=errors)
        return lane

    def grant(self, username: str, organisation: str, role: str, lane: str | None = None,
              granted_by: str = SYSTEM, note: AccessNote | None = None) -> dict:
        """Give ``username`` a role (a consultant: with a lane) in ``organisation``;
        ``granted_by`` is the acting person, recorded in the account trail."""
        lane = self._check_role(role, lane)
        with self.db.unit_of_work() as uow:
            user = self._user_row(uow, username)
            self._grant(uow, user, organisation, role, lane, granted_by)
            self._noted(uow, note, user.username)
            uow.commit()
            forget_tokens()
            return self._user_dict(user, self._memberships(uow, user.id), self._blocked_in(uow, user.id))

    def _grant(self, uow, user: UserRow, organisation: str, role: str, lane: str, actor: str) -> None:
        if uow.session.get(OrganisationRow, organisation) is None:
            raise NotFound(Msg("organisatie '%(organisation)s' bestaat niet", organisation=organisation))
        exists = uow.session.scalar(select(MembershipRow.id).where(
            MembershipRow.user_id == user.id, MembershipRow.organisation == organisation,
            MembershipRow.role == role, MembershipRow.lane == lane))
        if exists is None:
            uow.session.add(MembershipRow(user_id=user.id, organisation=organisation, role=role, lane=lane,
                                          granted_at=clock.now(), granted_by=actor))
            account_trail.record(uow, actor=actor, action="rol_toegekend", subject=user.username,
                                 organisation=organisation, details={"rol": role, "werkvoorraad": lane or None})

    def revoke(self, username: str, organisation: str, role: str, lane: str | None = None, *,
               actor: str = SYSTEM, note: AccessNote | None = None) -> dict:
        with self.db.unit_of_work() as uow:
            user = self._user_row(uow, username)
            rows = uow.session.scalars(select(MembershipRow).where(
                MembershipRow.user_id == user.id, MembershipRow.organisation == organisation,
                MembershipRow.role == role, MembershipRow.lane == (lane or ""))).all()
            if not rows:
                raise NotFound(Msg("%(username)s heeft die rol niet in %(organisation)s",
                                   username=username, organisation=organisation))
            for row in rows:
                uow.session.delete(row)
            account_trail.record(uow, actor=actor, action="rol_ingetrokken", subject=user.username,
                                 organisation=organisation, details={"rol": role, "werkvoorraad": lane or None})
            self._noted(uow, note, user.username)
            uow.commit()
            forget_tokens()
            return self._user_dict(user, self._memberships(uow, user.id), self._blocked_in(uow, user.id))

    def block(self, username: str, organisation: str | None = None, *, actor: str = SYSTEM,
              note: AccessNote | None = None) -> None:
        """Block the account. With ``organisation``: in that organisation only (its roles stop
        working at once, the others stay; sessions end when no organisation is left).
        Without: everywhere, and every session ends at once."""
        with self.db.unit_of_work() as uow:
            row = self._user_row(uow, username)
            now = clock.now()
            if organisation is None:
                row.blocked = True
                row.blocked_at = now
                self._end_sessions(uow, row.id, "geblokkeerd")
                account_trail.record(uow, actor=actor, action="geblokkeerd", subject=row.username,
                                     scopes=self._organisations_of(uow, row.id), details={"overal": True})
            else:
                if organisation not in self._organisations_of(uow, row.id):
                    raise NotFound(Msg("%(username)s hoort niet bij %(organisation)s",
                                       username=username, organisation=organisation))
                if uow.session.get(OrganisationBlockRow, (row.id, organisation)) is None:
                    uow.session.add(OrganisationBlockRow(user_id=row.id, organisation=organisation, blocked_at=now,
                                                         blocked_by=actor[:100]))
                    uow.flush()
                    account_trail.record(uow, actor=actor, action="geblokkeerd", subject=row.username,
                                         organisation=organisation)
                if not self._open_organisations(uow, row.id):
                    self._end_sessions(uow, row.id, "geblokkeerd")
            self._noted(uow, note, row.username)
            uow.commit()
            forget_tokens()

    def unblock(self, username: str, organisation: str | None = None, *, actor: str = SYSTEM,
                note: AccessNote | None = None) -> None:
        """Lift a block: in ``organisation``, or (without) the global block."""
        with self.db.unit_of_work() as uow:
            row = self._user_row(uow, username)
            if organisation is None:
                was = row.blocked
                row.blocked = False
                row.blocked_at = None
                row.failed_logins = 0
                row.last_failed_at = None
                if was:
                    account_trail.record(uow, actor=actor, action="blokkade_opgeheven", subject=row.username,
                                         scopes=self._organisations_of(uow, row.id), details={"overal": True})
            else:
                block = uow.session.get(OrganisationBlockRow, (row.id, organisation))
                if block is not None:
                    uow.session.delete(block)
                    account_trail.record(uow, actor=actor, action="blokkade_opgeheven", subject=row.username,
                                         organisation=organisation)
            self._noted(uow, note, row.username)
            uow.commit()
            forget_tokens()

    def person(self, username: str) -> Principal:
        """The named user as the acting principal, for a command that acts on their behalf
        without a login (the CLI's ``--user``). Unknown is NotFound, blocked is Forbidden:
        nobody acts as a user who could not log in."""
        with self.db.unit_of_work(write=False) as uow:
            row = self._user_row(uow, username)
            if row.blocked:
                raise Forbidden(Msg("gebruiker '%(username)s' is geblokkeerd", username=row.username))
            return self._principal(uow, row)

    def principal(self, user_id: int) -> Principal:
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(UserRow, user_id)
            if row is None:
                raise NotFound(Msg("gebruiker bestaat niet"))
            return self._principal(uow, row)

    # ------------------------------------------------------------------ login and sessions
    def authenticate(self, username: str, password: str, client_ip: str | None = None) -> Principal | None:
        """The user if the password matches and the account is not blocked; else None.

        After MAX_FAILED_LOGINS wrong passwords in a row *from one address* that address
        pauses for LOGIN_PAUSE on this account: even the right password is refused there
        (same answer, no hint). Other addresses — the user's own — are not paused, so
        knowing a user name is not enough to keep its owner out."""
        username = (username or "").strip().lower()
        failures_key = f"login-fail:{username[:100]}@{client_ip or '-'}"
        with self.db.unit_of_work() as uow:
            row = uow.session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                _verify(_dummy_hash(), password or "")  # same work whether or not the user exists
                return None
            now = clock.now()
            throttled = self._limits.count(failures_key, LOGIN_PAUSE, now) >= MAX_FAILED_LOGINS
            correct = self._check(row.password_hash, password or "")  # always: same work either way
            if throttled or not correct:
                row.failed_logins += 1
                row.last_failed_at = now
                uow.commit()
                if not throttled:
                    self._limits.hit(failures_key, MAX_FAILED_LOGINS, LOGIN_PAUSE, now)
                return None
            if row.blocked or self._locked_out(uow, row.id):
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            row.failed_logins = 0
            row.last_failed_at = None
            row.last_login_at = now
            principal = self._principal(uow, row)
            uow.commit()
        self._limits.reset(failures_key)
        return principal

    def allow_login_attempt(self, client_ip: str | None) -> bool:
        """At most LOGIN_ATTEMPTS_PER_IP attempts per address per LOGIN_WINDOW, whatever the account."""
        return self._limits.hit(f"login-ip:{client_ip or '-'}", LOGIN_ATTEMPTS_PER_IP, LOGIN_WINDOW)

    def start_session(self, user_id: int, client_ip: str | None = None, user_agent: str | None = None,
                      replaces: str | None = None) -> tuple[str, str]:
        """A fresh session for ``user_id``: returns (cookie token, csrf token).

        ``replaces`` is the token of a session the browser had before (ended, so
        that an id planted before login is never carried over).
        """
        now = clock.now()
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.db.unit_of_work() as uow:
            if replaces:
                old = uow.session.get(WebSessionRow, hash_token(replaces))
                if old is not None and old.ended_at is None:
                    old.ended_at, old.end_reason = now, "vervangen"
            uow.session.add(WebSessionRow(id=hash_token(token), user_id=user_id, csrf_token=csrf, created_at=now,
                                          last_seen_at=now, expires_at=now + ABSOLUTE_TIMEOUT,
                                          client_ip=(client_ip or "")[:64] or None,
                                          user_agent=(user_agent or "")[:300] or None))
            uow.commit()
        return token, csrf

    def load_session(self, token: str | None) -> SessionInfo | None:
        """The live session for a cookie token, or None (unknown, ended, expired or blocked)."""
        if not token or len(token) > 200:
            return None
        now = clock.now()
        key = hash_token(token)
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(WebSessionRow, key)
            if row is None or row.ended_at is not None:
                return None
            user = uow.session.get(UserRow, row.user_id)
            reason = None
            if user is None or user.blocked or self._locked_out(uow, user.id):
                reason = "geblokkeerd"
            elif now >= row.expires_at:
                reason = "absolute_time-out"
            elif now - row.last_seen_at >= IDLE_TIMEOUT:
                reason = "inactief"
            if reason is None:
                info = SessionInfo(self._principal(uow, user), row.csrf_token, row.created_at, row.expires_at)
                touch = now - row.last_seen_at >= TOUCH_INTERVAL
        if reason is not None:
            self._end_session_key(key, reason)
            return None
        if touch:
            with self.db.unit_of_work() as uow:
                uow.session.execute(update(WebSessionRow).where(WebSessionRow.id == key,
                                                                WebSessionRow.ended_at.is_(None))
                                    .values(last_seen_at=now))
                uow.commit()
        return info

    def end_session(self, token: str | None, reason: str = "uitgelogd") -> None:
        if token:
            self._end_session_key(hash_token(token), reason)

    def _end_session_key(self, key: str, reason: str) -> None:
        with self.db.unit_of_work() as uow:
            uow.session.execute(update(WebSessionRow).where(WebSessionRow.id == key, WebSessionRow.ended_at.is_(None))
                                .values(ended_at=clock.now(), end_reason=reason))
            uow.commit()

    def _end_sessions(self, uow, user_id: int, reason: str) -> None:
        uow.session.execute(update(WebSessionRow).where(WebSessionRow.user_id == user_id,
                                                        WebSessionRow.ended_at.is_(None))
                            .values(ended_at=clock.now(), end_reason=reason))

    # ------------------------------------------------------------------ API tokens
    def create_token(self, username: str, name: str = "api", valid_days: int | None = None, *,
                     actor: str = SYSTEM, note: AccessNote | None = None) -> dict:
        """A new bearer token for ``username``; the token itself is returned once and never stored."""
        token = "wp_" + secrets.token_urlsafe(32)
        now = clock.now()
        with self.db.unit_of_work() as uow:
            user = self._user_row(uow, username)
            row = ApiTokenRow(user_id=user.id, name=(name or "api")[:100], token_hash=hash_token(token),
                              created_at=now, expires_at=now + timedelta(days=valid_days) if valid_days else None)
            uow.session.add(row)
            uow.flush()
            account_trail.record(uow, actor=actor, action="token_uitgegeven", subject=user.username,
                                 scopes=self._organisations_of(uow, user.id),
                                 details={"token": row.id, "naam": row.name, "geldig_dagen": valid_days})
            self._noted(uow, note, user.username, token=row.id, naam=row.name)
            uow.commit()
            return {"id": row.id, "token": token, "name": row.name, "user": user.username,
                    "expires_at": row.expires_at.isoformat() if row.expires_at else None}

    def list_tokens(self, username: str) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            user = self._user_row(uow, username)
            rows = uow.session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == user.id)
                                       .order_by(ApiTokenRow.id)).all()
            return [{"id": r.id, "name": r.name, "created_at": r.created_at.isoformat(),
                     "expires_at": r.expires_at.isoformat() if r.expires_at else None,
                     "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
                     "revoked": r.revoked_at is not None} for r in rows]

    def revoke_token(self, username: str, token_id: int, *, actor: str = SYSTEM,
                     note: AccessNote | None = None) -> None:
        with self.db.unit_of_work() as uow:
            user = self._user_row(uow, username)
            row = uow.session.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user.id:
                raise NotFound(Msg("token %(token_id)s van %(username)s bestaat niet",
                                   token_id=token_id, username=username))
            if row.revoked_at is None:
                row.revoked_at = clock.now()
                account_trail.record(uow, actor=actor, action="token_ingetrokken", subject=user.username,
                                     scopes=self._organisations_of(uow, user.id),
                                     details={"token": row.id, "naam": row.name})
            self._noted(uow, note, user.username, token=token_id)
            uow.commit()
            forget_tokens()

    def save_search(self, user_id: int, text: str) -> str:
        """Keep an inbox search server-side; returns the random id the URL may carry."""
        search_id = secrets.token_urlsafe(12)
        now = clock.now()
        with self.db.unit_of_work() as uow:
            uow.session.execute(delete(InboxSearchRow).where(InboxSearchRow.user_id == user_id,
                                                             InboxSearchRow.created_at < now - SEARCH_TTL))
            uow.session.add(InboxSearchRow(id=search_id, user_id=user_id, text=text.strip()[:100], created_at=now))
            uow.commit()
        return search_id

    def load_search(self, user_id: int, search_id: str | None) -> str | None:
        """The text of one of this user's recent searches (None when unknown, foreign or stale)."""
        if not search_id or len(search_id) > 32:
            return None
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(InboxSearchRow, search_id)
            if row is None or row.user_id != user_id or row.created_at < clock.now() - SEARCH_TTL:
                return None
            return row.text

    def principal_for_token(self, token: str | None) -> Principal | None:
        """The user behind a live bearer token (not revoked, not expired, user not blocked).
        Kept per process for at most TOKEN_CACHE_SECONDS (see there); else two statements."""
        if not token or len(token) > 200:
            return None
        key = (str(self.db.url), hash_token(token))
        ttl = self.token_cache_seconds
        if ttl > 0:
            cached = _token_cache.get(key)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
        now = clock.now()
        with self.db.unit_of_work(write=False) as uow:
            found = uow.session.execute(
                select(ApiTokenRow.id, ApiTokenRow.expires_at, ApiTokenRow.last_used_at, UserRow)
                .join(UserRow, UserRow.id == ApiTokenRow.user_id)
                .where(ApiTokenRow.token_hash == key[1], ApiTokenRow.revoked_at.is_(None),
                       UserRow.blocked.is_(False))).first()
            if found is None:
                return None
            token_id, expires_at, last_used_at, user = found
            if (expires_at and now >= expires_at) or self._locked_out(uow, user.id):
                return None
            principal = self._principal(uow, user)
            touch = last_used_at is None or now - last_used_at >= timedelta(minutes=1)
        if touch:
            with self.db.unit_of_work() as uow:
                uow.session.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now))
                uow.commit()
        if ttl > 0:
            keep = ttl if expires_at is None else min(ttl, (expires_at - now).total_seconds())
            with _token_lock:
                if len(_token_cache) > 10_000:
                    _token_cache.clear()
                _token_cache[key] = (time.monotonic() + keep, principal)
        return principal

    # ------------------------------------------------------------------ drafts
    def save_draft(self, task_id: str, user_id: int, values: dict) -> None:
        with self.db.unit_of_work() as uow:
            row = uow.session.get(TaskDraftRow, (task_id, user_id))
            text = json.dumps(values, ensure_ascii=False)
            if row is None:
                uow.session.add(TaskDraftRow(task_id=task_id, user_id=user_id, data=text, saved_at=clock.now()))
            else:
                row.data, row.saved_at = text, clock.now()
            uow.commit()

    def get_draft(self, task_id: str, user_id: int) -> dict | None:
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(TaskDraftRow, (task_id, user_id))
            return {"values": json.loads(row.data), "saved_at": row.saved_at} if row else None

    def discard_drafts(self, task_id: str) -> None:
        with self.db.unit_of_work() as uow:
            uow.session.execute(delete(TaskDraftRow).where(TaskDraftRow.task_id == task_id))
            uow.commit()

    # ------------------------------------------------------------------ access log
    def pseudonymise(self, bsn: str | None) -> str | None:
        """The data subject id of the access log: HMAC-SHA256 of the BSN with the server secret."""
        return self.access.pseudonymise(bsn)

    def _noted(self, uow, note: AccessNote | None, target: str, **more) -> None:
        """The access-log row of an account command, in the command's own transaction."""
        if note is not None:
            uow.session.add(self.access.row(note.principal, note.context, "ok", Access(note.organisation),
                                            {**note.details, **more, "gebruiker": target}))

    def log_access(self, *, principal: Principal | None, operation: str, purpose: str,
                   processing_activity: str, status: str, trace_id: str, span_id: str,
                   started_at: datetime, organisation: str | None = None, case_id: str | None = None,
                   task_id: str | None = None, bsn: str | None = None, details: dict | None = None) -> None:
        """One access-log row in a transaction of its own (reads, refusals, account changes)."""
        context = RequestContext(operation, purpose, trace_id, span_id, started_at, processing_activity)
        self.access.write(principal, context, status, Access(organisation, case_id, task_id, bsn), details)

    def access_log(self, case_id: str | None = None, username: str | None = None, limit: int = 200,
                   organisations: list[str] | None = None, bsn: str | None = None) -> list[dict]:
        """Newest first. ``organisations`` limits to records about those organisations' cases;
        ``bsn`` finds the records of one data subject (through the pseudonym)."""
        with self.db.unit_of_work(write=False) as uow:
            query = select(AccessLogRow).order_by(AccessLogRow.id.desc()).limit(limit)
            if case_id:
                query = query.where(AccessLogRow.case_id == case_id)
            if username:
                query = query.where(AccessLogRow.username == username)
            if organisations is not None:
                query = query.where(AccessLogRow.organisation.in_(organisations))
            if bsn:
                query = query.where(AccessLogRow.data_subject_id == self.pseudonymise(bsn))
            return [{
                "trace_id": r.trace_id, "span_id": r.span_id, "operation": r.operation,
                "started_at": r.started_at.isoformat(), "ended_at": r.ended_at.isoformat(), "status": r.status,
                "user": r.username, "organisation": r.organisation, "case": r.case_id, "task": r.task_id,
                "purpose": r.purpose, "processing_activity": r.processing_activity,
                "data_subject_id": r.data_subject_id, "data_subject_id_type": r.data_subject_id_type,
            } for r in uow.session.scalars(query).all()]

    # ------------------------------------------------------------------ internals
    def _check(self, password_hash: str, password: str) -> bool:
        return _verify(password_hash, password)

    def _user_row(self, uow, username: str) -> UserRow:
        row = uow.session.scalar(select(UserRow).where(UserRow.username == (username or "").strip().lower()))
        if row is None:
            raise NotFound(Msg("gebruiker '%(username)s' bestaat niet", username=username))
        return row

    def _memberships(self, uow, user_id: int) -> list[Membership]:
        rows = uow.session.scalars(select(MembershipRow).where(MembershipRow.user_id == user_id)
                                   .order_by(MembershipRow.organisation, MembershipRow.role,
                                             MembershipRow.lane)).all()
        return [Membership(r.organisation, r.role, r.lane) for r in rows]

    def _blocked_in(self, uow, user_id: int) -> list[str]:
        """The organisations that blocked this user (membership-level blocks)."""
        return sorted(uow.session.scalars(select(OrganisationBlockRow.organisation)
                                          .where(OrganisationBlockRow.user_id == user_id)).all())

    def _organisations_of(self, uow, user_id: int) -> list[str]:
        return sorted(set(uow.session.scalars(select(MembershipRow.organisation)
                                              .where(MembershipRow.user_id == user_id)).all()))

    def _open_organisations(self, uow, user_id: int) -> list[str]:
        """The user's organisations that have not blocked them."""
        return sorted(set(self._organisations_of(uow, user_id)) - set(self._blocked_in(uow, user_id)))

    def _locked_out(self, uow, user_id: int) -> bool:
        """Every organisation the user belongs to has blocked them (a user without any
        organisation yet is not locked out: they may log in and change their password)."""
        blocked = self._blocked_in(uow, user_id)
        return bool(blocked) and not self._open_organisations(uow, user_id)

    def _principal(self, uow, row: UserRow) -> Principal:
        """The user with the roles that work: those of organisations that have not blocked them."""
        blocked = set(self._blocked_in(uow, row.id))
        memberships = [m for m in self._memberships(uow, row.id) if m.organisation not in blocked]
        return Principal(row.id, row.username, row.display_name, memberships, bool(row.must_change_password))

    @staticmethod
    def _user_dict(row: UserRow, memberships: list[Membership], blocked_in: list[str] | None = None) -> dict:
        return {"id": row.id, "username": row.username, "display_name": row.display_name, "email": row.email,
                "blocked": row.blocked, "blocked_in": list(blocked_in or []), "created_at": row.created_at.isoformat(),
                "must_change_password": bool(row.must_change_password),
                "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None,
                "roles": [{"organisation": m.organisation, "role": m.role, "lane": m.lane or None}
                          for m in memberships]}


def temporary_password() -> str:
    """A random one-time password an administrator hands over (20 characters, easy to read aloud)."""
    return "-".join(secrets.token_hex(3) for _ in range(3))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
