"""Everything that can go wrong reading a card, as one family with stable reason codes.

The application maps `reason` to words for the villager; nothing here knows Chinese
screens, only what happened.
"""

from __future__ import annotations


class CardError(Exception):
    """Base of card-reading failures; `reason` is a short stable code."""

    reason = "card_error"


class ApduError(CardError):
    """Raised when a card answers a command with a status word other than 9000."""

    reason = "apdu"

    def __init__(self, data: bytes, sw: int, command: str = "") -> None:
        super().__init__(f"{command or 'APDU'} failed: SW={sw:04X}")
        self.data = data
        self.sw = sw


class CardRemovedError(CardError):
    """Raised when the card left the reader during an exchange."""

    reason = "removed"


class NotThisCardError(CardError):
    """Raised by a profile when the card is not of its kind, so the next profile may try."""

    reason = "not_this_card"


class UnknownCardError(CardError):
    """Raised when no configured profile recognises the card."""

    reason = "unknown_card"


class MalformedCardError(CardError):
    """Raised when the card answers, but its data is not what its kind must contain."""

    reason = "malformed"


class ExpiredCardError(CardError):
    """Raised when an ID card's validity has ended."""

    reason = "expired"


class ReaderError(CardError):
    """Raised when the reader itself fails (not the card): gone, busy, broken frames."""

    reason = "reader"
