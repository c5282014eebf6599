"""Benchmark: importing a payments CSV with `kiosk import`'s code, beside the engine's bare bulk path.

Generates (once, under bench/out/) a roster of persons and a payments CSV of ≥ 10,000,000
rows, imports the roster into a template store, then in two fresh processes, each on its
own copy of that store: (1) the importer (validation, person lookups, duplicate
detection, one transaction) and (2) the floor: the same CSV read with csv.reader and
inserted with one executemany in one transaction, person ids by subquery, no validation.
Reports rows/s and peak RSS of each. Last line: one JSON object.

    python bench/import.py            # 1,000,000 persons, 10,000,000 payment rows
    python bench/import.py --quick    # 100,000 persons, 1,000,000 rows
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import id_number, peak_rss_mb  # noqa: E402

TODAY = dt.date(2026, 11, 22)
OUT = ROOT / "bench" / "out"


def generate(persons: int, rows: int, folder: Path) -> tuple[Path, Path, Path]:
    """Write villages.csv, persons.csv and payments.csv (months of pension and 低保, round-robin over persons)."""
    folder.mkdir(parents=True, exist_ok=True)
    villages, roster, ledger = (
        folder / "villages.csv",
        folder / f"persons-{persons}.csv",
        folder / f"payments-{rows}.csv",
    )
    if not villages.exists():
        villages.write_text("村代码,村名,乡镇\n522799001,石桥村,明白镇\n", encoding="utf-8")
    if not roster.exists():
        with roster.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["身份证号", "姓名", "性别", "村", "户号"])
            for i in range(1, persons + 1):
                number = id_number(i)
                writer.writerow(
                    [number, f"人{i}", "男" if int(number[16]) % 2 else "女", "522799001", f"H{i // 3}"]
                )
    if not ledger.exists():
        rng = random.Random(3)
        months = [f"{y}-{m:02d}" for y in range(2020, 2027) for m in range(1, 13)][
            : max(1, rows // persons + 1)
        ]
        with ledger.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["身份证号", "姓名", "项目代码", "所属期", "金额", "发放日期", "账号", "批次号"])
            written = 0
            for month in months:
                for i in range(1, persons + 1):
                    if written == rows:
                        break
                    code = "dibao" if i % 20 == 0 else "pension_basic"
                    amount = "300.00" if code == "dibao" else f"{rng.choice((123, 128))}.00"
                    writer.writerow(
                        [
                            id_number(i),
                            f"人{i}",
                            code,
                            month,
                            amount,
                            f"{month}-12",
                            f"62179901{i:011d}",
                            f"{code[:1].upper()}{month}",
                        ]
                    )
                    written += 1
    return villages, roster, ledger


def run_importer(db: Path, ledger: Path) -> dict[str, float]:
    from kiosk.imports.loader import import_file
    from kiosk.rules import load_rulebook
    from kiosk.store import open_store

    store = open_store(db)
    started = time.perf_counter()
    report = import_file(store, ledger, rulebook=load_rulebook(), today=TODAY)
    seconds = time.perf_counter() - started
    if not report.committed:
        raise SystemExit(f"import refused: {[e.message for e in report.errors[:5]]}")
    return {"rows": report.imported, "seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb()}


def run_floor(db: Path, ledger: Path) -> dict[str, float]:
    from kiosk.store import open_store

    conn = open_store(db).connection()
    started = time.perf_counter()
    with ledger.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = ((r[0], r[2], r[3], int(r[4].replace(".", "")), r[5], r[6], r[7]) for r in reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "VALUES ((SELECT id FROM persons WHERE id_number = ?), ?, ?, ?, ?, ?, ?)",
            rows,
        )
        count = conn.execute("SELECT count(*) FROM payments").fetchone()[0]
        conn.execute("COMMIT")
    return {"rows": count, "seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": peak_rss_mb()}


def child(which: str, db: Path, ledger: Path) -> dict[str, float]:
    run = subprocess.run(
        [sys.executable, __file__, "--child", which, "--db", str(db), "--ledger", str(ledger)],
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise SystemExit(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 persons and 1,000,000 rows")
    parser.add_argument("--child", choices=["importer", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps((run_importer if args.child == "importer" else run_floor)(args.db, args.ledger)))
        return 0

    persons, rows = (100_000, 1_000_000) if args.quick else (1_000_000, 10_000_000)
    villages, roster, ledger = generate(persons, rows, OUT)
    template = OUT / f"import-template-{persons}.db"
    if not template.exists():
        from kiosk.imports.loader import import_file
        from kiosk.rules import load_rulebook
        from kiosk.store import open_store

        store = open_store(template)
        for path in (villages, roster):
            import_file(store, path, rulebook=load_rulebook(), today=TODAY)
        store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    results = {}
    for which in ("floor", "importer"):
        db = OUT / f"import-{which}.db"
        for stale in OUT.glob(f"import-{which}.db*"):
            stale.unlink()
        shutil.copy(template, db)
        results[which] = child(which, db, ledger)
        for stale in OUT.glob(f"import-{which}.db*"):
            stale.unlink()
    ours, floor = results["importer"], results["floor"]
    figures = {
        "rows": ours["rows"],
        "csv_mb": round(ledger.stat().st_size / 2**20, 1),
        "importer_rows_per_s": round(ours["rows"] / ours["seconds"]),
        "floor_rows_per_s": round(floor["rows"] / floor["seconds"]),
        "importer_peak_rss_mb": ours["peak_rss_mb"],
        "floor_peak_rss_mb": floor["peak_rss_mb"],
    }
    figures["speed_vs_floor"] = round(figures["importer_rows_per_s"] / figures["floor_rows_per_s"], 2)
    print(f"{figures['rows']:,} payment rows ({figures['csv_mb']} MB of CSV)")
    print(
        f"importer: {figures['importer_rows_per_s']:,} rows/s, peak RSS {figures['importer_peak_rss_mb']} MB"
    )
    print(
        f"bare executemany: {figures['floor_rows_per_s']:,} rows/s, peak RSS {figures['floor_peak_rss_mb']} MB; "
        f"importer at {figures['speed_vs_floor']:.0%} of the floor's speed"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
