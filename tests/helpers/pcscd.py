"""The host's one pcscd, started and stopped by the tests by process id, never by name.

pcsc-lite listens on a fixed socket, so there is one pcscd per host. A pcscd already
running (a demo left on this machine) is stopped through the pid it wrote in its pid
file, and one is started again in the background when the suite is done, so the demo
gets its reader back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
PCSCD_PID = Path("/run/pcscd/pcscd.pid")
BINARY = shutil.which("pcscd") or "/usr/sbin/pcscd"


def _wait_for_socket(present: bool, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while PCSCD_SOCKET.exists() != present:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def running_pid() -> int | None:
    """The pid of a pcscd running now (from its pid file, checked against /proc), or None."""
    try:
        pid = int(PCSCD_PID.read_text().strip())
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return pid if name == "pcscd" else None


def stop_by_pid(pid: int) -> None:
    """Stop the pcscd with this pid and wait for its socket to go."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    _wait_for_socket(False, 10)


class Pcscd:
    """A pcscd of the tests' own (with vsmartcard's vpcd driver, as installed), by its process."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.displaced = False  # a pcscd was running before us: start one again at the end

    def take_over(self) -> None:
        """Stop a pcscd someone else started (by the pid in its pid file), then start ours."""
        other = running_pid()
        if other is not None:
            stop_by_pid(other)
            self.displaced = True
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [BINARY, "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not PCSCD_SOCKET.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("pcscd did not start (is another one running that we could not stop?)")
            time.sleep(0.02)
        time.sleep(0.2)  # vpcd's listening sockets come up just after pcscd's

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        _wait_for_socket(False, 5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def hand_back(self) -> None:
        """Stop ours; if we displaced a pcscd, start one in the background as it was."""
        self.stop()
        if self.displaced:
            subprocess.run([BINARY], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
