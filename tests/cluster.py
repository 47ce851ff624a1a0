"""A local Werkpad cluster in the production shape, for ``make cluster``, the fault tests
and ``bench/faults.py``.

One throw-away PostgreSQL server (:class:`tests.pgserver.PgServer`), one gunicorn
master with ``web_workers`` web processes (``werkpad serve --no-timers``: gunicorn's sync
workers, one request at a time per process, each connection closed after its answer) and
``timer_workers`` separate ``werkpad worker`` processes. Nothing coordinates them
but the database. Every process runs in its own session, so a Ctrl-C reaches only
the script that owns the cluster, which then stops everything in order.

The cluster supervises its timer workers the way systemd's ``Restart=always``
would (:meth:`Cluster.supervise`); gunicorn's master respawns web workers itself.
Everything listens on 127.0.0.1.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parent.parent
WERKPAD = str(Path(sys.executable).parent / "werkpad")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(p) for p in fh.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


class Api:
    """A JSON client for ``/api/v1``; a connection the server closed (a sync worker closes each one
    after its answer) or dropped is reopened on the next call."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Status and JSON body; raises OSError/HTTPException when no answer came back."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                              headers=self.headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:
            return response.status, {"raw": data[:200].decode(errors="replace")}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Cluster:
    def __init__(self, web_workers: int = 2, timer_workers: int = 2, port: int | None = None,
                 demo: bool = False, log_dir: Path | None = None, env: dict | None = None,
                 pg: PgServer | None = None, echo: bool = False, durable: bool = False) -> None:
        self.web_workers, self.timer_count = web_workers, timer_workers
        self.port = port or free_port()
        self.demo, self.echo = demo, echo
        self.log_dir = log_dir
        self.extra_env = env or {}
        self.pg = pg
        self.durable = durable  # PostgreSQL's own fsync and synchronous commit (tests/pgserver.py)
        self.own_pg = pg is None
        self.url = ""
        self.web: subprocess.Popen | None = None
        self.timers: list[subprocess.Popen | None] = []
        self.restarts = {"timer": 0}
        self._logs: list[IO] = []

    # ------------------------------------------------------------------ starting
    def start_database(self, name: str = "werkpad") -> str:
        if self.pg is None:
            self.pg = PgServer(durable=self.durable).start()
        self.url = self.pg.create_database(name)
        return self.url

    def env(self) -> dict:
        return {**os.environ, "DATABASE_URL": self.url, "PYTHONUNBUFFERED": "1", **self.extra_env}

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        if self.echo:
            proc = subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, start_new_session=True)
            threading.Thread(target=self._prefix, args=(name, proc), daemon=True).start()
            return proc
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = open(self.log_dir / f"{name}.log", "a")  # noqa: SIM115 - closed in stop()
            self._logs.append(log)
            return subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=log, stderr=log, start_new_session=True)
        return subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    @staticmethod
    def _prefix(name: str, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stderr.write(f"[{name:8}] {line}")

    def start_web(self, timeout: float = 120.0) -> None:
        args = [WERKPAD, "serve", "--workers", str(self.web_workers), "--no-timers",
                "--host", "127.0.0.1", "--port", str(self.port)] + (["--demo"] if self.demo else [])
        self.web = self._spawn("web", args)
        if not self.wait_healthy(timeout):
            raise RuntimeError("de webprocessen startten niet")
        deadline = time.monotonic() + 30  # all workers booted, not only the first
        while time.monotonic() < deadline and len(self.web_pids()) < self.web_workers:
            time.sleep(0.1)

    def start_timers(self) -> None:
        self.timers = [self._start_timer(i) for i in range(self.timer_count)]

    def _start_timer(self, i: int) -> subprocess.Popen:
        return self._spawn(f"timer-{i + 1}", [WERKPAD, "worker"])

    def start(self) -> Cluster:
        if not self.url:
            self.start_database()
        self.start_web()
        self.start_timers()
        return self

    # ------------------------------------------------------------------ looking
    def wait_healthy(self, timeout: float, path: str = "/health") -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                return False
            # closed whatever happens: while gunicorn boots, the kernel completes a connection in the
            # listening socket's backlog that no process answers yet, and the request times out
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        return False

    def web_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master, which is ``werkpad serve`` itself)."""
        return children(self.web.pid) if self.web is not None else []

    def timer_pids(self) -> list[int]:
        return [p.pid for p in self.timers if p is not None and p.poll() is None]

    # ------------------------------------------------------------------ faults
    def kill_web_worker(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def kill_timer_worker(self, i: int) -> None:
        proc = self.timers[i]
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def supervise(self) -> list[str]:
        """Restart timer workers that died (as systemd's Restart=always would); say what happened."""
        said = []
        for i, proc in enumerate(self.timers):
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                self.timers[i] = self._start_timer(i)
                self.restarts["timer"] += 1
                said.append(f"timer-worker {i + 1} gestopt (exitcode {code}); opnieuw gestart")
        return said

    def restart_database(self) -> None:
        assert self.pg is not None
        self.pg.restart("fast")

    # ------------------------------------------------------------------ stopping
    def stop(self) -> None:
        procs = [p for p in [*self.timers, self.web] if p is not None]
        for proc in procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        for log in self._logs:
            log.close()
        if self.own_pg and self.pg is not None:
            self.pg.stop()
