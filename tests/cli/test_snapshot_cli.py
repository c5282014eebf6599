"""The snapshot end to end through the commands a technician runs: a real `kiosk hub` on loopback publishes a
county of two townships; `kiosk snapshot pull` takes 明白镇's over the signed API (and a second pull finds
nothing new); `kiosk hub --snapshot … --out` writes the USB file and `kiosk snapshot load` takes it, while a
half-copied file is refused with exit 1 and the data kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store import open_store
from tests.helpers.hub import HubProcess
from tests.helpers.snapshot import LATE, two_townships

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def run(*args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINGBAI_CONFIG": str(config) if config else "", "MINGBAI_READER": "none"}
    return subprocess.run([KIOSK, *args], capture_output=True, text=True, timeout=180, env=env)


@pytest.fixture
def county_hub(tmp_path, demo_county):  # type: ignore[no-untyped-def]
    county, _ = two_townships(demo_county, tmp_path)
    county.close()
    db = str(tmp_path / "hub.db")
    assert run("hub", "--db", db, "--publish", str(tmp_path / "county.db"), "--skip-checks").returncode == 0
    secret = run("hub", "--db", db, "--register", "clinic-7", "--township", "明白镇").stdout.strip()
    loner = run("hub", "--db", db, "--register", "clinic-9").stdout.strip()
    key = run("hub", "--db", db, "--snapshot-key").stdout.strip()
    hub = HubProcess(db)
    hub.start()
    yield hub, secret, loner, key
    hub.stop()


def kiosk_toml(path: Path, *, hub_url: str, kiosk_id: str, secret: str, key: str, db: Path) -> Path:
    path.write_text(
        "[kiosk]\n"
        f'db_path = "{db}"\nkiosk_id = "{kiosk_id}"\nhub_url = "{hub_url}"\nhub_secret = "{secret}"\n'
        f'township = "明白镇"\nhub_public_key = "{key}"\n',
        encoding="utf-8",
    )
    return path


def test_pull_from_the_hub_then_nothing_new(county_hub, tmp_path):
    hub, secret, _, key = county_hub
    db = tmp_path / "kiosk.db"
    config = kiosk_toml(
        tmp_path / "k.toml", hub_url=hub.url, kiosk_id="clinic-7", secret=secret, key=key, db=db
    )
    first = run("snapshot", "pull", config=config)
    assert first.returncode == 0, first.stderr
    assert "took the snapshot of 明白镇" in first.stdout
    assert open_store(db).data_date() == LATE
    again = run("snapshot", "pull", config=config)
    assert again.returncode == 0, again.stderr
    assert "already has" in again.stdout


def test_a_kiosk_registered_without_a_township_is_told_why(county_hub, tmp_path):
    hub, _, loner, key = county_hub
    config = kiosk_toml(
        tmp_path / "k.toml", hub_url=hub.url, kiosk_id="clinic-9", secret=loner, key=key, db=tmp_path / "k.db"
    )
    done = run("snapshot", "pull", config=config)
    assert done.returncode == 1
    assert "registered without a township" in done.stderr


def test_the_usb_file_is_taken_and_a_half_copy_refused(county_hub, tmp_path):
    hub, secret, _, key = county_hub
    stick = tmp_path / "stick"
    stick.mkdir()
    made = run("hub", "--db", hub.db, "--snapshot", "明白镇", "--out", str(stick / "mingbai.mbsnap"))
    assert made.returncode == 0, made.stderr
    db = tmp_path / "kiosk.db"
    config = kiosk_toml(tmp_path / "k.toml", hub_url="", kiosk_id="clinic-7", secret="", key=key, db=db)
    whole = (stick / "mingbai.mbsnap").read_bytes()
    (stick / "half.mbsnap").write_bytes(whole[: len(whole) // 3])
    half = run("snapshot", "load", str(stick / "half.mbsnap"), config=config)
    assert half.returncode == 1
    assert "refused, the old data kept" in half.stderr and "incomplete" in half.stderr
    assert open_store(db).counts()["persons"] == 0
    loaded = run("snapshot", "load", str(stick / "mingbai.mbsnap"), config=config)
    assert loaded.returncode == 0, loaded.stderr
    assert open_store(db).data_date() == LATE
    assert run("snapshot", "load", str(stick / "missing.mbsnap"), config=config).returncode == 1
