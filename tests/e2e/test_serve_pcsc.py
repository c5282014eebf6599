"""A production `kiosk serve` process started before pcscd: it waits, then reads cards once pcscd is up."""

from __future__ import annotations

import shutil

from device.emulation.vcard import SsseApplet, VpcdCard
from kiosk.store import open_store
from tests.helpers.net import free_port
from tests.helpers.serve import serve_kiosk, wait_for


def test_kiosk_started_before_pcscd_reads_cards_once_it_is_up(demo_template, pcscd, tmp_path):
    shutil.copy(demo_template, tmp_path / "kiosk.db")
    card_holder = open_store(tmp_path / "kiosk.db").demo_cards()[0]
    pcscd.stop()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = serve_kiosk(tmp_path / "kiosk.db", port)
    card = VpcdCard(SsseApplet(card_holder.id_number, "王德明"), port=35964)
    try:
        down = wait_for(url, "unavailable")
        assert down["readers"] == "pcsc (Virtual PCD 00 01)"
        pcscd.start()
        wait_for(url, "idle")
        card.insert()
        wait_for(url, "ready")
        card.remove()
        wait_for(url, "idle")
    finally:
        card.remove()
        process.terminate()
        process.wait(timeout=10)
