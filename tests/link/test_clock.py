"""Clock skew, said rather than suffered: the kiosk reads the hub's Date header on every answer (a refusal
too), keeps the skew, sends it in its heartbeat, and `kiosk doctor` reports it (the hub's side:
tests/hub/test_clock.py)."""

from __future__ import annotations

import email.utils
import http.server
import json
import threading
import time

import pytest

from kiosk.cli import main
from kiosk.link.client import HubClient
from kiosk.link.relay import Relay, heartbeat_payload
from kiosk.store import open_store


class _AheadHub(http.server.BaseHTTPRequestHandler):
    """A hub whose clock is ten minutes ahead, answering every request 401 (as a real one would)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(401)
        self.send_header("Date", email.utils.formatdate(time.time() + 600, usegmt=True))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def date_time_string(self, timestamp: float | None = None) -> str:  # the Date send_response adds
        return email.utils.formatdate(time.time() + 600, usegmt=True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ahead_hub():  # type: ignore[no-untyped-def]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AheadHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_kiosk_reads_the_hubs_clock_keeps_the_skew_and_doctor_reports_it(
    ahead_hub, tmp_path, capsys, monkeypatch
):
    client = HubClient(ahead_hub, kiosk_id="k", secret="s")
    assert client.request("POST", "/api/v1/heartbeat", b"{}")[0] == 401
    assert client.clock_skew is not None and 595 <= client.clock_skew <= 605
    store = open_store(tmp_path / "kiosk.db")
    relay = Relay(tmp_path / "kiosk.db", hub_url=ahead_hub, kiosk_id="k", secret="s")
    assert relay.send_heartbeat() is False  # refused; but the kiosk now knows why
    assert 595 <= int(store.get_meta("clock_skew_seconds")) <= 605
    assert 595 <= json.loads(heartbeat_payload(store))["clock_skew_seconds"] <= 605
    monkeypatch.setenv("MINGBAI_READER", "none")
    assert main(["doctor", "--db", str(tmp_path / "kiosk.db"), "--json"]) == 1
    clock = next(c for c in json.loads(capsys.readouterr().out)["checks"] if c["check"] == "clock")
    assert (
        clock["status"] == "fail" and "behind the hub's clock" in clock["detail"] and "NTP" in clock["detail"]
    )
    store.close()
