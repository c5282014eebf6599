"""A prefecture of two counties for the hub's county tests: the demo county (522799) and its copy moved to
522701 — every village code and ID number re-prefixed (check characters recomputed), and its own policy
file raising the basic pension to 138.00 a month from April 2025, so each county's rules can be told apart."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from device.idnumber import check_character
from kiosk.store import Store, open_store

SECOND = "522701"
POLICY = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params" / "pension_basic.toml"


def moved_id(number: str) -> str:
    if not number or len(number) != 18:
        return number
    body = SECOND + number[6:17]
    return body + check_character(body)


def second_county(demo_county: Path, folder: Path) -> Store:
    path = folder / f"county-{SECOND}.db"
    shutil.copy(demo_county, path)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.create_function("moved_id", 1, moved_id)
    with raw:
        for table, column in (
            ("villages", "code"),
            ("persons", "village_code"),
            ("households", "village_code"),
            ("household_incomes", "village_code"),
        ):
            raw.execute(
                f"UPDATE {table} SET {column} = ? || substr({column}, 7) WHERE {column} LIKE '522799%'",
                (SECOND,),
            )
        raw.execute("UPDATE persons SET id_number = moved_id(id_number)")
        raw.execute("UPDATE demo_cards SET id_number = moved_id(id_number)")
        raw.execute("UPDATE villages SET township = township || '（二县）'")
    raw.close()
    county = open_store(path)
    with county.transaction() as tx:
        county.save_policy(
            tx,
            "pension_basic",
            "pension_basic.toml",
            POLICY.read_text(encoding="utf-8").replace("value = 12800", "value = 13800"),
        )
    return county


def pensioner(store: Store) -> str:
    """The ID number of the first living person drawing the basic pension."""
    row = store.connection().execute(
        "SELECT p.id_number FROM persons p JOIN enrolments e ON e.person_id = p.id "
        "WHERE e.programme = 'pension_basic' AND e.end_on IS NULL AND p.death_on IS NULL ORDER BY p.id LIMIT 1"
    )
    return row.fetchone()[0]
