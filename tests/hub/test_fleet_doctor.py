"""What `kiosk doctor` finds wrong reaches the fleet page: a real doctor run on a kiosk whose printer is
unplugged keeps its results, the next heartbeat carries them (checked against the API's schema), and the
supervisors' fleet page names the failing check beside the kiosk, with the snapshot it last took."""

from __future__ import annotations

import json
import time

from kiosk.cli import main
from kiosk.hub import stats
from kiosk.link.relay import heartbeat_payload
from kiosk.link.signing import sign
from kiosk.store import open_store


def test_doctors_findings_travel_with_the_heartbeat_to_the_fleet_page(office, tmp_path, monkeypatch, capsys):
    db = tmp_path / "kiosk.db"
    store = open_store(db)
    with store.transaction() as tx:
        store.set_meta(tx, "snapshot_applied_at", "2026-11-22T03:00:00+00:00")
    monkeypatch.setenv("MINGBAI_READER", "none")
    monkeypatch.setenv("MINGBAI_PRINTER", f"file:{tmp_path / 'unplugged' / 'lp0'}")
    assert main(["doctor", "--db", str(db), "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert {"check": "printer", "status": "fail"}.items() <= next(
        c for c in printed["checks"] if c["check"] == "printer"
    ).items()

    body = heartbeat_payload(store).encode()
    carried = json.loads(body)["doctor"]
    assert carried["healthy"] is False
    assert [p["check"] for p in carried["problems"] if p["status"] == "fail"] == ["printer"]

    client = office.client()
    secret = office.store.register_kiosk("kiosk-3", office.clock.now)
    headers = {
        "Content-Type": "application/json",
        **sign(
            kiosk_id="kiosk-3",
            secret=secret,
            method="POST",
            path="/api/v1/heartbeat",
            body=body,
            now=time.time(),
        ),
    }
    assert client.post("/api/v1/heartbeat", data=body, headers=headers).status_code == 200
    health = {k.kiosk_id: k for k in stats.fleet(office.store, office.clock.now)}["kiosk-3"]
    assert ("printer", "fail") in [p[:2] for p in health.problems]
    assert health.snapshot_at.startswith("2026-11-22")
    page = office.sign_in("admin").get("/office/fleet").get_data(as_text=True)
    row = page[page.index('data-kiosk="kiosk-3"') :][:3000]
    assert "printer 故障" in row and "is missing" in row


def test_a_healthy_doctor_says_so_and_a_printer_that_is_there_passes(tmp_path, monkeypatch, capsys):
    db = tmp_path / "kiosk.db"
    open_store(db).close()
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    monkeypatch.setenv("MINGBAI_READER", "none")
    monkeypatch.setenv("MINGBAI_PRINTER", f"file:{lp}")
    main(["doctor", "--db", str(db), "--json"])
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["printer"]["status"] == "ok"
    kept = json.loads(open_store(db).get_meta("doctor_results"))
    assert "printer" not in [p["check"] for p in kept["problems"]]
