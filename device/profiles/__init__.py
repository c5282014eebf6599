"""Card profiles: each reads one kind of card through a CardConnection and returns a CardIdentity.

Profiles are tried in the configured order; a profile that finds the card is not
its kind raises NotThisCardError and the next one tries. Parsers inside each
profile are pure functions over bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from device.apdu import CardConnection, ChainingConnection
from device.base import CardIdentity
from device.errors import NotThisCardError, UnknownCardError
from device.profiles import idserial, pboc, ssse

Profile = Callable[[CardConnection], CardIdentity]

PROFILES: dict[str, Profile] = {
    "ssse": ssse.read_ssse,
    "pboc": pboc.read_pboc,
    "idserial": idserial.read_chip_serial,
}
DEFAULT_ORDER = ("ssse", "pboc", "idserial")


def read_card(connection: CardConnection, order: Sequence[str] = DEFAULT_ORDER) -> CardIdentity:
    """Read the card with the first profile in `order` that recognises it.

    Raises UnknownCardError if none does, or the CardError of the profile that
    recognised the card but could not read it.
    """
    chained = ChainingConnection(connection)
    for name in order:
        try:
            return PROFILES[name](chained)
        except NotThisCardError:
            continue
    raise UnknownCardError("no configured card profile recognises this card")
