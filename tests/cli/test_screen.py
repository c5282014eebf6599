"""`kiosk screen`: the browser is watched through the app. Debian's headless Chromium on a real kiosk page
keeps asking the app and is left running; the same browser frozen (SIGSTOP, a hung renderer) or showing
its own error page (it loaded while the app was down) is ended, all its processes, and `kiosk screen`
exits 1 for systemd to start it again; a browser that exits by itself is passed on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.kiosk_process import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.net import free_port

KIOSK = str(Path(sys.executable).with_name("kiosk"))


@pytest.fixture
def app(virtual_kiosk):  # type: ignore[no-untyped-def]
    return virtual_kiosk


def screen(app_url: str, page_url: str, tmp_path: Path) -> subprocess.Popen:
    """`kiosk screen` over headless Chromium; its words (and the browser's) go to tmp_path/screen.log."""
    browser = [CHROMIUM, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}", page_url]
    watch = ["--url", app_url, "--silent", "4", "--grace", "4", "--every", "0.5"]
    with (tmp_path / "screen.log").open("w") as log:
        return subprocess.Popen(
            [KIOSK, "screen", *watch, "--", *browser], stderr=log, env={**os.environ, "MINGBAI_CONFIG": ""}
        )


def said(tmp_path: Path) -> str:
    lines = (tmp_path / "screen.log").read_text().splitlines()
    return "\n".join(line for line in lines if line.startswith("kiosk screen"))


def silent_seconds(url: str) -> float | None:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
        return json.loads(answer.read())["screen_silent_seconds"]


def test_a_live_page_keeps_its_browser_and_a_frozen_one_is_restarted(app, tmp_path):
    watcher = screen(app.url, app.url + "/", tmp_path)
    try:
        time.sleep(10)
        assert watcher.poll() is None, said(tmp_path)
        silent = silent_seconds(app.url)
        assert silent is not None and silent < 4, "the page long-polls the app"
        browser = subprocess.run(["pgrep", "-P", str(watcher.pid)], capture_output=True, text=True)
        group = os.getpgid(int(browser.stdout.split()[0]))
        os.killpg(group, signal.SIGSTOP)  # the browser hangs
        assert watcher.wait(timeout=30) == 1
        assert "restarting it" in said(tmp_path)
        deadline = time.monotonic() + 10
        while subprocess.run(["pgrep", "-g", str(group)], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "every process of the browser ends"
            time.sleep(0.2)
    finally:
        if watcher.poll() is None:
            watcher.kill()


def test_a_browser_showing_its_error_page_is_restarted(app, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/"  # the app was not up when the browser loaded
    watcher = screen(app.url, nowhere, tmp_path)
    assert watcher.wait(timeout=40) == 1
    assert "since it started" in said(tmp_path)


def test_a_browser_that_exits_is_passed_on(app):
    done = subprocess.run(
        [KIOSK, "screen", "--url", app.url, "--", "sh", "-c", "exit 3"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 3 and "the browser exited (3)" in done.stderr
    assert (
        subprocess.run([KIOSK, "screen", "--url", app.url], capture_output=True, timeout=30).returncode == 2
    )
