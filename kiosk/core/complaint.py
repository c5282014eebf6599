"""The complaint's vocabulary, shared by the kiosk that files it and the hub that handles it.

Categories and their words, tracking numbers (with a check symbol a clerk can verify by
eye), the keyed person hash that stands for an ID number, the phone check, and the
words a villager sees for a reply. Pure: nothing here stores or sends anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from kiosk.core.i18n import N_

CATEGORIES: dict[str, tuple[str, str]] = {  # code → (words, icon)
    "not_received": (N_("没收到"), "✖"),
    "wrong_amount": (N_("钱数不对"), "≠"),
    "removed": (N_("被取消了"), "⊘"),
    "impersonated": (N_("有人冒领"), "⚠"),
    "should_qualify": (N_("应该有但没有"), "？"),
    "other": (N_("其他"), "…"),
    "disclosure_objection": (N_("对公示有异议"), "!"),
    "check_finding": (N_("监督检查发现"), "⚑"),
}
OBJECTION = "disclosure_objection"  # filed from 村务公开 about a disclosed household, not about oneself
FINDING = "check_finding"  # a supervision check's finding, opened as a case at the hub (kiosk.hub.findings)
ABOUT_ONESELF = {  # what a villager may choose to report about their own record
    code: words for code, words in CATEGORIES.items() if code not in (OBJECTION, FINDING)
}
OBJECTION_REASONS: dict[str, str] = {  # why a villager objects to a disclosed household (optional)
    "better_off": N_("家庭条件好（有车、有房、有生意）"),
    "relative": N_("是干部或其亲属"),
    "not_here": N_("不在本村生活"),
    "deceased": N_("已去世"),
    "other": N_("其他原因"),
}
REPLY_WORDS = {
    "interim": N_("阶段性答复"),
    "final": N_("答复"),
}  # reply kind → what the villager reads above it
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, no 1/I
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")  # a mobile, or a landline with its area code


class ComplaintError(ValueError):
    """Raised when a complaint cannot be filed or withdrawn; `message_zh` is for the villager."""

    def __init__(self, reason: str, message_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_zh = message_zh


def category_words(code: str) -> str:
    """The words for a category code; an unknown code is shown as it is rather than hidden."""
    return CATEGORIES.get(code, (code, ""))[0]


def reply_words(kind: str | None) -> str:
    return REPLY_WORDS["interim"] if kind == "interim" else REPLY_WORDS["final"]


def _check_symbol(body: str) -> str:
    """Luhn mod 32: catches any single wrong symbol and most swapped neighbours."""
    n = len(TRACKING_ALPHABET)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * TRACKING_ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return TRACKING_ALPHABET[(n - total % n) % n]


def new_tracking_number() -> str:
    """Eight random symbols and a check symbol, e.g. K7QM3XPDC (shown as K7QM-3XPD-C)."""
    body = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return body + _check_symbol(body)


def tracking_number_from(seed: str) -> str:
    """A tracking number derived from `seed` (a case's stable id): the same seed, the same number."""
    digest = hashlib.sha256(seed.encode()).digest()
    body = "".join(TRACKING_ALPHABET[byte % len(TRACKING_ALPHABET)] for byte in digest[:8])
    return body + _check_symbol(body)


def valid_tracking_number(text: str) -> bool:
    """True if `text` (dashes and case ignored) is a well-formed tracking number.

    >>> valid_tracking_number("2222-2222-2"), valid_tracking_number("2222-2222-3")
    (True, False)
    """
    cleaned = text.replace("-", "").upper()
    return (
        len(cleaned) == 9
        and all(c in TRACKING_ALPHABET for c in cleaned)
        and _check_symbol(cleaned[:8]) == cleaned[8]
    )


def show_tracking_number(number: str) -> str:
    """K7QM3XPDC → K7QM-3XPD-C: groups of four are easier to read aloud and copy."""
    return f"{number[:4]}-{number[4:8]}-{number[8:]}"


def person_key(id_number: str, secret: str) -> str:
    """The keyed hash that stands for a person in the outbox, logs and on the wire (never the ID number)."""
    return hmac.new(secret.encode(), id_number.encode(), hashlib.sha256).hexdigest()[:32]


def check_phone(text: str) -> str:
    """The digits of a phone number the villager typed, or "" for none; raises ComplaintError if malformed."""
    digits = "".join(c for c in text if c.isdigit())
    if digits and not _PHONE.match(digits):
        raise ComplaintError(
            "phone", N_("电话号码不对：手机号是以1开头的11位数字，座机请加区号（如0851开头）")
        )
    return digits
