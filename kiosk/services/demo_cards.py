"""Demo panel: turn a demo card (a story in the demo county) into the emulated card that tells it."""

from __future__ import annotations

from device.emulation.vcard import Applet, CorruptPbocApplet, PbocApplet, SsseApplet, UnknownApplet
from kiosk.store import DemoCard, Store


def applet_for(card: DemoCard, store: Store) -> Applet:
    """Build the applet for `card`: a social security card by default, or a bank/unknown/corrupt card."""
    if card.kind == "unknown":
        return UnknownApplet()
    account = store.account_of(card.id_number) or "6217990000000000000"
    if card.kind == "pboc":
        return PbocApplet(account)  # no 9F61: the person is found through the ledger's account
    if card.kind == "corrupt":
        return CorruptPbocApplet(account)
    person = store.find_person(card.id_number)
    return SsseApplet(card.id_number, person.name if person else "测试", f"D{card.position:08d}")
