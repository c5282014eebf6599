"""A county of two townships for the snapshot tests: the demo county with its last village moved to 清水镇, and
one payment of a later day, so the ledger's date is one the demo's own store does not have, and one policy
file imported (the rules a snapshot carries)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from kiosk.store import Store, open_store
from tests.helpers.facts import TODAY

OTHER = "清水镇"
POLICY = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params" / "pension_basic.toml"
LATE = TODAY + dt.timedelta(days=6)  # a ledger date later than the demo's own


def two_townships(demo_county: Path, folder: Path) -> tuple[Store, str]:
    """(the county's store, the code of the village moved to OTHER)."""
    path = folder / "county.db"
    shutil.copy(demo_county, path)
    county = open_store(path)
    with county.transaction() as tx:
        (last,) = tx.execute("SELECT MAX(code) FROM villages").fetchone()
        tx.execute("UPDATE villages SET township = ? WHERE code = ?", (OTHER, last))
        tx.execute(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "SELECT y.person_id, y.programme, y.period, y.amount_fen, ?, y.account, 'late' FROM payments y "
            "JOIN persons p ON p.id = y.person_id WHERE p.village_code <> ? ORDER BY y.id DESC LIMIT 1",
            (LATE.isoformat(), last),
        )
        county.note_ledger_date(tx)
        county.save_policy(tx, "pension_basic", "pension_basic.toml", POLICY.read_text(encoding="utf-8"))
    return county, last
