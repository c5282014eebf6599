"""Benchmark: one card holder's lookup + reconciliation on a prefecture-scale embedded store.

Builds (or reuses) a store with ≥ 1,000,000 persons and ≥ 10,000,000 ledger rows,
then, in a separate process set up like the kiosk (create_app on that store),
times the lookup of ≥ 1,000 random persons through the real backend, and beside
it, in the same process and run, the same three SQL queries bare (the floor).
Prints figures; the last line is one JSON object.

    python bench/lookup.py            # full scale (builds the store once, ~several minutes)
    python bench/lookup.py --quick    # 50,000 persons, finishes within a minute
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import id_number, peak_rss_mb, percentile  # noqa: E402

from kiosk.rules import load_rulebook  # noqa: E402
from kiosk.store import open_store  # noqa: E402

TODAY = dt.date(2026, 11, 22)
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 10)]


FIXTURE = "households-1"  # bumped when build() writes something new: an older fixture is rebuilt


def fixture_ok(path: Path, persons: int) -> bool:
    """Is the fixture at `path` the one build() writes today, for this many persons?"""
    if not path.exists():
        return False
    store = open_store(path)
    try:
        return store.get_meta("bench_persons") == str(persons) and store.get_meta("bench_fixture") == FIXTURE
    finally:
        store.close()


def village_code(county: str, v: int) -> str:
    """A village's code: V<n> in the single synthetic county, else the county's division code and six digits."""
    return f"{county}{v:06d}" if county else f"V{v}"


def build(path: Path, persons: int, *, county: str = "", first: int = 1) -> None:
    """Write a synthetic prefecture: farmland for all, pension for the over-60s, 低保 for 5%; villages of
    1,000 persons and households of three, each with its head (so a lookup reads the household too).
    With `county` (bench/province.py): one county's store, its villages' codes beginning with that
    division code, its persons numbered from `first`."""
    store = open_store(path)
    conn = store.connection()
    conn.execute("PRAGMA synchronous = OFF")  # building a benchmark fixture, not serving
    rulebook = load_rulebook()
    rng = random.Random(7)
    chunk = 20_000
    with store.transaction() as tx:
        store.save_programmes(tx, rulebook)
        store.add_villages(
            tx,
            [
                (village_code(county, v), f"村{v}", "镇")
                for v in range(first // 1000, (first + persons) // 1000 + 1)
            ],
        )
    for start in range(first, first + persons, chunk):
        people, enrolments, payments = [], [], []
        for i in range(start, min(start + chunk, first + persons)):
            number = id_number(i)
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            people.append(
                (
                    i,
                    number,
                    f"人{i}",
                    "M" if int(number[16]) % 2 else "F",
                    born.isoformat(),
                    village_code(county, i // 1000),
                    f"H{i // 3}",
                    None,
                )
            )
            account = f"62179901{i:011d}"
            mu = rng.randint(5, 80)
            enrolments.append((i, "farmland", None, f"{mu / 10:.1f}", "2016-01-01", None))
            for year in (2023, 2024, 2025, 2026):
                if year < 2026 or rng.random() < 0.9:
                    payments.append(
                        (
                            i,
                            "farmland",
                            str(year),
                            mu * (1000 if year == 2023 else 1050),
                            f"{year}-06-15",
                            account,
                            f"F{year}",
                        )
                    )
            if born <= dt.date(1965, 1, 1):
                enrolments.append((i, "pension_basic", None, None, "2015-01-01", None))
                for month in MONTHS:
                    fen = 12300 if month < "2025-04" else 12800
                    payments.append((i, "pension_basic", month, fen, f"{month}-12", account, f"P{month}"))
            if rng.random() < 0.05:
                enrolments.append((i, "dibao", "B", None, "2022-01-01", None))
                for month in MONTHS:
                    fen = 26000 if month < "2025-07" else 30000
                    payments.append((i, "dibao", month, fen, f"{month}-15", account, f"D{month}"))
        heads = {(row[5], row[6]): row[0] for row in reversed(people)}  # the first of each household
        with store.transaction() as tx:
            store.add_persons(tx, people)
            store.upsert_households(tx, [(village, number, pid) for (village, number), pid in heads.items()])
            store.add_enrolments(tx, enrolments)
            store.add_payments(tx, payments)
        print(f"  built {min(start + chunk, first + persons) - first:,} persons", end="\r", flush=True)
    with store.transaction() as tx:
        store.set_meta(tx, "bench_persons", str(persons))
        store.set_meta(tx, "bench_fixture", FIXTURE)
        store.note_ledger_date(tx)  # as an import records it: a lookup reads the date, it does not scan
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    print()


def measure(path: Path, persons: int, samples: int) -> dict[str, float]:
    """Run in a fresh process: set up like the kiosk, then time backend lookups and bare SQL."""
    from device.idnumber import parse_id_number
    from kiosk.config import load_config
    from kiosk.web import create_app
    from kiosk.web.context import services

    app = create_app(load_config({"db_path": path, "today": TODAY}, environ={}))
    backend = services(app).terminal.backend
    conn = services(app).store.connection()
    rng = random.Random(11)
    chosen = [parse_id_number(id_number(rng.randint(1, persons))) for _ in range(samples)]
    warm = [parse_id_number(id_number(rng.randint(1, persons))) for _ in range(100)]
    for number in warm:
        backend.look_up(number, today=TODAY)

    def bare(number: str) -> None:
        row = conn.execute(
            "SELECT p.id, p.id_number, p.name, p.gender, p.birth_on, p.village_code, v.name, "
            "p.household, p.death_on FROM persons p LEFT JOIN villages v ON v.code = p.village_code "
            "WHERE p.id_number = ?",
            (number,),
        ).fetchone()
        conn.execute(
            "SELECT programme, start_on, end_on, category, quantity FROM enrolments WHERE person_id = ? "
            "ORDER BY start_on",
            (row[0],),
        ).fetchall()
        conn.execute(
            "SELECT programme, period, amount_fen, paid_on, account, batch FROM payments WHERE person_id = ?",
            (row[0],),
        ).fetchall()

    full, floor = [], []
    lines = 0
    for index, number in enumerate(chosen):
        # Alternate which goes first: the first to touch a person's pages pays SQLite's cache misses.
        order = ("sql", "lookup") if index % 2 else ("lookup", "sql")
        for which in order:
            started = time.perf_counter()
            if which == "sql":
                bare(number.value)
                floor.append((time.perf_counter() - started) * 1000)
            else:
                result = backend.look_up(number, today=TODAY)
                full.append((time.perf_counter() - started) * 1000)
                lines += len(result.reconciliation.lines)
    return {
        "lookup_p50_ms": round(percentile(full, 0.50), 3),
        "lookup_p99_ms": round(percentile(full, 0.99), 3),
        "sql_p50_ms": round(percentile(floor, 0.50), 3),
        "sql_p99_ms": round(percentile(floor, 0.99), 3),
        "lines_per_person": round(lines / len(chosen), 1),
        "kiosk_peak_rss_mb": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="50,000 persons instead of 1,000,000")
    parser.add_argument("--persons", type=int, help="override the number of persons")
    parser.add_argument("--samples", type=int, default=1000, help="persons looked up (default 1000)")
    parser.add_argument("--db", type=Path, help="store file (default bench/out/lookup-<persons>.db, reused)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    persons = args.persons or (50_000 if args.quick else 1_000_000)
    db = args.db or ROOT / "bench" / "out" / f"lookup-{persons}.db"

    if args.measure:
        print(json.dumps(measure(db, persons, args.samples)))
        return 0

    if not fixture_ok(db, persons):
        db.unlink(missing_ok=True)
        print(f"Building a synthetic store of {persons:,} persons at {db} …", flush=True)
        started = time.perf_counter()
        build(db, persons)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    counts = open_store(db).counts()
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            "--db",
            str(db),
            "--persons",
            str(persons),
            "--samples",
            str(args.samples),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures = {
        "persons": counts["persons"],
        "ledger_rows": counts["payments"],
        "samples": args.samples,
        **figures,
        "p99_vs_sql_floor": round(figures["lookup_p99_ms"] / figures["sql_p99_ms"], 2),
        "db_mb": round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20, 1),
    }
    print(
        f"persons {figures['persons']:,}, ledger rows {figures['ledger_rows']:,}, store {figures['db_mb']} MB"
    )
    print(
        f"lookup+reconcile p50 {figures['lookup_p50_ms']} ms, p99 {figures['lookup_p99_ms']} ms "
        f"(bare SQL p50 {figures['sql_p50_ms']} ms, p99 {figures['sql_p99_ms']} ms; "
        f"{figures['p99_vs_sql_floor']}× the floor at p99)"
    )
    print(
        f"kiosk process peak RSS {figures['kiosk_peak_rss_mb']} MB; {figures['lines_per_person']} lines per person"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
