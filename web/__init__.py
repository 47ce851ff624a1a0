"""Werkpad's web layer (Flask). Built by :func:`create_app`; nothing happens at import."""
from __future__ import annotations

from flask import Flask, jsonify

from engine import Werkpad, WerkpadError


def create_app(werkpad: Werkpad | None = None, start_scheduler: bool = False, config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    wp = werkpad or Werkpad()
    app.extensions["werkpad"] = wp

    @app.errorhandler(WerkpadError)
    def _werkpad_error(exc: WerkpadError):
        status = {"not_found": 404, "validation": 422, "conflict": 409}.get(exc.code, 400)
        return jsonify(exc.to_dict()), status

    @app.get("/health")
    def health():
        return {"ok": True}

    if start_scheduler:
        from engine.scheduler import start_scheduler as _start

        _start(wp)
    return app
