"""Per-address request limit for the JSON API, counted in this web process.

A fixed window per client address: cheap enough to sit in front of every API
request. With N web processes an address gets at most N times the limit; the
limits that must hold across processes (login attempts) live in the database
(``engine.ratelimit``).
"""
from __future__ import annotations

import threading
import time

from flask import current_app, jsonify, request


class WindowCounter:
    def __init__(self, window_seconds: float = 60.0, max_keys: int = 100_000) -> None:
        self.window = window_seconds
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._hits: dict[str, int] = {}

    def hit(self, key: str, limit: int) -> tuple[bool, int]:
        """Count a hit; (allowed, seconds until the window ends)."""
        with self._lock:
            now = time.monotonic()
            if now - self._start >= self.window or len(self._hits) > self.max_keys:
                self._start, self._hits = now, {}
            count = self._hits.get(key, 0) + 1
            self._hits[key] = count
            return count <= limit, max(1, int(self.window - (now - self._start)) + 1)


def install(app) -> None:
    counter = WindowCounter()
    app.extensions["werkpad_api_rate"] = counter

    @app.before_request
    def _limit_api():
        if request.blueprint != "api":
            return None
        limit = int(current_app.config.get("API_RATE_LIMIT", 1200))
        if limit <= 0:
            return None
        allowed, retry = counter.hit(request.remote_addr or "-", limit)
        if allowed:
            return None
        from .api_schemas import error_body

        response = jsonify(error_body("too_many_requests",
                                      f"Te veel verzoeken vanaf dit adres (meer dan {limit} per minuut)."))
        response.status_code = 429
        response.headers["Retry-After"] = str(retry)
        return response
