"""A prefecture on one hub, on PostgreSQL: eight counties' rosters and ledgers, complaints, kiosks and a week
of their heartbeats; lookups paced and saturated, the inbox for one county and for the whole prefecture, the
dashboard and the fleet page, and publishing one county's full data and one month's increment while
lookups keep coming.

Each county is its own synthetic store (bench/lookup.py's build, villages coded with the county's division
code), published with `kiosk hub --publish` into one throwaway PostgreSQL cluster: seven before the
measurements, the eighth during them. Real `kiosk hub` processes (waitress) on loopback answer signed
requests; the supervisor pages are real pages of signed-in auditors, one scoped to the first county and
one to the prefecture (its dashboard and fleet page roll the eight counties up side by side). The floor: the lookup's three SQL
queries alone, on one connection, in the same run.

    python bench/province.py            # 4,000,000 persons, ≥ 50 M ledger rows, 400,000 complaints, 1,000 kiosks
    python bench/province.py --quick    # 8 × 6,250 persons, ~0.7 M rows, 10,000 complaints, 100 kiosks
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from benchlib import id_number, percentile  # noqa: E402
from hub import (  # noqa: E402
    CATEGORIES,
    DEPARTMENTS,
    KIOSK,
    PASSWORD,
    add_complaints,
    load,
    register_kiosks,
    run,
    start_hubs,
)
from lookup import build, fixture_ok  # noqa: E402

from kiosk.store import open_store  # noqa: E402
from tests.helpers.pgserver import Postgres  # noqa: E402

COUNTIES = ("522301", "522302", "522323", "522324", "522325", "522326", "522327", "522328")  # as Qianxinan's
PREFECTURE = "5223"
COUNTY_AUDITOR, PREFECTURE_AUDITOR = "bench-county", "bench-prefecture"  # auditors scoped to each


def county_stores(per_county: int) -> list[Path]:
    """One store per county, built once and kept in bench/out."""
    paths = []
    for n, county in enumerate(COUNTIES):
        path = ROOT / "bench" / "out" / f"province-{per_county}-{county}.db"
        if not fixture_ok(path, per_county):
            path.unlink(missing_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            print(f"Building county {county}: {per_county:,} persons at {path} …", flush=True)
            build(path, per_county, county=county, first=1 + n * per_county)
        paths.append(path)
    return paths


def county_of(i: int, per_county: int) -> str:
    return COUNTIES[(i - 1) // per_county]


def add_fleet(url: str, count: int) -> None:
    """`count` kiosks, each with a week of hourly heartbeat counts and its latest status."""
    import sqlalchemy as sa

    from kiosk.core.version import software_version
    from kiosk.hub.db import heartbeat_hours, heartbeats, kiosks
    from kiosk.hub.store import HubStore

    store = HubStore(url)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(3)
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(kiosks),
            [
                {
                    "kiosk_id": f"kiosk-{k}",
                    "secret": "x",
                    "created_at": now - dt.timedelta(days=30),
                    "region": f"{COUNTIES[k % len(COUNTIES)]}{100 + k // len(COUNTIES) % 12:03d}",  # a township
                }
                for k in range(count)
            ],
        )
        conn.execute(
            sa.insert(heartbeats),
            [
                {
                    "kiosk_id": f"kiosk-{k}",
                    "at": now,
                    "status": json.dumps(
                        {
                            "outbox_backlog": 0,
                            "card_reads_today": rng.randint(0, 60),
                            "software_version": software_version(),
                            "data_date": "2026-11-20",
                        }
                    ),
                }
                for k in range(count)
            ],
        )
        hours = []
        for k in range(count):
            for h in range(168):
                hours.append(
                    {
                        "kiosk_id": f"kiosk-{k}",
                        "hour": now - dt.timedelta(hours=h),
                        "beats": 60,
                        "card_reads": rng.randint(0, 60),
                        "backlog": 0,
                    }
                )
            if len(hours) >= 50_000:
                conn.execute(sa.insert(heartbeat_hours), hours)
                hours = []
        if hours:
            conn.execute(sa.insert(heartbeat_hours), hours)
    store.close()


def signed_in(port: int, name: str) -> tuple[http.client.HTTPConnection, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = f"name={name}&password={PASSWORD.replace(' ', '+')}"
    connection.request(
        "POST", "/office/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    return connection, response.getheader("Set-Cookie").split(";")[0]


def pages_p99(port: int, paths: list[str], samples: int, prefix: str, account: str) -> dict:
    """p50/p99 of whole office pages fetched one after another, signed in as `account`."""
    connection, cookie = signed_in(port, account)
    times = []
    for n in range(samples):
        path = paths[n % len(paths)]
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
    return {
        f"{prefix}_p50_ms": round(percentile(times, 0.5) * 1000, 1),
        f"{prefix}_p99_ms": round(percentile(times, 0.99) * 1000, 1),
    }


def inbox_paths(samples: int) -> list[str]:
    """The inbox with a filter a supervisor would use; the account's region scopes it."""
    rng = random.Random(5)
    scope = ""
    filters = [
        lambda: "status=assigned",
        lambda: f"category={rng.choice(CATEGORIES)}&sort=due_asc",
        lambda: f"programme=dibao&status={rng.choice(('received', 'answered'))}&page={rng.randint(1, 20)}",
        lambda: "overdue=1",
        lambda: f"department={DEPARTMENTS[0]}&per_page=100",
        lambda: f"q=第{rng.randint(0, 9999)}件",
    ]
    return [
        "/office/?" + urllib.parse.quote(scope + filters[n % len(filters)](), safe="=&")
        for n in range(samples)
    ]


