"""A clinic worker's badge and PIN, as both ends know them: the kiosk that signs them in and the hub
whose administrator creates their account.

A badge is known by a keyed hash (the county's person-key secret) of its ID number or chip serial, never
the number itself, so the hub can hand accounts to its kiosks without handing out ID numbers. A PIN is
6 to 8 digits and not a trivial one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from device.idnumber import IdNumberError, parse_id_number
from kiosk.core.i18n import N_

_PIN = re.compile(r"^\d{6,8}$")
BADGE_KINDS = ("id", "chip")


@dataclass  # not frozen: Python sets a raised exception's __traceback__
class StaffError(Exception):
    code: str  # unknown_badge | disabled | locked | wrong_pin | bad_pin | bad_badge | unknown | limit | …
    message_zh: str
    tries_left: int = 0

    def __str__(self) -> str:
        return self.message_zh


def badge_key(kind: str, value: str, secret: str) -> str:
    """The keyed hash a badge is known by: its ID number (checked) or its chip serial (hex, any case)."""
    if kind == "id":
        try:
            text = parse_id_number(value).value
        except IdNumberError as error:
            raise StaffError("bad_badge", N_("身份证号不对")) from error
    elif kind == "chip":
        text = value.strip().upper()
        if not re.fullmatch(r"[0-9A-F]{8,32}", text):
            raise StaffError("bad_badge", N_("芯片序列号应为8到32位十六进制数"))
    else:
        raise StaffError("bad_badge", N_("胸卡只能是身份证或芯片卡"))
    return hmac.new(secret.encode(), f"staff-badge:{kind}:{text}".encode(), hashlib.sha256).hexdigest()


def check_pin(pin: str) -> str:
    """A PIN is 6 to 8 digits, not one digit repeated and not a plain run (123456, 654321)."""
    if not _PIN.match(pin):
        raise StaffError("bad_pin", N_("密码应为6到8位数字"))
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {-1}):
        raise StaffError("bad_pin", N_("密码太简单：不要用同一个数字或连续的数字"))
    return pin


def shown_name(name: str) -> str:
    """王芳 → 王*, 欧阳明华 → 欧***: a name on an open screen, recognisable to its owner only."""
    return name[:1] + "*" * max(1, len(name) - 1)
