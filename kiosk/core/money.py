"""Money as integer fen: exact parsing from text and display in yuan.

No float ever touches an amount; quantities (mu) are Decimal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache


class AmountError(ValueError):
    """Raised when text is not an amount in yuan with at most two decimals."""


def yuan_to_fen(text: str) -> int:
    """Parse an amount in yuan ("336.00", "-12.5", "1,200") into fen.

    Raises AmountError for non-numbers and for more than two decimals.

    >>> yuan_to_fen("336.00"), yuan_to_fen("-12.5"), yuan_to_fen("1,200")
    (33600, -1250, 120000)
    """
    cleaned = str(text).strip().replace(",", "").replace("¥", "").replace("元", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise AmountError(f"not a number: {text!r}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise AmountError(f"more than two decimals: {text!r}")
    return int(value * 100)


@lru_cache(maxsize=4096)
def format_yuan(fen: int, *, sign: bool = False) -> str:
    """Format fen as yuan with two decimals and thousands separators.

    Cached: a screen formats the same few standards over and over.

    >>> format_yuan(33600), format_yuan(-1250), format_yuan(500, sign=True)
    ('336.00', '-12.50', '+5.00')
    """
    if not isinstance(fen, int):
        raise TypeError("money must be integer fen")
    prefix = "-" if fen < 0 else ("+" if sign and fen > 0 else "")
    whole, cents = divmod(abs(fen), 100)
    return f"{prefix}{whole:,}.{cents:02d}"


def multiply_fen(quantity: Decimal, rate_fen: int) -> int:
    """Multiply a quantity (e.g. 3.2 mu) by a rate in fen, rounding half up to a fen.

    >>> multiply_fen(Decimal("3.2"), 10500), multiply_fen(Decimal("1.005"), 100)
    (33600, 101)
    """
    return int((quantity * rate_fen).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_quantity(quantity: Decimal) -> str:
    """Format a quantity without trailing zeros ("3.2", "10").

    >>> format_quantity(Decimal("3.20")), format_quantity(Decimal("10.00"))
    ('3.2', '10')
    """
    text = format(quantity.normalize(), "f")
    return text


def plain_yuan(fen: int) -> str:
    """Fen as yuan text with two decimals and no separators: exact, and what the importer reads back.

    >>> plain_yuan(33600), plain_yuan(-1250), plain_yuan(5)
    ('336.00', '-12.50', '0.05')
    """
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