def floor(url: str, persons: int, per_county: int, samples: int) -> dict:
    """The lookup's three queries alone (person, enrolments, payments in its partition) on one connection."""
    import psycopg

    from kiosk.hub.db import COUNTY_SPAN

    rng = random.Random(17)
    times = []
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(samples):
            i = rng.randint(1, persons)
            county = county_of(i, per_county)
            started = time.perf_counter()
            conn.execute(
                "SELECT id, village_code FROM persons WHERE id_number = %s", (id_number(i),)
            ).fetchone()
            pid = int(county) * COUNTY_SPAN + i
            conn.execute("SELECT programme, start_on FROM enrolments WHERE person_id = %s", (pid,)).fetchall()
            conn.execute(
                "SELECT amount_fen FROM payments WHERE county = %s AND person_id = %s", (county, pid)
            ).fetchall()
            times.append(time.perf_counter() - started)
    return {
        "floor_sql_p50_ms": round(percentile(times, 0.5) * 1000, 2),
        "floor_sql_p99_ms": round(percentile(times, 0.99) * 1000, 2),
    }


def timed_publish(url: str, store: Path, *extra: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, what it printed) of one `kiosk hub --publish`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [KIOSK, "hub", "--db", url, "--publish", str(store), "--skip-checks", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )
    peak = 0.0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.2)
    out, err = process.communicate()
    if process.returncode:
        raise SystemExit(f"publish failed: {err}")
    return time.perf_counter() - started, round(peak, 1), out.strip()


