"""The screen's Chromium under the managed policies a kiosk ships (deploy/chromium/mingbai.json): it shows the
local kiosk app and refuses every other address and the developer tools. Checked in Debian's Chromium
through Playwright: the policy file is mounted at /etc/chromium/policies/managed in a private mount
namespace of the browser's own (unshare -m), so no other browser on this machine is touched. The same
navigation without the policies succeeds: the refusals are the policies' doing."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error, sync_playwright

from tests.helpers.kiosk_process import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

POLICY = Path(__file__).resolve().parents[2] / "deploy" / "chromium" / "mingbai.json"


@pytest.fixture
def stranger():  # type: ignore[no-untyped-def]
    """Another site on loopback, as the kiosk's network might offer one."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"<title>elsewhere</title>another site"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(virtual_kiosk):  # type: ignore[no-untyped-def]
    return virtual_kiosk


def managed_chromium(tmp_path: Path, port: int, *, without: tuple[str, ...] = ()) -> Path:
    """A launcher: Chromium with the shipped policy file in place (its kiosk port made the test kiosk's, and
    the policies named in `without` left out)."""
    policy = {k: v for k, v in json.loads(POLICY.read_text()).items() if k not in without}
    text = json.dumps(policy).replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    folder = tmp_path / ("policy-" + "-".join(without) if without else "policy")
    folder.mkdir()
    (folder / "mingbai.json").write_text(text)
    launcher = folder / "chromium-managed"
    launcher.write_text(
        "#!/bin/sh\n"
        "exec unshare -m --propagation private sh -c '"
        "mount -t tmpfs -o mode=0755 mingbai-policies /etc/chromium && "
        "mkdir -p /etc/chromium/policies/managed && "
        'cp "$0" /etc/chromium/policies/managed/mingbai.json && '
        f'exec {CHROMIUM} "$@"\' "{folder / "mingbai.json"}" "$@"\n'
    )
    launcher.chmod(0o700)
    return launcher


def test_without_the_policies_the_browser_goes_anywhere(stranger):
    with sync_playwright() as playwright:
        plain = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = plain.new_page()
        page.goto(stranger)
        assert page.title() == "elsewhere"
        session = plain.new_browser_cdp_session()
        target = session.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        assert session.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        plain.close()


def test_the_policies_keep_the_browser_on_the_kiosk_app(app, stranger, tmp_path):
    """Playwright drives pages through the DevTools protocol, which the shipped DeveloperToolsAvailability
    forbids (the next test): here the browser runs every other shipped policy."""
    launcher = managed_chromium(tmp_path, app.port, without=("DeveloperToolsAvailability",))
    with sync_playwright() as playwright:
        managed = playwright.chromium.launch_persistent_context(  # one profile, as the kiosk's screen has
            tmp_path / "profile", executable_path=str(launcher), args=CHROMIUM_ARGS, headless=True
        )
        page = managed.pages[0] if managed.pages else managed.new_page()
        page.goto(app.url + "/")
        assert page.locator("body").inner_text().strip(), "the kiosk's own screen is shown"
        for elsewhere in (
            stranger,
            "http://127.0.0.1:1/",
            "file:///etc/passwd",
            "chrome://settings/",
            "chrome://downloads/",
            "devtools://devtools/bundled/devtools_app.html",
        ):
            tab = managed.new_page()
            with pytest.raises(Error, match="ERR_BLOCKED_BY_ADMINISTRATOR"):
                tab.goto(elsewhere)
            tab.close()
        page.goto(app.url + "/healthz")  # every path of the kiosk's own address stays open
        assert '"kiosk_id"' in page.content()
        managed.close()


def test_the_policies_refuse_developer_tools(app, tmp_path):
    launcher = managed_chromium(tmp_path, app.port)
    with sync_playwright() as playwright:
        managed = playwright.chromium.launch(executable_path=str(launcher), args=CHROMIUM_ARGS, headless=True)
        session = managed.new_browser_cdp_session()
        target = session.send("Target.createTarget", {"url": app.url + "/"})["targetId"]
        with pytest.raises(Error, match="Not allowed"):
            session.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        managed.close()
