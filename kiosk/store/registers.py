"""The cross-check registers in the kiosk store — deaths, public servants and cadres with their kin,
vehicles, real estate, business registrations, enterprise pensions — and the supervision checks' reads
that join them with the roster and the ledger.

One table: a row is one fact of one register about one person (who need not be on the roster), with
its source and its date. Imports upsert on (kind, person, date, detail, related person), so a
re-import changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from kiosk.store.base import Connected, Tx

REGISTER_COLUMNS = "kind, id_number, name, on_date, detail, amount, related_id_number, relationship, source"


class RegisterData(Connected):
    """Reads and writes of the registers (mixed into `kiosk.store.Store`)."""

    def upsert_registers(self, tx: Tx, rows: Iterable[tuple], import_id: int) -> int:
        """Insert or update (kind, id_number, name, on_date, detail, amount, related_id_number,
        relationship, source) rows; return rows changed."""
        before = tx.total_changes
        tx.executemany(
            f"INSERT INTO registers({REGISTER_COLUMNS}, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608 - fixed names
            "ON CONFLICT(kind, id_number, on_date, detail, related_id_number) DO UPDATE SET name = excluded.name, "
            "amount = excluded.amount, relationship = excluded.relationship, source = excluded.source, "
            "import_id = excluded.import_id WHERE (name, amount, relationship, source) IS NOT "
            "(excluded.name, excluded.amount, excluded.relationship, excluded.source)",
            [(*row, import_id) for row in rows],
        )
        return tx.total_changes - before

    def register_counts(self) -> dict[str, int]:
        return dict(
            self.connection().execute("SELECT kind, COUNT(*) FROM registers GROUP BY kind").fetchall()
        )

    # -- the checks' reads -------------------------------------------------------------------------
    def paid_after_registered_death(self) -> Iterator[tuple]:
        """(id_number, name, village, programme, period, amount fen, paid_on, batch, death date, source) for
        every payment for a period that starts after a death a register records."""
        yield from self.connection().execute(
            "SELECT p.id_number, p.name, COALESCE(v.name, ''), y.programme, y.period, y.amount_fen, y.paid_on, "
            "y.batch, r.on_date, r.source FROM registers r JOIN persons p ON p.id_number = r.id_number "
            "JOIN payments y ON y.person_id = p.id LEFT JOIN villages v ON v.code = p.village_code "
            "WHERE r.kind = 'death' AND y.amount_fen > 0 AND "
            "(CASE WHEN length(y.period) = 7 AND substr(y.period, 5, 1) = '-' THEN y.period || '-01' "
            "WHEN length(y.period) = 4 THEN y.period || '-01-01' "
            "WHEN substr(y.period, 5, 1) = 'Q' THEN substr(y.period, 1, 4) || '-' || "
            "printf('%02d', (CAST(substr(y.period, 6, 1) AS INTEGER) - 1) * 3 + 1) || '-01' "
            "ELSE substr(y.period, 1, 4) || CASE WHEN substr(y.period, 6, 1) = '1' THEN '-01-01' ELSE '-07-01' END "
            "END) > r.on_date ORDER BY p.id_number, y.period"
        )

    def officials_and_kin_enrolled(self, programmes: list[str]) -> Iterator[tuple]:
        """(id_number, name, village, programme, enrolment start, relation words, official's name, official's
        kind and position, source) for everyone enrolled in these programmes who is a public servant or
        cadre, their registered kin, or in the same household (village + 户号) as either."""
        yield from self.connection().execute(
            "WITH linked AS ("
            " SELECT o.id_number AS who, o.id_number AS official, '本人' AS relation, o.source AS source "
            " FROM registers o WHERE o.kind = 'official' "
            " UNION SELECT k.id_number, k.related_id_number, k.relationship, k.source FROM registers k "
            " WHERE k.kind = 'kin'), "
            "household AS ("
            " SELECT m.id_number AS who, l.official, CASE WHEN m.id_number = l.who THEN l.relation "
            " ELSE '与' || l.relation || '同户' END AS relation, l.source FROM linked l "
            " JOIN persons a ON a.id_number = l.who JOIN persons m ON m.village_code = a.village_code "
            " AND m.household = a.household AND a.household <> '' "
            " UNION SELECT who, official, relation, source FROM linked) "
            "SELECT DISTINCT p.id_number, p.name, COALESCE(v.name, ''), e.programme, e.start_on, h.relation, "
            " o.name, o.detail, h.source FROM household h JOIN persons p ON p.id_number = h.who "
            " JOIN enrolments e ON e.person_id = p.id LEFT JOIN villages v ON v.code = p.village_code "
            " JOIN registers o ON o.kind = 'official' AND o.id_number = h.official "
            "WHERE e.programme IN (SELECT value FROM json_each(?)) ORDER BY p.id_number, e.programme",
            (json.dumps(programmes),),
        )

    def household_assets(self, programmes: list[str]) -> Iterator[tuple]:
        """(id_number, name, village, programme, asset kind, owner's name, detail, amount, date, source) for
        every vehicle, property or business registered to a member of a household (or the person alone)
        enrolled in these programmes."""
        yield from self.connection().execute(
            "WITH held AS (SELECT r.kind, r.detail, r.amount, r.on_date, r.source, o.id AS owner_id, o.name AS owner, "
            "o.village_code, o.household FROM registers r JOIN persons o ON o.id_number = r.id_number "
            "WHERE r.kind IN ('vehicle', 'property', 'business')), "
            "members AS (SELECT h.*, h.owner_id AS member_id FROM held h UNION "
            "SELECT h.*, m.id FROM held h JOIN persons m ON m.village_code = h.village_code "
            "AND m.household = h.household AND h.household <> '') "
            "SELECT DISTINCT p.id_number, p.name, COALESCE(v.name, ''), e.programme, a.kind, a.owner, a.detail, "
            "a.amount, a.on_date, a.source FROM members a JOIN persons p ON p.id = a.member_id "
            "JOIN enrolments e ON e.person_id = p.id LEFT JOIN villages v ON v.code = p.village_code "
            "WHERE e.programme IN (SELECT value FROM json_each(?)) ORDER BY p.id_number, e.programme, a.kind",
            (json.dumps(programmes),),
        )

    def enterprise_and_residents_pension(self, programme: str) -> Iterator[tuple]:
        """(id_number, name, village, period, amount fen, enterprise pension start, source) for payments of
        `programme` (the residents' pension) for periods from the start of a registered enterprise pension."""
        yield from self.connection().execute(
            "SELECT p.id_number, p.name, COALESCE(v.name, ''), y.period, y.amount_fen, r.on_date, r.source "
            "FROM registers r JOIN persons p ON p.id_number = r.id_number JOIN payments y ON y.person_id = p.id "
            "LEFT JOIN villages v ON v.code = p.village_code WHERE r.kind = 'enterprise_pension' "
            "AND y.programme = ? AND y.amount_fen > 0 AND y.period >= substr(r.on_date, 1, 7) "
            "ORDER BY p.id_number, y.period",
            (programme,),
        )

    def paid_in_both(self, first: str, second: str) -> Iterator[tuple]:
        """(id_number, name, village, period, fen of `first`, fen of `second`) for each person and period
        paid under both programmes."""
        yield from self.connection().execute(
            "SELECT p.id_number, p.name, COALESCE(v.name, ''), a.period, SUM(a.amount_fen), "
            "(SELECT SUM(b.amount_fen) FROM payments b WHERE b.person_id = p.id AND b.programme = ? "
            "AND b.period = a.period) FROM payments a JOIN persons p ON p.id = a.person_id "
            "LEFT JOIN villages v ON v.code = p.village_code WHERE a.programme = ? AND EXISTS "
            "(SELECT 1 FROM payments b WHERE b.person_id = a.person_id AND b.programme = ? AND b.period = a.period "
            "AND b.amount_fen > 0) GROUP BY p.id, a.period HAVING SUM(a.amount_fen) > 0 ORDER BY p.id_number, a.period",
            (second, first, second),
        )

    def village_rates(self, programme: str, day: str) -> list[tuple[str, str, str, int, int, int]]:
        """(village code, village name, township, persons, enrolled in `programme` on `day`, of them in
        category A) for every village."""
        return (
            self.connection()
            .execute(
                "SELECT v.code, v.name, v.township, (SELECT COUNT(*) FROM persons p WHERE p.village_code = v.code), "
                "(SELECT COUNT(DISTINCT e.person_id) FROM enrolments e JOIN persons p ON p.id = e.person_id "
                " WHERE p.village_code = v.code AND e.programme = ? AND e.start_on <= ? AND (e.end_on IS NULL OR e.end_on >= ?)), "
                "(SELECT COUNT(DISTINCT e.person_id) FROM enrolments e JOIN persons p ON p.id = e.person_id "
                " WHERE p.village_code = v.code AND e.programme = ? AND e.category = 'A' AND e.start_on <= ? "
                " AND (e.end_on IS NULL OR e.end_on >= ?)) FROM villages v ORDER BY v.code",
                (programme, day, day, programme, day, day),
            )
            .fetchall()
        )
