"""Request security: server-side sessions, CSRF, security headers, trace ids,
login-required, and the access log of case and task views.

* The session cookie holds only a random token; the session itself (user,
  CSRF token, timeouts) lives in the database, so logout and blocking take
  effect on the next request.
* Every POST (PUT, PATCH, DELETE) needs the CSRF token: the session's token,
  or for the login form a double-submit token in a short-lived cookie.
* Content-Security-Policy allows scripts and styles from this origin only;
  pages contain no inline script.
"""
from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable
from functools import wraps

from flask import Response, abort, current_app, g, redirect, request, url_for
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from engine import clock
from engine.app.accounts import Accounts, Principal
from engine.app.acting import RequestContext
from engine.app.inbox import Inbox, Scope
from engine.errors import AccessLogUnavailable, NotFound

from .i18n import N_

SESSION_COOKIE = "werkpad_sessie"
LOGIN_COOKIE = "werkpad_login"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def accounts() -> Accounts:
    return current_app.extensions["werkpad_accounts"]


def current_user() -> Principal | None:
    return g.get("user")


def scope() -> Scope:
    return Scope.of(g.user)


def cookie_secure() -> bool:
    configured = current_app.config.get("SESSION_COOKIE_SECURE")
    return request.is_secure if configured is None else bool(configured)


def set_session_cookie(response: BaseResponse, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=cookie_secure(), path="/")


def clear_session_cookie(response: BaseResponse) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=cookie_secure())


def login_csrf_token() -> str:
    """The double-submit token of the login form (reused from the cookie when present)."""
    token = request.cookies.get(LOGIN_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    g.login_csrf_new = token
    return token


def csrf_token() -> str:
    session = g.get("session")
    return session.csrf_token if session else ""


def _begin_request() -> Response | None:
    g.started_at = clock.now()
    parent = _TRACEPARENT.match(request.headers.get("traceparent", ""))
    g.trace_id = parent.group(1) if parent else secrets.token_hex(16)
    g.span_id = secrets.token_hex(8)
    g.user = None
    g.session = None
    if request.endpoint in ("static", "vendor", "thema", "health"):
        return None
    if request.blueprint == "api":
        # Machine clients authenticate with a bearer token on every request. Cookies are
        # ignored here, so a browser cannot be tricked into API calls (no CSRF surface).
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            g.user = accounts().principal_for_token(auth[7:].strip())
        return None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        info = accounts().load_session(token)
        if info is not None:
            g.session = info
            g.user = info.principal
        else:
            g.clear_cookie = True
    if request.method in UNSAFE_METHODS:
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        if request.endpoint == "pages.inloggen":
            expected = request.cookies.get(LOGIN_COOKIE) or ""
        else:
            expected = g.session.csrf_token if g.session else ""
        if not expected or not sent or not hmac.compare_digest(expected, sent):
            abort(403, description="csrf")
    return None


def _finish_request(response: Response) -> Response:
    _write_access_log(response.status_code)
    headers = response.headers
    headers["Content-Security-Policy"] = g.get("csp") or CSP  # a page may add to it (web/designer.py)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint not in ("static", "vendor", "thema"):
        headers["Cache-Control"] = "no-store"
    if g.get("trace_id"):
        headers["X-Trace-Id"] = g.trace_id
    if g.get("clear_cookie") and not g.get("session_set"):
        clear_session_cookie(response)
    new_login = g.get("login_csrf_new")
    if new_login and new_login != request.cookies.get(LOGIN_COOKIE):
        response.set_cookie(LOGIN_COOKIE, new_login, httponly=True, samesite="Strict", secure=cookie_secure(),
                            path="/inloggen", max_age=3600)
    return response


def init_app(app) -> None:
    app.before_request(_begin_request)
    app.after_request(_finish_request)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_user"] = current_user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            if request.method == "GET":
                return redirect(url_for("pages.inloggen", volgende=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None, fallback: str) -> str:
    """Only local paths: never redirect to another site."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(c.isspace() or ord(c) < 32 for c in target)):
        return target
    return fallback


REFUSED = frozenset({403, 409, 422})


def log_access(*, operation: str, purpose: str, activity: str, status: str, organisation: str | None = None,
               case_id: str | None = None, task_id: str | None = None, bsn: str | None = None,
               organisations: Iterable[str] = ()) -> None:
    """Record an access; written when the response is known, so a refused action (403, 409, 422)
    is logged as 'geweigerd' even when it was recorded as 'ok' before the action ran.

    A read over several organisations (a search, a report, the log itself) names them in
    ``organisations``: one row per organisation, so each organisation's auditors find it in their
    log — a row without an organisation is in nobody's."""
    for org in ([organisation] if organisation or not organisations else sorted(set(organisations))):
        g.setdefault("access_records", []).append(dict(
            principal=g.get("user"), operation=operation, purpose=purpose, processing_activity=activity,
            status=status, trace_id=g.trace_id, span_id=g.span_id, started_at=g.started_at,
            organisation=org, case_id=case_id, task_id=task_id, bsn=bsn))


def request_context(operation: str, purpose: str) -> RequestContext:
    """This request's trace, span and start, for a command that writes its own access-log row."""
    return RequestContext(operation, purpose, g.trace_id, g.span_id, g.started_at, ACTIVITY)


def _write_access_log(status_code: int) -> None:
    """The request's access-log rows, after the view. No row, no data: if they cannot be written
    (a database refusing the insert), the answer is replaced by an error page and nothing that
    was read goes out (a database that is away is answered with 503 by web/app.py)."""
    for record in g.pop("access_records", []):
        if status_code in REFUSED and record["status"] == "ok":
            record["status"] = "geweigerd"
        try:
            accounts().log_access(**record)
        except (OperationalError, InterfaceError):
            raise
        except SQLAlchemyError as exc:
            current_app.logger.error("logboek dataverwerkingen niet bij te werken: %s",
                                     str(exc).splitlines()[0][:200])
            raise AccessLogUnavailable(ACCESS_LOG_CLOSED) from exc


ACCESS_LOG_CLOSED = N_("Het logboek dataverwerkingen kan nu niet worden bijgewerkt; daarom wordt niets getoond "
                       "of veranderd. Probeer het later opnieuw of meld het bij de beheerder.")


ACTIVITY = "uitvoering-participatiewet"  # = engine.app.acting.ACTIVITY


def case_header_logged(case_id: str, operation: str, purpose: str) -> dict:
    """The case's header if the user may see it, with an access-log record either way
    (a refused or unknown case is logged as 'niet_gevonden' and raises NotFound)."""
    try:
        header = Inbox(current_app.extensions["werkpad"]).case_header(scope(), case_id)
    except NotFound:
        log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="niet_gevonden",
                   case_id=case_id[:32])
        raise
    log_access(operation=operation, purpose=purpose, activity=ACTIVITY, status="ok",
               organisation=header["organisation"], case_id=case_id, bsn=header["bsn"])
    return header
