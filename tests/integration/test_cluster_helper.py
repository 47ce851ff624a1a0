"""The cluster helper itself (tests/cluster.py): waiting for the web processes leaves no socket
open, also while gunicorn is booting on a busy machine — the kernel completes the connection
in the listening socket's backlog, but no process answers it yet."""
from __future__ import annotations

import gc
import socket
import warnings

from tests.cluster import Cluster


def test_waiting_for_a_server_that_does_not_answer_yet_leaves_no_socket_open():
    listener = socket.socket()  # listens, never accepts: connections wait in the backlog unanswered
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            assert Cluster(port=listener.getsockname()[1]).wait_healthy(2.5) is False
            gc.collect()
        assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
    finally:
        listener.close()
