"""`kiosk doctor` against a real pcscd + vpcd and a SAM reader on a pty: states, and masked traces."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from device.emulation.sam_emulator import SamEmulator
from device.emulation.vcard import PbocApplet, VpcdCard
from device.sam import IdCardText

KIOSK = str(Path(sys.executable).with_name("kiosk"))
ID = "11010519491231002X"
PAN = "6217990100000000123"


def doctor(tmp_path, *args, **env):
    environment = {**os.environ, "MINGBAI_CONFIG": "", **env}
    return subprocess.run(
        [KIOSK, "doctor", "--db", str(tmp_path / "k.db"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )


def test_doctor_lists_pcsc_readers_and_their_state(pcscd, tmp_path):
    run = doctor(tmp_path)
    assert "pcsc       ok    Virtual PCD 00 00: empty" in run.stdout
    assert "pcsc       ok    Virtual PCD 00 01: empty" in run.stdout


def test_doctor_says_when_pcscd_is_down(pcscd, tmp_path):
    pcscd.stop()
    try:
        run = doctor(tmp_path, MINGBAI_READER="pcsc")
        assert run.returncode == 1 and "no PC/SC service" in run.stdout
    finally:
        pcscd.start()


def test_trace_of_a_bank_card_is_masked(pcscd, tmp_path):
    card = VpcdCard(PbocApplet(PAN, holder_id=ID, name="WANG XIU YING"), port=35964)
    threading.Timer(1.0, card.insert).start()
    try:
        run = doctor(tmp_path, "--trace", "--trace-timeout", "15", MINGBAI_PCSC_READERS="Virtual PCD 00 01")
    finally:
        card.remove()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "outcome: read by profile pboc" in run.stdout
    assert ">> 00A404000E325041592E5359532E444446303100" in run.stdout  # SELECT PPSE, whole
    assert "9F61=**18 bytes**" in run.stdout and "5A=**10 bytes**" in run.stdout
    everything = run.stdout + run.stderr
    assert PAN not in everything and ID not in everything and "WANG" not in everything
    assert ID.encode().hex().upper() not in everything and PAN[:16] not in everything


def test_trace_and_probe_of_a_sam_reader(tmp_path):
    emulator = SamEmulator()
    try:
        emulator.card = IdCardText(
            "欧阳娜娜",
            "2",
            "01",
            dt.date(1949, 12, 31),
            "贵州省",
            ID,
            "示范县公安局",
            dt.date(2016, 5, 1),
            None,
        )
        run = doctor(
            tmp_path, "--trace", "--trace-timeout", "5", MINGBAI_SAM_PORT=emulator.path, MINGBAI_READER="none"
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"sam        ok    {emulator.path}: answers (card present)" in run.stdout
        assert (
            "<< SW3=90 data=**1284 bytes**" in run.stdout and "outcome: read by the SAM reader" in run.stdout
        )
        assert ID not in run.stdout + run.stderr and "欧阳" not in run.stdout + run.stderr
        emulator.mode = "silent"
        silent = doctor(tmp_path, MINGBAI_SAM_PORT=emulator.path, MINGBAI_READER="none")
        assert silent.returncode == 1 and re.search(r"sam\s+FAIL .*no answer", silent.stdout)
    finally:
        emulator.close()


def test_doctor_names_a_bad_chip_registry(tmp_path):
    registry = tmp_path / "chips.csv"
    registry.write_text("chip_serial,id_number\n0123456789ABCDEF,110105194912310021\n", encoding="utf-8")
    run = doctor(tmp_path, MINGBAI_CHIP_REGISTRY=str(registry), MINGBAI_READER="none")
    assert run.returncode == 1 and "row 2: 身份证号校验位错误" in run.stdout
