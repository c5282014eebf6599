"""`kiosk staff add|list|disable` on an embedded kiosk's store; the PIN comes from standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def staff(tmp_path, *args, pin=""):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [KIOSK, "staff", *args, "--db", str(tmp_path / "k.db")],
        input=pin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )


def test_add_list_disable(tmp_path):
    added = staff(
        tmp_path,
        "add",
        "王芳",
        "--title",
        "卫生院工作人员",
        "--id-number",
        "11010519491231002X",
        pin="482915\n",
    )
    assert added.returncode == 0, added.stderr
    assert "482915" not in added.stdout + added.stderr
    listed = staff(tmp_path, "list")
    assert listed.stdout.split("\t")[:4] == ["王芳", "卫生院工作人员", "id badge", "active"]
    assert "11010519491231002X" not in listed.stdout
    assert staff(tmp_path, "disable", "王芳").returncode == 0
    assert "\tdisabled\t" in staff(tmp_path, "list").stdout
    assert staff(tmp_path, "disable", "王芳").returncode == 1


def test_a_weak_pin_or_two_badges_are_refused_plainly(tmp_path):
    weak = staff(tmp_path, "add", "王芳", "--chip", "04A1B2C3D4", pin="123456\n")
    assert weak.returncode == 1 and "密码太简单" in weak.stderr
    both = staff(
        tmp_path, "add", "王芳", "--chip", "04A1B2C3D4", "--id-number", "11010519491231002X", pin="482915\n"
    )
    assert both.returncode == 2 and "one of them" in both.stderr
