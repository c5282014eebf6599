"""`kiosk provision` in a scratch root (the machine's own / is never touched): the first run installs the users,
the app, the units and timers, Chromium's policies, the journald drop-in and a private config template, and
enables the units with systemctl --root; a second run changes nothing — every path, mode, owner, byte and
symlink of the tree is the same — and says so. The Debian packages and the virtualenv are skipped here
(--skip-packages): the suite's own install is the check that they install."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.config import load_config

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def scratch_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        shutil.copy(f"/etc/{name}", root / "etc" / name)
    (root / "lib/systemd/system").mkdir(parents=True)
    (root / "lib/systemd/system/graphical.target").write_text("[Unit]\nDescription=Graphical Interface\n")
    (root / "etc/systemd/system/getty.target.wants").mkdir(parents=True)
    (root / "etc/systemd/system/getty.target.wants/getty@tty1.service").symlink_to(
        "/lib/systemd/system/getty@.service"
    )
    return root


def tree(root: Path) -> str:
    """Every path under `root` with its kind, mode, owner and bytes (or link target), hashed."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        status = path.lstat()
        digest.update(f"{path.relative_to(root)} {status.st_mode:o} {status.st_uid}:{status.st_gid}".encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def provision(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KIOSK, "provision", "--root", str(root), "--skip-packages"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )


def test_provisioning_twice_changes_nothing_the_second_time(tmp_path):
    root = scratch_root(tmp_path)
    first = provision(root)
    assert first.returncode == 0, first.stderr
    assert "changed: user mingbai" in first.stdout and "fill in /etc/mingbai/kiosk.toml" in first.stdout

    passwd = (root / "etc/passwd").read_text()
    assert "\nmingbai:" in passwd and "\nmingbai-screen:" in passwd
    for unit in ("mingbai-kiosk.service", "mingbai-browser.service", "mingbai-doctor.timer"):
        assert (root / "etc/systemd/system" / unit).is_file(), unit
    assert (root / "etc/systemd/system/multi-user.target.wants/mingbai-kiosk.service").is_symlink()
    assert (root / "etc/systemd/system/graphical.target.wants/mingbai-browser.service").is_symlink()
    assert (root / "etc/systemd/system/timers.target.wants/mingbai-snapshot.timer").is_symlink()
    assert not (root / "etc/systemd/system/getty.target.wants/getty@tty1.service").exists(), (
        "tty1 is the screen's"
    )
    assert os.readlink(root / "etc/systemd/system/default.target").endswith("graphical.target")
    policy = root / "etc/chromium/policies/managed/mingbai.json"
    assert (
        policy.read_bytes()
        == (Path(__file__).resolve().parents[2] / "deploy/chromium/mingbai.json").read_bytes()
    )
    assert "SystemMaxUse" in (root / "etc/systemd/journald.conf.d/mingbai.conf").read_text()
    config = (root / "etc/mingbai/kiosk.toml").lstat()
    assert stat.S_IMODE(config.st_mode) == 0o640 and config.st_uid == 0
    assert stat.S_IMODE((root / "var/lib/mingbai").lstat().st_mode) == 0o700
    template = load_config(
        {}, environ={}, config_file=root / "etc/mingbai/kiosk.toml"
    )  # a config the kiosk reads
    assert template.db_path == Path("/var/lib/mingbai/kiosk.db") and template.kiosk_id == "CHANGE-ME"
    assert (root / "opt/mingbai/app/kiosk/cli/provision.py").is_file()
    assert (root / "opt/mingbai/app/deploy/systemd/mingbai-kiosk.service").is_file()

    before = tree(root)
    second = provision(root)
    assert second.returncode == 0, second.stderr
    assert "nothing to change" in second.stdout and "changed:" not in second.stdout
    assert tree(root) == before


def test_a_technicians_config_is_kept_and_a_changed_unit_is_put_back(tmp_path):
    root = scratch_root(tmp_path)
    assert provision(root).returncode == 0
    config = root / "etc/mingbai/kiosk.toml"
    config.write_text('[kiosk]\nkiosk_id = "clinic-7"\n')
    unit = root / "etc/systemd/system/mingbai-kiosk.service"
    unit.write_text(unit.read_text().replace("NoNewPrivileges=yes", "NoNewPrivileges=no"))
    again = provision(root)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("changed:") == 1 and "mingbai-kiosk.service" in again.stdout
    assert "NoNewPrivileges=yes" in unit.read_text()
    assert config.read_text() == '[kiosk]\nkiosk_id = "clinic-7"\n', "never overwritten"
    assert "next: reboot" in again.stdout
