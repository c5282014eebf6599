"""systemd's watchdog, fed only while the kiosk answers. Under a unit with `Type=notify` and `WatchdogSec=`,
systemd sets NOTIFY_SOCKET and WATCHDOG_USEC; the kiosk then says READY=1 once its own `/healthz` answers,
and WATCHDOG=1 every half interval for as long as `/healthz` keeps answering 200 in time. An app whose
workers hang stops feeding it, and systemd restarts it (deploy/systemd/mingbai-kiosk.service). When a
snapshot has brought new rules (`rules_pending` in /healthz), the app ends itself at the first moment the
screen is idle, and systemd starts it again with them.

The notification protocol is one datagram per message on a Unix socket (sd_notify(3)); a dozen lines of
the standard library, so the kiosk needs no binding to libsystemd for it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import urllib.request
from collections.abc import Callable

from kiosk.config import systemd_watchdog

log = logging.getLogger(__name__)


def notify(message: str, *, socket_path: str | None = None) -> bool:
    """Send one sd_notify message; False when there is no socket to send it to (not under systemd)."""
    path = socket_path if socket_path is not None else systemd_watchdog()[0]
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path  # "@…": the abstract namespace
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        try:
            sender.sendto(message.encode(), address)
        except OSError as error:
            log.warning("sd_notify %s: %s", message, error)
            return False
    return True


def healthz(url: str, timeout: float) -> Callable[[], bool]:
    """A check that `url` answers 200 within `timeout` seconds."""

    def answers() -> bool:
        return _health(url, timeout) is not None

    return answers


def _health(url: str, timeout: float) -> dict | None:
    """/healthz's answer, or None when it does not answer 200 in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            if response.status != 200:
                return None
            answer = json.loads(response.read() or b"{}")
            return answer if isinstance(answer, dict) else {}
    except (OSError, ValueError):
        return None


def restart_for_rules(url: str, timeout: float) -> Callable[[], bool]:
    """True when a snapshot brought new rules and nobody is at the screen (no card, no helper): the moment
    to restart, so the rules apply without cutting a villager's session short."""

    def due() -> bool:
        answer = _health(url, timeout)
        return bool(answer and answer.get("rules_pending") and answer.get("terminal") == "idle")

    return due


class Watchdog(threading.Thread):
    """READY=1 once `healthy()` first holds, then WATCHDOG=1 every `interval` seconds it still does."""

    def __init__(
        self,
        healthy: Callable[[], bool],
        interval: float,
        *,
        socket_path: str | None = None,
        restart_due: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(name="watchdog", daemon=True)
        self.healthy = healthy
        self.interval = interval
        self.socket_path = socket_path
        self.restart_due = restart_due
        self.stopped = threading.Event()

    def run(self) -> None:
        ready = False
        while not self.stopped.is_set():
            if self.healthy():
                if not ready:
                    ready = notify("READY=1", socket_path=self.socket_path)
                notify("WATCHDOG=1", socket_path=self.socket_path)
                if ready and self.restart_due():
                    log.info("new rules from a snapshot and an idle screen: restarting to apply them")
                    notify("STOPPING=1", socket_path=self.socket_path)
                    os.kill(os.getpid(), signal.SIGTERM)  # Restart=always starts it again
                    return
            else:
                log.warning("the kiosk does not answer its own /healthz: the watchdog is not fed")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


def start_watchdog(port: int) -> Watchdog | None:
    """Under systemd's watchdog (WATCHDOG_USEC set), feed it from the kiosk's own /healthz; else nothing."""
    notify_socket, usec = systemd_watchdog()
    if not notify_socket or usec <= 0:
        return None
    interval = usec / 1_000_000 / 2  # twice within systemd's limit
    url = f"http://127.0.0.1:{port}/healthz"
    dog = Watchdog(
        healthz(url, timeout=interval),
        interval,
        socket_path=notify_socket,
        restart_due=restart_for_rules(url, timeout=interval),
    )
    dog.start()
    return dog
