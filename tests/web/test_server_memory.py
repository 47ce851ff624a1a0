"""A gunicorn worker's app (web.server.application) settles its memory after start-up: what it
built is frozen out of the garbage collector's reach and the collector runs less often, so a
request does not pause for a full collection over the whole app (see web/server.py)."""
from __future__ import annotations

import gc

from web import server


def test_a_web_worker_freezes_what_it_built_and_collects_less_often(tmp_path):
    threshold = gc.get_threshold()
    try:
        gc.unfreeze()
        app = server.application(f"sqlite:///{tmp_path / 'werker.sqlite'}")
        assert app.extensions["werkpad"] is not None
        # the modules, the app and its definitions: tens of thousands of objects no collection visits
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == server.GC_THRESHOLDS
        assert server.GC_THRESHOLDS[0] > threshold[0]
        with app.test_client() as client:  # and it serves
            assert client.get("/health").get_json() == {"ok": True}
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
