"""Werkpad's web app (Flask), built by :func:`create_app`; nothing happens at import.

Server-rendered Dutch pages (Jinja2, Flask-Babel with ``nl`` as default). The
browser assets of the BPMN viewer are bundled from npm by ``npm ci`` into
``node_modules/.werkpad-vendor/`` and served under ``/vendor/``; so are the NL Design System
components and base tokens. The huisstijl comes from a token file per organisation (``/thema/``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request, send_from_directory
from flask_babel import Babel, gettext
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from engine import Werkpad, WerkpadError, clock
from engine.app.accounts import Accounts
from engine.app.acting import pseudonym_secret
from engine.errors import AccessLogUnavailable

from . import security
from .api_schemas import error_body as api_error_body
from .filters import register_filters
from .i18n import LANGUAGES, N_, install_fast_gettext, script_texts, select_locale, translate
from .json_answers import JsonAnswers

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "node_modules" / ".werkpad-vendor"
THEME_DIR = ROOT / "web" / "static" / "thema"
DEFAULT_THEME = "werkpad"
_THEME_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def theme_dirs(app: Flask) -> list[Path]:
    """Where theme files are looked up, first match wins: the instance folder's ``thema/`` (an
    organisation's own huisstijl, added without touching the code), then the shipped themes."""
    extra = app.config.get("THEME_DIR") or os.environ.get("WERKPAD_THEMA_DIR")
    dirs = [Path(extra)] if extra else []
    return [*dirs, Path(app.instance_path) / "thema", THEME_DIR]


def find_theme(app: Flask, name: str) -> Path | None:
    if not _THEME_NAME.fullmatch(name):
        return None
    for folder in theme_dirs(app):
        path = folder / f"{name}.css"
        if path.is_file():
            return path
    return None


def organisation_theme(app: Flask, organisations: list[str]) -> str | None:
    """The theme of the user's organisation, if it has a theme file. Someone working for several
    organisations (a regional auditor, say) keeps the neutral Werkpad theme."""
    if len(organisations) != 1 or organisations[0] == DEFAULT_THEME:
        return None
    return organisations[0] if find_theme(app, organisations[0]) else None


def _pseudonym_secret(app: Flask) -> bytes:
    """Server secret for pseudonymising BSNs in the access log: config, env, or a key file in instance/."""
    return pseudonym_secret(Path(app.instance_path), app.config.get("PSEUDONYM_SECRET"))