def add_month(source: Path, target: Path) -> int:
    """A copy of a county's store with next month's pensions and 低保 paid: the increment's new rows."""
    shutil.copy(source, target)
    store = open_store(target)
    with store.transaction() as tx:
        added = tx.execute(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "SELECT person_id, programme, '2026-11', amount_fen, '2026-11-12', account, 'P2026-11' FROM payments "
            "WHERE period = '2026-10' AND programme IN ('pension_basic', 'dibao')"
        ).rowcount
        store.note_ledger_date(tx)
    store.close()
    return added


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="8 × 6,250 persons, 10,000 complaints, 100 kiosks"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--offered", type=float, default=300.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument(
        "--per-county",
        type=int,
        help="persons per county (default 500,000; --quick 6,250): a run between the two",
    )
    args = parser.parse_args()
    per_county = args.per_county or (6_250 if args.quick else 500_000)
    persons = per_county * len(COUNTIES)
    complaint_count = 10_000 if args.quick else 400_000
    kiosk_count = 100 if args.quick else 1_000
    seconds = min(args.seconds, 10.0) if args.quick else args.seconds
    stores = county_stores(per_county)
    ledger_rows = sum(open_store(path).counts()["payments"] for path in stores)

    server = Postgres(
        "shared_buffers=4GB", "effective_cache_size=16GB", "max_connections=200", "max_wal_size=8GB"
    )
    hubs: list[subprocess.Popen] = []
    work = ROOT / "bench" / "out" / "province-work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        url = server.new_database()
        setup_started = time.perf_counter()
        first_seconds = 0.0
        for path in stores[:-1]:
            took, _, said = timed_publish(url, path)
            first_seconds += took
            print(said, flush=True)
        add_fleet(url, kiosk_count)
        from kiosk.hub.db import COUNTY_SPAN

        def place(person: int) -> tuple[int, str, str]:
            county = county_of(person, per_county)
            return int(county) * COUNTY_SPAN + person, f"{county}{person // 1000:06d}", county

        add_complaints(
            url,
            persons - per_county,
            complaint_count,
            kiosk_count=kiosk_count,
            make_kiosks=False,
            place=place,
        )
        secrets = register_kiosks(url, args.clients)
        for name, region in ((COUNTY_AUDITOR, COUNTIES[0]), (PREFECTURE_AUDITOR, PREFECTURE)):
            run(
                "hub",
                "--db",
                url,
                "--add-user",
                name,
                "--role",
                "auditor",
                "--region",
                region,
                stdin=PASSWORD + "\n",
            )
        print(f"set up in {time.perf_counter() - setup_started:.0f} s", flush=True)
        ports = start_hubs(hubs, url, args.processes, args.threads, MINGBAI_HUB_ESCALATE_EVERY="0")
        published = persons - per_county  # lookups go to the seven counties already published
        load(ports, secrets, published, args.clients, 5.0)  # warm the pools and caches
        figures: dict = {
            "persons": persons,
            "counties": len(COUNTIES),
            "ledger_rows": ledger_rows,
            "complaints": complaint_count,
            "kiosks": kiosk_count,
            "clients": args.clients,
            "hub_processes": args.processes,
            **floor(url, published, per_county, 2000),
            **load(ports, secrets, published, args.clients, seconds),
            **load(ports, secrets, published, args.clients, seconds, offered=args.offered),
        }
        samples = 60 if args.quick else 120
        paths, pages = inbox_paths(samples), 20 if args.quick else 40
        figures.update(pages_p99(ports[0], paths, samples, "inbox_county", COUNTY_AUDITOR))
        figures.update(pages_p99(ports[0], paths, samples, "inbox_prefecture", PREFECTURE_AUDITOR))
        figures.update(pages_p99(ports[0], ["/office/dashboard"], pages, "dashboard", PREFECTURE_AUDITOR))
        figures.update(pages_p99(ports[0], ["/office/fleet"], pages, "fleet", PREFECTURE_AUDITOR))
        figures.update(pages_p99(ports[0], ["/office/dashboard"], pages, "dashboard_county", COUNTY_AUDITOR))

        during: dict = {}
        last = stores[-1]
        county_rows = open_store(last).counts()
        full_rows = sum(county_rows[t] for t in ("persons", "enrolments", "payments"))
        stop = threading.Event()
        looker = threading.Thread(
            target=lambda: during.update(timed_lookups(ports, secrets, published, stop))
        )
        looker.start()
        took, rss, said = timed_publish(url, last)
        stop.set()
        looker.join()
        print(said, flush=True)
        figures.update(
            publish_county_rows=full_rows,
            publish_s=round(took, 1),
            publish_rows_per_s=round(full_rows / took),
            publish_rss_mb=rss,
            publish_lookup_p99_ms=during.get("p99_ms"),
            publish_lookup_count=during.get("count"),
            publish_lookup_failures=during.get("failures"),
            first_seven_publish_s=round(first_seconds, 1),
        )
        added = add_month(last, work / "increment.db")
        took, rss, said = timed_publish(url, work / "increment.db", "--increment")
        print(said, flush=True)
        increment_rows = added + county_rows["persons"] + county_rows["enrolments"]
        figures.update(
            increment_payments=added,
            increment_s=round(took, 1),
            increment_rows_per_s=round(increment_rows / took),
            increment_rss_mb=rss,
        )
        import psycopg

        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            rows = conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0]
        figures.update(
            db_mb=round(size / 2**20),
            db_ledger_rows=rows,
            db_mb_per_million_rows=round(size / 2**20 / (rows / 1e6), 1),
        )
    finally:
        for hub in hubs:
            hub.terminate()
            hub.wait(timeout=10)
        server.stop()
    offered = f"at{int(args.offered)}_"
    print(
        f"{persons:,} persons in {len(COUNTIES)} counties, {ledger_rows:,} ledger rows, {complaint_count:,} complaints, "
        f"{kiosk_count:,} kiosks; database {figures['db_mb']:,} MB ({figures['db_mb_per_million_rows']} MB per million ledger rows)"
    )
    print(
        f"lookups: saturated {figures['saturated_lookups_per_s']}/s (p99 {figures['saturated_p99_ms']} ms); "
        f"{int(args.offered)}/s offered: p99 {figures[offered + 'p99_ms']} ms; floor (bare SQL) p99 {figures['floor_sql_p99_ms']} ms"
    )
    print(
        f"inbox p99: county {figures['inbox_county_p99_ms']} ms, prefecture {figures['inbox_prefecture_p99_ms']} ms; "
        f"dashboard p99 {figures['dashboard_p99_ms']} ms, fleet p99 {figures['fleet_p99_ms']} ms"
    )
    print(
        f"publish one county: {figures['publish_county_rows']:,} rows in {figures['publish_s']} s "
        f"({figures['publish_rows_per_s']:,} rows/s, peak {figures['publish_rss_mb']} MB), lookup p99 meanwhile "
        f"{figures['publish_lookup_p99_ms']} ms; increment: {figures['increment_payments']:,} payments in "
        f"{figures['increment_s']} s"
    )
    figures["at300_p99_ms"] = figures.get(offered + "p99_ms")
    print(json.dumps(figures))
    return 0


def timed_lookups(ports: list[int], secrets: list, persons: int, stop: threading.Event) -> dict:
    """Lookups paced at 100/s over 10 clients until `stop`; latency from when each was due."""
    from hub import Client

    latencies: list[float] = []
    failed: list[int] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        rng = random.Random(100 + index)
        client = Client(ports[index % len(ports)], secrets[index])
        interval = 10 / 100.0
        due = time.perf_counter() + rng.uniform(0, interval)
        mine = []
        while not stop.is_set():
            time.sleep(max(0.0, due - time.perf_counter()))
            started, due = due, due + interval
            try:
                client.lookup(id_number(rng.randint(1, persons)))
            except (OSError, http.client.HTTPException):  # timed out (30 s) or cut: failed, never vanishes
                failed.append(1)
                client = Client(ports[index % len(ports)], secrets[index])
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "count": len(latencies),
        "failures": len(failed),
    }


if __name__ == "__main__":
    sys.exit(main())
