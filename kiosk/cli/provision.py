"""`kiosk provision`: turn a fresh Debian 12 touch PC into a locked kiosk, in one command that can be run again.

Run as root from a checkout (the README's "In the field"): it installs the Debian packages the kiosk needs,
the two system users (`mingbai` runs the app, `mingbai-screen` the browser), a copy of the app in
/opt/mingbai/app with its virtualenv, the systemd units and timers of deploy/systemd, Chromium's managed
policies, a journald drop-in that rotates the logs, and a config template (never overwritten); then it
enables the units and boots to the screen. Each step looks before it acts, so a second run changes nothing
and says so. `--root DIR` writes into a scratch tree instead of / (the suite's check; with `--skip-packages`
no package or virtualenv is installed). Then reboot.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

DPKG_QUERY, APT_GET, USERADD, SYSTEMCTL = (
    "/usr/bin/dpkg-query",
    "/usr/bin/apt-get",
    "/usr/sbin/useradd",
    "/usr/bin/systemctl",
)
SYSTEM_UNIT_DIRS = ("/lib/systemd/system", "/usr/lib/systemd/system")
PACKAGES = (
    "python3",
    "python3-venv",
    "pcscd",
    "libpcsclite-dev",
    "swig",
    "build-essential",
    "cage",
    "chromium",
    "fonts-noto-cjk",
    "espeak-ng",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
)
UNITS = (
    "mingbai-kiosk.service",
    "mingbai-browser.service",
    "mingbai-snapshot.service",
    "mingbai-snapshot.timer",
    "mingbai-doctor.service",
    "mingbai-doctor.timer",
)
ENABLED = (
    "mingbai-kiosk.service",
    "mingbai-browser.service",
    "mingbai-snapshot.timer",
    "mingbai-doctor.timer",
)
JOURNALD = """# Mingbai kiosk: the journal is kept on disk, rotated, and bounded (no log holds a full ID or card number).
[Journal]
Storage=persistent
SystemMaxUse=200M
SystemMaxFileSize=20M
MaxRetentionSec=90day
"""
CONFIG_TEMPLATE = """# Mingbai kiosk: this terminal's settings (README, "Configuration"). Written once by `kiosk provision`;
# it is yours now: provisioning again never overwrites it. Readable by root and the kiosk's user only.
[kiosk]
db_path = "/var/lib/mingbai/kiosk.db"   # the app, the snapshot and doctor units share it
kiosk_id = "CHANGE-ME"              # as registered at the hub: kiosk hub --register ID --township NAME
person_key_secret = ""               # the county's secret: the same on every kiosk and on the hub
township = ""                        # the township it stands in (its snapshot's)
hub_url = ""                         # e.g. https://hub.county.example
hub_secret = ""                      # from kiosk hub --register
hub_public_key = ""                  # from kiosk hub --snapshot-key
# printer = "usb:0x0416:0x5011"
"""


class Provisioner:
    """The steps, each idempotent; `changes` says what this run did."""

    def __init__(self, root: Path, *, source: Path, skip_packages: bool, config: Path | None) -> None:
        self.root = root
        self.source = source
        self.skip_packages = skip_packages
        self.config = config
        self.changes: list[str] = []

    def at(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def run(self) -> list[str]:
        self.packages()
        self.users()
        self.app()
        self.files()
        self.enable()
        return self.changes

    # -- packages and users ----------------------------------------------------------------------
    def packages(self) -> None:
        if self.skip_packages:
            return
        missing = [
            package
            for package in PACKAGES
            if "install ok installed"
            not in subprocess.run(
                [DPKG_QUERY, "-W", "-f=${Status}", package], capture_output=True, text=True
            ).stdout
        ]
        if missing:
            quiet = ["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", APT_GET]  # no questions asked
            subprocess.run([*quiet, "update", "-qq"], check=True)
            subprocess.run([*quiet, "install", "-y", "-qq", "--no-install-recommends", *missing], check=True)
            self.changes.append(f"installed {' '.join(missing)}")

    def _has_user(self, name: str) -> bool:
        passwd = self.at("/etc/passwd")
        return passwd.exists() and any(
            line.split(":", 1)[0] == name for line in passwd.read_text().splitlines()
        )

    def users(self) -> None:
        rooted = [] if self.root == Path("/") else ["--root", str(self.root)]
        known = {line.split(":", 1)[0] for line in self.at("/etc/group").read_text().splitlines()}
        for name, home, groups in (
            ("mingbai", "/var/lib/mingbai", ()),
            ("mingbai-screen", "/var/lib/mingbai-screen", ("video", "input", "render")),  # the seat's devices
        ):
            if self._has_user(name):
                continue
            present = [group for group in groups if group in known]
            subprocess.run(
                [
                    USERADD,
                    *rooted,
                    "--system",
                    "--home-dir",
                    home,
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    *(["--groups", ",".join(present)] if present else []),
                    name,
                ],
                check=True,
                capture_output=True,
            )
            self.changes.append(f"user {name}")

    def _ids(self, user: str) -> tuple[int, int]:
        for line in self.at("/etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == user:
                return int(fields[2]), int(fields[3])
        raise RuntimeError(f"no user {user}")

    # -- the app and its virtualenv ------------------------------------------------------------
    def _source_files(self) -> Iterator[str]:
        git = shutil.which("git")
        listed = (
            subprocess.run(
                [git, "-C", str(self.source), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                capture_output=True,
            )
            if git
            else None
        )
        if listed is not None and listed.returncode == 0:
            yield from sorted(name for name in listed.stdout.decode().split("\0") if name)
            return
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.source).as_posix()
            if (
                path.is_file()
                and not relative.startswith((".git/", ".venv/", "bench/out/"))
                and "__pycache__" not in relative
            ):
                yield relative

    def app(self) -> None:
        target = self.at("/opt/mingbai/app")
        wanted = set()
        changed = 0
        for name in self._source_files():
            origin = self.source / name
            if not origin.is_file():
                continue  # listed but deleted in the working tree
            wanted.add(name)
            changed += self._put(
                target / name, origin.read_bytes(), 0o755 if os.access(origin, os.X_OK) else 0o644, quiet=True
            )
        stale = (
            [p for p in target.rglob("*") if p.is_file() and p.relative_to(target).as_posix() not in wanted]
            if target.exists()
            else []
        )
        for path in stale:
            path.unlink()
        if changed or stale:
            self.changes.append(f"app in /opt/mingbai/app: {changed} files written, {len(stale)} removed")
        if self.skip_packages:
            return
        venv = self.at("/opt/mingbai/.venv")
        stamp = venv / ".mingbai-installed"
        fingerprint = hashlib.sha256(
            b"".join((target / name).read_bytes() for name in ("setup.cfg", "pyproject.toml"))
        ).hexdigest()
        if stamp.exists() and stamp.read_text() == fingerprint:
            return
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-e", str(target)], check=True)
        stamp.write_text(fingerprint)
        self.changes.append("virtualenv /opt/mingbai/.venv")

    # -- files -----------------------------------------------------------------------------------
    def _put(
        self, path: Path, data: bytes, mode: int, *, owner: tuple[int, int] | None = None, quiet: bool = False
    ) -> int:
        """Write `path` only if its bytes, mode or owner differ; 1 when something changed."""
        owner = owner or (0, 0)
        if path.exists():
            status = path.stat()
            if (
                path.read_bytes() == data
                and status.st_mode & 0o7777 == mode
                and (status.st_uid, status.st_gid) == owner
            ):
                return 0
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".mingbai-new")
        partial.write_bytes(data)
        os.chown(partial, *owner)
        partial.chmod(mode)
        partial.replace(path)
        if not quiet:
            self.changes.append(str(Path("/") / path.relative_to(self.root)))
        return 1

    def _directory(self, path: Path, mode: int, owner: tuple[int, int]) -> None:
        if path.is_dir():
            status = path.stat()
            if status.st_mode & 0o7777 == mode and (status.st_uid, status.st_gid) == owner:
                return
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, *owner)
        path.chmod(mode)
        self.changes.append(f"{Path('/') / path.relative_to(self.root)}/")

    def files(self) -> None:
        deploy = self.source / "deploy"
        for unit in UNITS:
            self._put(self.at(f"/etc/systemd/system/{unit}"), (deploy / "systemd" / unit).read_bytes(), 0o644)
        self._put(
            self.at("/etc/chromium/policies/managed/mingbai.json"),
            (deploy / "chromium" / "mingbai.json").read_bytes(),
            0o644,
        )
        self._put(self.at("/etc/systemd/journald.conf.d/mingbai.conf"), JOURNALD.encode(), 0o644)
        app_user = self._ids("mingbai")
        self._directory(self.at("/var/lib/mingbai"), 0o700, app_user)
        self._directory(self.at("/etc/mingbai"), 0o750, (0, app_user[1]))
        config = self.at("/etc/mingbai/kiosk.toml")
        if self.config is not None:
            self._put(config, self.config.read_bytes(), 0o640, owner=(0, app_user[1]))
        elif not config.exists():
            self._put(config, CONFIG_TEMPLATE.encode(), 0o640, owner=(0, app_user[1]))

    # -- units -----------------------------------------------------------------------------------
    def _systemctl(self, *args: str) -> subprocess.CompletedProcess:
        rooted = [] if self.root == Path("/") else [f"--root={self.root}"]
        return subprocess.run([SYSTEMCTL, *rooted, *args], capture_output=True, text=True)

    def enable(self) -> None:
        for unit in (*ENABLED, "pcscd.socket"):
            if unit == "pcscd.socket" and not any(
                self.at(f"{d}/pcscd.socket").exists() for d in SYSTEM_UNIT_DIRS
            ):
                continue  # pcscd not installed in this root (a scratch tree)
            if self._systemctl("is-enabled", unit).stdout.strip() != "enabled":
                done = self._systemctl("enable", unit)
                if done.returncode != 0:
                    raise RuntimeError(f"systemctl enable {unit}: {done.stderr.strip()}")
                self.changes.append(f"enabled {unit}")
        console = self.at("/etc/systemd/system/getty.target.wants/getty@tty1.service")
        if console.is_symlink():  # tty1 is the screen's
            self._systemctl("disable", "getty@tty1.service")
            self.changes.append("disabled getty@tty1.service")
        graphical = any(self.at(f"{d}/graphical.target").exists() for d in SYSTEM_UNIT_DIRS)
        if graphical and self._systemctl("get-default").stdout.strip() != "graphical.target":
            self._systemctl("set-default", "graphical.target")
            self.changes.append("boots to graphical.target")
        if self.changes and self.root == Path("/") and Path("/run/systemd/system").exists():
            subprocess.run([SYSTEMCTL, "daemon-reload"], check=False)


def cmd_provision(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if os.geteuid() != 0:
        print("kiosk provision: run it as root (it installs packages, users and units)", file=sys.stderr)
        return 2
    if not (args.source / "deploy" / "systemd").is_dir():
        print(
            f"kiosk provision: {args.source} is not a Mingbai checkout (no deploy/systemd)", file=sys.stderr
        )
        return 2
    if args.config is not None and not args.config.is_file():
        print(f"kiosk provision: no config file {args.config}", file=sys.stderr)
        return 2
    try:
        changes = Provisioner(
            root, source=args.source.resolve(), skip_packages=args.skip_packages, config=args.config
        ).run()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"kiosk provision: {error}", file=sys.stderr)
        return 1
    if not changes:
        print("kiosk provision: nothing to change: this machine is provisioned")
        return 0
    for change in changes:
        print(f"changed: {change}")
    config = root / "etc/mingbai/kiosk.toml"
    if "CHANGE-ME" in config.read_text():
        print(f"next: fill in {Path('/') / config.relative_to(root)}, then reboot")
    else:
        print("next: reboot; the kiosk starts by itself")
    return 0
