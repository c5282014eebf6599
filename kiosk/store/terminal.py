"""What the kiosk keeps about itself: card reads per day (its sign of use), the demo panel's cards,
and the append-only audit log of what was done on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kiosk.core.clock import utc_stamp
from kiosk.store.base import Connected, Tx


@dataclass(frozen=True, slots=True)
class DemoCard:
    """A card on the demo panel: `kind` is the card type the emulator plays (ssse, pboc, unknown, corrupt)."""

    position: int
    id_number: str
    label: str
    kind: str = "ssse"


class TerminalData(Connected):
    """Reads and writes of the kiosk's own tables (mixed into `kiosk.store.Store`)."""

    def count_card_read(self, day: str) -> None:
        """One more card read today (the fleet dashboard's sign that a kiosk is used)."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO card_reads(day, reads) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET reads = reads + 1",
                (day,),
            )

    def card_reads_on(self, day: str) -> int:
        row = self.connection().execute("SELECT reads FROM card_reads WHERE day = ?", (day,)).fetchone()
        return row[0] if row else 0

    def set_demo_cards(self, tx: Tx, cards: Iterable[tuple[int, str, str, str]]) -> None:
        tx.execute("DELETE FROM demo_cards")
        tx.executemany("INSERT INTO demo_cards(position, id_number, label, kind) VALUES (?, ?, ?, ?)", cards)

    def record_audit(self, actor: str, action: str, subject: str, outcome: str) -> None:
        """Append one audit entry (UTC), in its own transaction."""
        at = utc_stamp(dt.datetime.now(dt.UTC))
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO audit_log(at, actor, action, subject, outcome) VALUES (?, ?, ?, ?, ?)",
                (at, actor, action, subject, outcome),
            )

    def demo_cards(self) -> list[DemoCard]:
        rows = self.connection().execute(
            "SELECT position, id_number, label, kind FROM demo_cards ORDER BY position"
        )
        return [DemoCard(*row) for row in rows]

    def audit_entries(self) -> Iterator[tuple]:
        yield from self.connection().execute(
            "SELECT at, actor, action, subject, outcome FROM audit_log ORDER BY id"
        )