MAX_JSON_DEPTH = 64


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped), without parsing it;
    for a text with at most MAX_JSON_DEPTH opening brackets, their number (a bound that is never exceeded)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        # no deeper than the number of brackets that open: an ordinary body needs no walk byte by byte
        return body.count(b"[") + body.count(b"{")
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def create_app(werkpad: Werkpad | None = None, start_scheduler: bool = False, config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json = JsonAnswers(app)  # JSON answers with orjson, the same JSON (web/json_answers.py)
    app.config.update(
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE=clock.AMSTERDAM.key,
        SESSION_COOKIE_SECURE=None,  # None: Secure when the request came over HTTPS
        MAX_CONTENT_LENGTH=1024 * 1024,
        API_RATE_LIMIT=int(os.environ.get("WERKPAD_API_RATE_LIMIT", "1200")),
        INBOX_PER_PAGE=25,
    )
    app.config.update(config or {})
    wp = werkpad or Werkpad()
    app.extensions["werkpad"] = wp
    secret = _pseudonym_secret(app)
    app.extensions["werkpad_accounts"] = Accounts(wp, secret, app.config.get("PASSWORD_HASHER"))
    if hasattr(wp, "access_log"):  # the commands write their access-log rows with the same pseudonyms
        wp.access_log.set_secret(secret)
    Babel(app, locale_selector=select_locale, timezone_selector=lambda: clock.AMSTERDAM.key)
    install_fast_gettext(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    register_filters(app)
    security.init_app(app)

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .clienten import bp as clienten_bp
    from .designer import bp as designer_bp
    from .pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(clienten_bp)
    app.register_blueprint(designer_bp)

    @app.get("/vendor/<path:filename>", endpoint="vendor")
    def vendor(filename: str):
        return send_from_directory(VENDOR_DIR, filename, max_age=3600)

    @app.get("/thema/<name>.css", endpoint="thema")
    def thema(name: str):
        path = find_theme(app, name)
        if path is None:
            return ("", 404)
        return send_from_directory(path.parent, path.name, max_age=300, mimetype="text/css")

    @app.errorhandler(WerkpadError)
    def _werkpad_error(exc: WerkpadError):
        if isinstance(exc, AccessLogUnavailable):
            return _unavailable(exc.message, retry=False)
        status = {"not_found": 404, "validation": 422, "conflict": 409, "forbidden": 403}.get(exc.code, 400)
        if request.accept_mimetypes.best == "application/json":
            return jsonify({**exc.to_dict(), "message": translate(exc.message)}), status
        return render_template("fout.html", status=status, message=exc.message, hide_language=True), status

    def _unavailable(message: str, retry: bool = True):
        """503: nothing was done or shown; with Retry-After when trying again soon may help."""
        if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
            said = gettext(message)
            response = jsonify(api_error_body("unavailable", said) if request.path.startswith("/api/")
                               else {"error": "unavailable", "message": said})
        else:
            response = current_app.make_response(
                (render_template("fout.html", status=503, message=message, hide_language=True), 503))
        response.status_code = 503
        if retry:
            response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_away(exc: Exception):
        # the database restarted or dropped the connection: nothing was acknowledged, the pool
        # replaces the connection on the next request; say so instead of a bare 500
        current_app.logger.warning("database niet bereikbaar: %s", str(exc).splitlines()[0][:200])
        return _unavailable(N_("De database is even niet bereikbaar; probeer het zo opnieuw."))

    @app.errorhandler(SQLAlchemyError)
    def _database_refused(exc: Exception):
        # the database refused a statement (a constraint, a trigger, a permission): the command's
        # transaction was rolled back, nothing changed; not the user's fault, not a bare 500 either
        current_app.logger.error("database weigerde: %s", str(exc).splitlines()[0][:200])
        return _unavailable(N_("De database weigerde dit; er is niets veranderd. Probeer het later opnieuw of "
                               "meld het bij de beheerder."), retry=False)

    @app.errorhandler(500)  # by code: found before any blueprint's HTTPException handler
    def _server_error(exc: HTTPException):
        original = getattr(exc, "original_exception", None)
        # raised after the view, while writing its access-log rows: the view's answer is not sent
        if isinstance(original, OperationalError | InterfaceError):
            return _database_away(original)
        if isinstance(original, AccessLogUnavailable):
            return _unavailable(original.message, retry=False)
        if isinstance(original, SQLAlchemyError):
            return _database_refused(original)
        if request.blueprint == "api":
            return jsonify(api_error_body("error", "Interne fout.")), 500
        return _http_error(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"error": exc.name, "status": exc.code}), exc.code
        return render_template("fout.html", status=exc.code, message=None, hide_language=True,
                               csrf=exc.code == 403 and exc.description == "csrf"), exc.code

    from . import ratelimit

    ratelimit.install(app)

    @app.before_request
    def _refuse_deep_json():
        # Python's JSON parser recurses per level: refuse absurd nesting before it gets to parse
        if request.mimetype == "application/json" and request.content_length:
            depth = json_depth(request.get_data(cache=True))
            if depth > MAX_JSON_DEPTH:
                message = f"De JSON is dieper genest dan {MAX_JSON_DEPTH} niveaus."
                return jsonify(api_error_body("validation", message) if request.path.startswith("/api/")
                               else {"error": "validation", "message": message}), 400
        return None

    @app.get("/health")
    def health():
        return {"ok": True}

    @app.context_processor
    def _globals():
        user = security.current_user()
        return {"trace_id": g.get("trace_id"), "languages": LANGUAGES, "language": select_locale(),
                "org_theme": organisation_theme(app, user.organisations) if user else None,
                "script_texts": script_texts}

    if start_scheduler:
        from engine.worker import start_scheduler as _start

        _start(wp)
    return app
