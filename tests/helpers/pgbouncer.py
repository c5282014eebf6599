"""PgBouncer in transaction mode in front of the suite's PostgreSQL: Debian's pgbouncer on a free loopback
port, a pool of one server connection per database (so any two clients share it, transaction by
transaction), started and stopped by process id. Run as the `postgres` user when the caller is root
(PgBouncer refuses root)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.helpers.net import free_port
from tests.helpers.pgserver import Postgres

PGBOUNCER = "/usr/sbin/pgbouncer"


class PgBouncer:
    def __init__(self, server: Postgres) -> None:
        self.server = server
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mingbai-pgbouncer-"))
        (self.folder / "users.txt").write_text('"mingbai" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "\n".join(
                [
                    "[databases]",
                    f"* = host=127.0.0.1 port={server.port}",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "auth_type = trust",
                    f"auth_file = {self.folder}/users.txt",
                    "pool_mode = transaction",
                    "default_pool_size = 1",
                    "max_client_conn = 200",
                    f"logfile = {self.folder}/pgbouncer.log",
                    f"pidfile = {self.folder}/pgbouncer.pid",
                    "ignore_startup_parameters = extra_float_digits,options",
                    "",
                ]
            )
        )
        command = [PGBOUNCER, str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            for child in self.folder.iterdir():
                shutil.chown(child, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()

    def _wait(self) -> None:
        import psycopg

        deadline = time.monotonic() + 20
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.folder / "pgbouncer.log"
                    said = log.read_text(errors="replace")[-2000:] if log.exists() else "no log"
                    raise RuntimeError(f"pgbouncer did not start: {said}") from None
                time.sleep(0.1)

    def url(self, database: str) -> str:
        return f"postgresql://mingbai@127.0.0.1:{self.port}/{database}"

    def behind(self, direct_url: str) -> str:
        """The same database's URL, through this PgBouncer."""
        return self.url(direct_url.rsplit("/", 1)[1])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)  # our own process (runuser passes it on), never by name
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
