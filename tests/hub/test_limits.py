"""Request size limits: a body too large is refused before it is read, by the API, by Flask and by waitress.

The red-team sent a 300 MiB body with a bogus signature and the hub's memory grew by 300 MiB: the
body was read before the signature was checked, and nothing bounded it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import socket

from kiosk.config import HubConfig
from kiosk.hub.app import MAX_BODY, create_hub_app
from kiosk.hub.context import parts
from kiosk.link import paths
from kiosk.link.signing import sign
from tests.helpers.hub import HubProcess

NOW = dt.datetime.now(dt.UTC)


def test_a_stranger_is_refused_on_its_headers_and_the_body_is_never_read(tmp_path, monkeypatch):
    app = create_hub_app(HubConfig(db_url=str(tmp_path / "hub.db"), escalate_every=0))
    read = []
    real_get_data = app.request_class.get_data

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(self.path)
        return real_get_data(self, *args, **kwargs)

    monkeypatch.setattr(app.request_class, "get_data", spy)
    client = app.test_client()
    body = b"x" * 1000
    unknown = client.post("/api/v1/complaints", data=body, headers={"X-Kiosk-Id": "nobody"})
    assert unknown.status_code == 401 and read == []
    secret = parts(app).store.register_kiosk("kiosk-1", NOW)
    stale = sign(
        kiosk_id="kiosk-1", secret=secret, method="POST", path="/api/v1/complaints", body=body, now=1.0
    )
    assert client.post("/api/v1/complaints", data=body, headers=stale).status_code == 401 and read == []


def test_a_signed_body_over_the_limit_is_413_before_its_signature_is_checked(tmp_path):
    app = create_hub_app(HubConfig(db_url=str(tmp_path / "hub.db"), escalate_every=0))
    secret = parts(app).store.register_kiosk("kiosk-1", NOW)
    big = b"{" + b" " * paths.MAX_BODY + b"}"
    headers = sign(kiosk_id="kiosk-1", secret=secret, method="POST", path="/api/v1/complaints", body=big)
    refused = app.test_client().post("/api/v1/complaints", data=big, headers=headers)
    assert refused.status_code == 413 and refused.json["error"].startswith("a kiosk request body is at most")
    form = app.test_client().post("/office/login", data={"name": "x", "password": "y" * (MAX_BODY + 1)})
    assert form.status_code == 413  # the back office's forms too


def test_waitress_refuses_a_huge_body_without_taking_it(tmp_path):
    hub = HubProcess(str(tmp_path / "hub.db"))
    hub.start()
    try:
        with socket.create_connection(("127.0.0.1", hub.port), timeout=10) as raw:
            raw.sendall(
                b"POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nX-Kiosk-Id: nobody\r\n"
                b"Content-Type: application/json\r\nContent-Length: 314572800\r\n\r\n"  # 300 MiB announced
            )
            raw.sendall(b"{" * 65536)  # a first piece only: waitress answers without waiting for the rest
            answer = raw.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413")
        health = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
        try:
            health.request("GET", "/healthz")
            assert health.getresponse().status == 200  # and it is still serving
        finally:
            health.close()
    finally:
        hub.stop()


ABSURD = [
    "/office/?page=99999999999999999999999",
    "/office/?page=-3&per_page=100000",
    "/office/?to=9999-12-31&from=0001-01-01",
    "/office/?from=2026-13-45",
    "/office/?q=" + "%" * 500,
    "/office/export.csv?to=9999-12-31",
    "/office/audit?page=99999999999999999999999",
    "/office/report?month=99999-99",
    "/office/complaints/99999999999999999999999",
    "/office/dashboard?month=0000-00",
]


def test_absurd_back_office_parameters_get_a_page_or_a_refusal_never_a_server_error(office):
    supervisor, auditor = office.sign_in("jiwei"), office.sign_in("shenji")
    for path in ABSURD:
        for client in (supervisor, auditor):
            status = client.get(path).status_code
            assert status < 500, f"{path}: {status}"
