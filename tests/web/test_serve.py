"""`werkpad serve` runs gunicorn with several web processes and a timer worker beside it."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WERKPAD = str(Path(sys.executable).parent / "werkpad")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_serve_runs_gunicorn_workers_and_a_timer_worker(tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
           "WERKPAD_PSEUDONYM_SECRET": "test"}
    subprocess.run([WERKPAD, "processes", "deploy", "--only", "voorbeeld"], env=env, check=False,
                   capture_output=True)
    proc = subprocess.Popen([WERKPAD, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = _get(port, "/health")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert _get(port, "/inloggen")[0] == 200
        commands = subprocess.run(["ps", "-o", "args=", "-g", str(proc.pid)], capture_output=True, text=True).stdout
        assert commands.count("werkpad serve") >= 3, commands  # the gunicorn master and its 2 web workers
        assert "werkpad worker" in commands, commands  # the timer worker beside them
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "Traceback" not in out
    assert "gunicorn" in out and "Werkpad draait op" in out
