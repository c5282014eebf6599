"""A throwaway PostgreSQL cluster on loopback: the test suite's hub database, and bench/hub.py's.

initdb into a temporary folder, pg_ctl start on a free port, trust authentication for the local user
`mingbai`; run as the `postgres` user when the caller is root (initdb refuses root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster on loopback; `settings` are extra `name=value` server settings."""

    def __init__(self, *settings: str) -> None:
        import glob
        import tempfile

        self.bindir = max(glob.glob("/usr/lib/postgresql/*/bin"))
        self.datadir = tempfile.mkdtemp(prefix="mingbai-pg-")
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            subprocess.run(["chown", "postgres:postgres", self.datadir], check=True)
        self._run(
            "initdb", "-D", self.datadir, "-U", "mingbai", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=on"
        options += "".join(f" -c {setting}" for setting in settings)
        self._run("pg_ctl", "-D", self.datadir, "-w", "-l", f"{self.datadir}/log", "-o", options, "start")

    def _run(self, tool: str, *args: str) -> None:
        command = [f"{self.bindir}/{tool}", *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        import uuid

        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"postgresql://mingbai@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://mingbai@127.0.0.1:{self.port}/{name}"

    def standby(self) -> Postgres:
        """A hot standby of this cluster, streaming its WAL (pg_basebackup -R), on a port of its own."""
        import tempfile

        replica = object.__new__(Postgres)
        replica.bindir, replica.as_postgres = self.bindir, self.as_postgres
        replica.datadir = tempfile.mkdtemp(prefix="mingbai-pg-standby-")
        replica.port = _free_port()
        if replica.as_postgres:
            subprocess.run(["chown", "postgres:postgres", replica.datadir], check=True)
        os.chmod(replica.datadir, 0o700)
        replica._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "mingbai",
            "-D",
            replica.datadir,
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",  # not a spread checkpoint, which could take minutes
        )
        options = f"-p {replica.port} -k {replica.datadir} -c listen_addresses=127.0.0.1 -c hot_standby=on"
        replica._run(
            "pg_ctl", "-D", replica.datadir, "-w", "-l", f"{replica.datadir}/log", "-o", options, "start"
        )
        return replica

    def restart(self) -> None:
        """A fast restart: every client connection is cut, as when the server is restarted or fails over."""
        self._run("pg_ctl", "-D", self.datadir, "-w", "-l", f"{self.datadir}/log", "-m", "fast", "restart")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.datadir, "-w", "-m", "fast", "stop")
        shutil.rmtree(self.datadir, ignore_errors=True)
