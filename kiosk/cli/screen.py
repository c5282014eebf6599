"""`kiosk screen -- COMMAND…`: run the kiosk's browser and restart it when it hangs or shows an error page.

Every kiosk page long-polls the app's terminal state, at least every 20 s; the app says in /healthz how long
its screen has been silent. A browser whose renderer hangs, or which shows its own error page (the app was
down when it loaded, a crash page), asks nothing. After a grace period from the start, a silence longer than
`--silent` seconds while the app itself answers ends the browser's whole process group, and `kiosk screen`
exits 1 so that systemd starts the unit again (deploy/systemd/mingbai-browser.service); a browser that exits
by itself is passed on the same way. An app that does not answer is not the browser's fault: the app's own
watchdog sees to it, and the browser is left alone.

This runs as the screen's user, who may not read the kiosk's config or store: it needs only the app's URL.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request

log = logging.getLogger(__name__)


def screen_silence(url: str, timeout: float = 3.0) -> tuple[bool, float | None]:
    """(the app answers, seconds its screen has been silent — None when no page asked since it started)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=timeout) as response:  # noqa: S310 - loopback
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError):
        return False, None
    silent = answer.get("screen_silent_seconds") if isinstance(answer, dict) else None
    return True, float(silent) if isinstance(silent, int | float) else None


def _end(child: subprocess.Popen, wait: float = 5.0) -> None:
    """TERM the browser's process group, then KILL whatever of it is left — a hung (or stopped) renderer
    does not act on TERM, and a crashed browser can leave its helpers behind."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=wait)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    child.wait()


def watch(command: list[str], *, url: str, silent_limit: float, grace: float, every: float) -> int:
    child = subprocess.Popen(command, start_new_session=True)  # its own group: all its processes end together
    started = time.monotonic()

    def stop(signum: int, frame: object) -> None:  # systemd stopping the unit: take the browser along
        _end(child)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            try:
                code = child.wait(timeout=every)
                print(f"kiosk screen: the browser exited ({code}): restart it", file=sys.stderr, flush=True)
                return code or 1
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - started < grace:
                continue
            answers, silent = screen_silence(url)
            if not answers:
                continue  # the app is down or restarting: its own watchdog's business
            if silent is None or silent > silent_limit:
                print(
                    "kiosk screen: no kiosk page has asked the app for "
                    + ("anything since it started" if silent is None else f"{silent:.0f} s")
                    + " (the browser hangs or shows an error page): restarting it",
                    file=sys.stderr,
                    flush=True,
                )
                _end(child)
                return 1
    finally:
        if child.poll() is None:
            _end(child)


def cmd_screen(args: argparse.Namespace) -> int:
    command = list(args.browser)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("kiosk screen: give the browser's command after --", file=sys.stderr)
        return 2
    return watch(command, url=args.url, silent_limit=args.silent, grace=args.grace, every=args.every)
