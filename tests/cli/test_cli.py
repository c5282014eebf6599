import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, load_config

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def test_help_lists_the_sub_commands():
    out = subprocess.run([KIOSK, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("demo", "serve", "doctor"):
        assert command in out


def test_doctor_on_an_empty_store_warns_and_on_a_bad_path_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MINGBAI_READER", "none")  # about the store, whether or not a pcscd runs
    assert main(["doctor", "--db", str(tmp_path / "new.db")]) == 0
    out = capsys.readouterr().out
    assert "policies   ok" in out and "store      WARN  no persons" in out
    (tmp_path / "dir.db").mkdir()
    assert main(["doctor", "--db", str(tmp_path / "dir.db")]) == 1
    assert "store      FAIL" in capsys.readouterr().out


def test_doctor_json_prints_the_same_checks_for_scripts(demo_county, tmp_path, capsys, monkeypatch):
    """`kiosk doctor --json`: every check with its status and detail — the version, the store, how old the
    ledger is, the disk — and whether all is well, as one JSON object."""
    import json
    import shutil

    monkeypatch.setenv("MINGBAI_READER", "none")
    shutil.copy(demo_county, tmp_path / "k.db")
    assert main(["doctor", "--db", str(tmp_path / "k.db"), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    checks = {c["check"]: c for c in answer["checks"]}
    assert answer["healthy"] is True and {"version", "policies", "store", "outbox", "data", "disk"} <= set(
        checks
    )
    assert all(c["status"] in ("ok", "warn", "fail") for c in answer["checks"])
    assert checks["data"]["status"] == "ok" and "ledger up to" in checks["data"]["detail"]
    monkeypatch.setenv("MINGBAI_TODAY", "2027-06-01")  # half a year on: the ledger is old
    assert main(["doctor", "--db", str(tmp_path / "k.db"), "--json"]) == 0
    later = {c["check"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert later["data"]["status"] == "warn" and "stale_after_days" in later["data"]["detail"]


def test_serve_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run(
            [KIOSK, "serve", "--db", str(tmp_path / "k.db"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "MINGBAI_CONFIG": "", "MINGBAI_PERSON_KEY_SECRET": "county secret"},
        )
    assert run.returncode == 2 and "cannot listen" in run.stderr and "Traceback" not in run.stderr


def test_serve_refuses_the_demo_person_key_secret(tmp_path):
    run = subprocess.run(
        [KIOSK, "serve", "--db", str(tmp_path / "k.db"), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MINGBAI_CONFIG": "", "MINGBAI_PERSON_KEY_SECRET": ""},
    )
    assert run.returncode == 2 and "person_key_secret is the demo value" in run.stderr


def test_files_the_kiosk_makes_are_private_and_doctor_names_loose_ones(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MINGBAI_READER", "none")
    db = tmp_path / "county" / "k.db"
    assert main(["doctor", "--db", str(db)]) == 0
    assert db.stat().st_mode & 0o777 == 0o600 and db.parent.stat().st_mode & 0o777 == 0o700
    out = capsys.readouterr().out
    assert (
        "files      WARN" not in out and "at-rest" in out
    )  # this test machine's disk is not encrypted: a WARN
    db.chmod(0o644)
    main(["doctor", "--db", str(db)])
    assert f"files      WARN  {db} can be read by others: chmod 600" in capsys.readouterr().out
    export = tmp_path / "export"
    assert main(["export", "--db", str(db), "--out", str(export)]) == 0
    assert all(f.stat().st_mode & 0o077 == 0 for f in export.iterdir()) and export.stat().st_mode & 0o077 == 0


def test_config_layers(tmp_path):
    file = tmp_path / "kiosk.toml"
    file.write_text('[kiosk]\nport = 9000\nidle_seconds = 120\nkiosk_id = "file"\n', encoding="utf-8")
    config = load_config({"kiosk_id": "flag"}, environ={"MINGBAI_IDLE_SECONDS": "100"}, config_file=file)
    assert (config.port, config.idle_seconds, config.kiosk_id) == (9000, 100, "flag")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kiosk]\nport = 'x'\n", "port"),
        ("[kiosk]\nnonsense = 1\n", "unknown settings"),
        ("[kiosk\n", "cannot read config file"),
    ],
)
def test_bad_config_is_named(tmp_path, text, message):
    file = tmp_path / "kiosk.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(environ={}, config_file=file)


def test_bad_config_from_the_command_line_is_a_clear_error(tmp_path, capsys):
    assert main(["doctor", "--db", str(tmp_path / "k.db"), "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read config file" in capsys.readouterr().err


def test_doctor_warns_about_the_demo_person_key_and_a_hub_without_a_secret(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MINGBAI_READER", "none")
    assert main(["doctor", "--db", str(tmp_path / "k.db")]) == 0
    assert "person_key_secret is the demo value" in capsys.readouterr().out
    monkeypatch.setenv("MINGBAI_HUB_URL", "http://127.0.0.1:9")
    assert main(["doctor", "--db", str(tmp_path / "k.db")]) == 1
    assert "hub_secret is empty" in capsys.readouterr().out


def test_hub_config_layers_share_the_kiosks_person_key(tmp_path):
    from kiosk.config import load_hub_config

    file = tmp_path / "mingbai.toml"
    file.write_text(
        '[kiosk]\nperson_key_secret = "county"\n[hub]\ndb_url = "hub.db"\nport = 9000\nsecure_cookie = true\n',
        encoding="utf-8",
    )
    config = load_hub_config({"threads": 3}, environ={"MINGBAI_HUB_PORT": "9100"}, config_file=file)
    assert (config.db_url, config.port, config.threads, config.secure_cookie) == ("hub.db", 9100, 3, True)
    assert config.person_key_secret == "county"
    assert load_config(environ={}, config_file=file).person_key_secret == "county"  # [hub] is not the kiosk's
    file.write_text("[hub]\nnonsense = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown settings"):
        load_hub_config(environ={}, config_file=file)


def test_a_hub_without_a_database_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.delenv("MINGBAI_HUB_DB", raising=False)
    monkeypatch.setenv("MINGBAI_CONFIG", "")
    assert main(["hub", "--register", "k1"]) == 2
    assert "the hub's database is not set" in capsys.readouterr().err


def test_complaints_export_is_the_hubs_export_under_another_name(tmp_path, capsys):
    import datetime as dt

    from kiosk.hub.store import HubStore
    from tests.helpers.hub import complaint_payload

    db = str(tmp_path / "hub.db")
    store = HubStore(db)
    store.register_kiosk("kiosk-1", dt.datetime.now(dt.UTC))
    store.receive_complaint("kiosk-1", complaint_payload(1), dt.datetime.now(dt.UTC))
    store.close()
    assert main(["hub", "--db", db, "--export", str(tmp_path / "a.csv")]) == 0
    assert main(["complaints", "export", "--db", db, "--format", "csv", "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.count("1 complaints →") == 2
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert "K7QM-0000-1" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
