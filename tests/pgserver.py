"""Start a throw-away PostgreSQL server (Debian's packages) for the tests.

The server runs as the ``postgres`` user when the tests run as root (PostgreSQL
refuses to run as root), listens on 127.0.0.1 on a free port, trusts local
connections and is stopped when the test session ends.

For the tests it skips what makes a commit durable (fsync, synchronous commit, full page writes):
they never crash the server. ``durable=True`` keeps PostgreSQL's own settings, as production runs
it: the benchmarks (a completion's figures include waiting for its commit to reach the disk), the
fault runs and ``make cluster`` use it.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for cand in reversed(candidates):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.bin_dir = find_bin_dir()
        if self.bin_dir is None:
            raise RuntimeError("PostgreSQL niet gevonden (initdb); installeer het Debian-pakket 'postgresql'")
        self.root = Path(tempfile.mkdtemp(prefix="werkpad-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> PgServer:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", *([] if self.durable else ["--no-sync"]))
        conf = self.data / "postgresql.conf"
        with open(conf, "a") as fh:
            fh.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                     "max_connections = 200\n")
            if not self.durable:
                fh.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("PostgreSQL startte niet")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self, mode: str = "fast") -> None:
        """``pg_ctl restart -m MODE``: every connection is dropped; the port stays the same."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-m", mode,
                  "-w", "restart")
