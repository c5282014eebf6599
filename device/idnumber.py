"""GB 11643 resident ID numbers: validation, birth date, gender and masking.

Shared by card parsers (here in `device/`) and the application (`kiosk/`), so it
imports nothing from either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ASCII_ZERO_OFFSET = 48 * sum(_WEIGHTS)


class IdNumberError(ValueError):
    """Raised when a string is not a valid 18-digit resident ID number.

    `reason` is a short machine code; `message_zh` is what a person is told.
    """

    def __init__(self, reason: str, message_zh: str) -> None:
        super().__init__(f"{reason}: {message_zh}")
        self.reason = reason
        self.message_zh = message_zh


def check_character(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits.

    >>> check_character("11010519491231002")
    'X'
    """
    if len(first17) != 17:
        raise ValueError("check_character needs the first 17 digits")
    # Σ (ord(c) − 48)·w, computed at C speed: importers call this for every row of a ledger.
    total = sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ASCII_ZERO_OFFSET
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A validated resident ID number; construct with `parse_id_number`."""

    value: str

    @property
    def region_code(self) -> str:
        return self.value[:6]

    @property
    def birth_on(self) -> dt.date:
        return dt.date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def gender(self) -> str:
        """Return 'M' or 'F' (odd sequence digit means male)."""
        return "M" if int(self.value[16]) % 2 else "F"

    def masked(self) -> str:
        return mask_id_number(self.value)

    def __str__(self) -> str:  # never let a full number slip into a log by accident
        return self.masked()

    def __repr__(self) -> str:
        return f"IdNumber({self.masked()!r})"


def parse_id_number(text: str) -> IdNumber:
    """Validate `text` as an 18-digit ID number and return it.

    Raises IdNumberError with a reason of 'length', 'characters', 'birth_date'
    or 'check_digit'.

    >>> parse_id_number("11010519491231002x").birth_on
    datetime.date(1949, 12, 31)
    """
    value = (text or "").strip().upper()
    if len(value) != 18:
        raise IdNumberError("length", "身份证号应为18位")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError("characters", "身份证号只能包含数字，最后一位可以是X")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", "身份证号中的出生日期不存在") from None
    if born.year < 1880:
        raise IdNumberError("birth_date", "身份证号中的出生日期不存在")
    if check_character(value[:17]) != value[17]:
        raise IdNumberError("check_digit", "身份证号校验位错误")
    return IdNumber(value)


def mask_id_number(value: str) -> str:
    """Mask an ID number to its first 6 and last 4 characters (SECURITY.md).

    >>> mask_id_number("11010519491231002X")
    '110105********002X'
    """
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_account(value: str) -> str:
    """Mask a bank card or account number to its last 4 digits.

    >>> mask_account("6217001234567890123")
    '****0123'
    """
    if not value:
        return ""
    return "****" + value[-4:] if len(value) > 4 else "****"
