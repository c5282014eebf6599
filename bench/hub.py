"""The hub under load, on PostgreSQL: kiosk lookups per second and their p99 with 50 concurrent clients, and
the supervisors' filtered inbox p99.

Builds (or reuses) the synthetic prefecture of bench/lookup.py as a SQLite store, publishes it into a
throwaway PostgreSQL cluster with `kiosk hub --publish` (COPY), adds 100,000 complaints spread over a year,
then starts real `kiosk hub` processes (waitress) on loopback. Clients sign each request as a kiosk would;
every lookup is a real one: signature, nonce, three queries, reconciliation, JSON.

    python bench/hub.py            # 1,000,000 persons, ~14 M ledger rows, 100,000 complaints
    python bench/hub.py --quick    # 50,000 persons, ~0.9 M rows, 10,000 complaints
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from benchlib import free_port, id_number, percentile  # noqa: E402
from lookup import build, fixture_ok  # noqa: E402

from kiosk.link.signing import sign  # noqa: E402
from kiosk.store import open_store  # noqa: E402
from tests.helpers.pgserver import Postgres  # noqa: E402

KIOSK = str(Path(sys.executable).with_name("kiosk"))
PASSWORD = "bench passphrase 1"
CATEGORIES = ("not_received", "wrong_amount", "removed", "impersonated", "should_qualify", "other")
DEPARTMENTS = ("县民政局", "县人力资源和社会保障局", "县农业农村局")


def run(*args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [KIOSK, *args], input=stdin, capture_output=True, text=True, env={**os.environ, "MINGBAI_CONFIG": ""}
    )
    if done.returncode:
        raise SystemExit(f"kiosk {' '.join(args[:3])} failed: {done.stderr}")
    return done.stdout


def add_complaints(
    url: str,
    persons: int,
    count: int,
    *,
    kiosk_count: int = 100,
    make_kiosks: bool = True,
    place: Callable[[int], tuple[int, str | None, str]] = lambda person: (person, None, ""),
) -> None:
    """`count` complaints from `kiosk_count` kiosks over the last year, a third of them somewhere along the
    workflow; `place(n)` gives synthetic person n's hub id, village and county (bench/province.py)."""
    import sqlalchemy as sa

    from kiosk.core.complaint import person_key
    from kiosk.hub.db import complaints, kiosks
    from kiosk.hub.intake import case_fields
    from kiosk.hub.regions import of_village
    from kiosk.hub.store import HubStore

    store = HubStore(url)
    rng = random.Random(11)
    now = dt.datetime.now(dt.UTC)
    if make_kiosks:
        with store.engine.begin() as conn:
            conn.execute(
                sa.insert(kiosks),
                [{"kiosk_id": f"kiosk-{k}", "secret": "x", "created_at": now} for k in range(kiosk_count)],
            )
    rows = []
    for n in range(count):
        person = rng.randint(1, persons)
        received = now - dt.timedelta(minutes=rng.randint(0, 525_600))
        payload = {
            "uuid": f"00000000-0000-4000-8000-{n:012d}",
            "tracking_no": f"B{n:08d}",
            "kiosk_id": f"kiosk-{n % kiosk_count}",
            "person_key": person_key(id_number(person), "bench"),
            "masked_id": "x",
            "programme": rng.choice(("farmland", "pension_basic", "dibao")),
            "period": "2025-03",
            "category": rng.choice(CATEGORIES),
            "created_at": received.isoformat(),
            "evidence": {
                "programme_name": "城乡居民基础养老金",
                "period_label": "2025年3月",
                "status_label": "未发放",
                "explanation": f"第{n}件 每月标准123.00元",
            },
        }
        status = rng.choice(("received", "received", "assigned", "verifying", "answered", "closed"))
        row = {
            "kiosk_id": payload["kiosk_id"],
            "uuid": payload["uuid"],
            "tracking_no": payload["tracking_no"],
            "person_key": payload["person_key"],
            "payload": json.dumps(payload, ensure_ascii=False),
            "payload_sha256": "-",
            "received_at": received,
            **dict(zip(("person_id", "village_code", "county"), place(person), strict=True)),
            "region": of_village(*place(person)[1:]),
            "status": status,
            "department": None,
            "assigned_at": None,
            "due_at": None,
            **case_fields(payload),
        }
        if status != "received":
            row.update(
                department=rng.choice(DEPARTMENTS),
                assigned_at=received,
                due_at=received + dt.timedelta(days=15),
            )
        rows.append(row)
        if len(rows) == 10_000:
            with store.engine.begin() as conn:
                conn.execute(sa.insert(complaints), rows)
            rows = []
    if rows:
        with store.engine.begin() as conn:
            conn.execute(sa.insert(complaints), rows)
    from kiosk.hub.cases import escalate_overdue

    escalate_overdue(store, now)  # the steady state: the overdue ones were escalated when they fell due
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE complaints"))
        conn.execute(sa.text("ANALYZE complaint_events"))
    store.close()


KIOSKS_PER_CLIENT = (
    20  # each load thread speaks for a row of kiosks: a real kiosk makes < 240 lookups an hour
)


def register_kiosks(url: str, clients: int) -> list[list[tuple[str, str]]]:
    """KIOSKS_PER_CLIENT busy kiosks per client (each reporting many card reads, so the hub's per-kiosk
    lookup limits measure as they would in a county, not as a single credential hammering the hub)."""
    from kiosk.hub.store import HubStore

    store = HubStore(url)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for c in range(clients):
        mine = []
        for k in range(KIOSKS_PER_CLIENT):
            kiosk_id = f"bench-{c}-{k}"
            mine.append((kiosk_id, store.register_kiosk(kiosk_id, now)))
            store.heartbeat(kiosk_id, {"card_reads_today": 5000, "outbox_backlog": 0}, now)
        rows.append(mine)
    store.close()
    return rows


class Client:
    """A row of kiosks' keep-alive connection to a hub, signing every request as the next kiosk of the row."""

    def __init__(self, port: int, credentials: list[tuple[str, str]]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.credentials = credentials
        self.turn = 0

    def lookup(self, number: str) -> int:
        body = json.dumps({"id_number": number, "today": "2026-11-22"}).encode()
        kiosk_id, secret = self.credentials[self.turn % len(self.credentials)]
        self.turn += 1
        headers = {
            "Content-Type": "application/json",
            **sign(kiosk_id=kiosk_id, secret=secret, method="POST", path="/api/v1/lookup", body=body),
        }
        self.connection.request("POST", "/api/v1/lookup", body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        return response.status


def load(
    ports: list[int],
    secrets: list[list[tuple[str, str]]],
    persons: int,
    clients: int,
    seconds: float,
    offered: float = 0.0,
) -> dict:
    """`clients` threads, each a kiosk, looking up random persons for `seconds`.

    offered = 0: each client sends its next request as soon as the last is answered (the hub's saturation
    throughput). offered = N/s: together the clients send N a second on a fixed schedule, and a latency is
    counted from the moment a request was *due*, so a hub that falls behind is charged for the queue."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(index)
        client = Client(ports[index % len(ports)], secrets[index])
        mine, bad = [], []
        interval = clients / offered if offered else 0.0
        due = time.perf_counter() + rng.uniform(0, interval)
        while time.monotonic() < stop:
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
                started = due
                due += interval
            else:
                started = time.perf_counter()
            status = client.lookup(id_number(rng.randint(1, persons)))
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    prefix = f"at{int(offered)}_" if offered else "saturated_"
    return {
        f"{prefix}lookups": len(latencies),
        f"{prefix}lookups_per_s": round(len(latencies) / elapsed, 1),
        f"{prefix}p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        f"{prefix}p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        f"{prefix}failures": len(failures),
    }


def inbox_p99(port: int, samples: int) -> dict:
    """An auditor's filtered inbox pages, one after another: p50/p99 of the whole page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f"name=bench-auditor&password={PASSWORD.replace(' ', '+')}"
    connection.request(
        "POST", "/office/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    rng = random.Random(5)
    filters = [
        lambda: "status=assigned",
        lambda: f"category={rng.choice(CATEGORIES)}&sort=due_asc",
        lambda: f"programme=dibao&status={rng.choice(('received', 'answered'))}&page={rng.randint(1, 20)}",
        lambda: "overdue=1",
        lambda: f"department={DEPARTMENTS[0]}&per_page=100",
        lambda: f"q=第{rng.randint(0, 9999)}件",
        lambda: f"kiosk=kiosk-{rng.randint(0, 99)}&from=2026-06-01",
    ]
    times = []
    for n in range(samples):
        query = filters[n % len(filters)]()
        started = time.perf_counter()
        connection.request(
            "GET", "/office/?" + urllib.parse.quote(query, safe="=&"), headers={"Cookie": cookie}
        )
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"inbox answered {response.status} for {query}")
    return {
        "inbox_p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "inbox_p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "inbox_samples": samples,
    }


def start_hubs(hubs: list[subprocess.Popen], url: str, processes: int, threads: int, **env: str) -> list[int]:
    """`processes` real `kiosk hub` processes on free loopback ports (appended to `hubs`), once each answers."""
    ports = [free_port() for _ in range(processes)]
    for port in ports:
        hubs.append(
            subprocess.Popen(
                [KIOSK, "hub", "--db", url, "--port", str(port), "--threads", str(threads)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "MINGBAI_CONFIG": "", **env},
            )
        )
    for port in ports:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
    return ports


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="50,000 persons and 10,000 complaints")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--offered", type=float, default=300.0, help="lookups/s offered in the paced run (300)"
    )
    parser.add_argument("--processes", type=int, default=4, help="hub processes sharing the load (default 4)")
    parser.add_argument("--threads", type=int, default=3, help="waitress threads per hub process (default 3)")
    args = parser.parse_args()
    persons = 50_000 if args.quick else 1_000_000
    complaints = 10_000 if args.quick else 100_000
    seconds = min(args.seconds, 10.0) if args.quick else args.seconds

    source = ROOT / "bench" / "out" / f"lookup-{persons}.db"
    if not fixture_ok(source, persons):
        source.unlink(missing_ok=True)
        source.parent.mkdir(parents=True, exist_ok=True)
        print(f"Building a synthetic store of {persons:,} persons at {source} …", flush=True)
        build(source, persons)
    ledger_rows = open_store(source).counts()["payments"]

    server = Postgres("shared_buffers=4GB", "effective_cache_size=16GB", "max_connections=200")
    hubs: list[subprocess.Popen] = []
    try:
        url = server.new_database()
        started = time.perf_counter()
        print(run("hub", "--db", url, "--publish", str(source), "--skip-checks").strip(), flush=True)
        publish_s = time.perf_counter() - started
        add_complaints(url, persons, complaints)
        secrets = register_kiosks(url, args.clients)
        run("hub", "--db", url, "--add-user", "bench-auditor", "--role", "auditor", stdin=PASSWORD + "\n")
        ports = start_hubs(hubs, url, args.processes, args.threads)
        load(ports, secrets, persons, args.clients, 5.0)  # warm the pools and caches
        figures = {
            "persons": persons,
            "ledger_rows": ledger_rows,
            "complaints": complaints,
            "publish_s": round(publish_s, 1),
            "clients": args.clients,
            "hub_processes": args.processes,
            **load(ports, secrets, persons, args.clients, seconds),
            **load(ports, secrets, persons, args.clients, seconds, offered=args.offered),
            **inbox_p99(ports[0], 70 if args.quick else 210),
        }
    finally:
        for hub in hubs:
            hub.terminate()
            hub.wait(timeout=10)
        server.stop()
    print(
        f"{figures['persons']:,} persons, {figures['ledger_rows']:,} ledger rows, {figures['complaints']:,} complaints "
        f"in PostgreSQL (published in {figures['publish_s']} s)"
    )
    offered = f"at{int(args.offered)}_"
    print(
        f"lookups, {args.clients} clients on {args.processes} hub processes: saturated "
        f"{figures['saturated_lookups_per_s']}/s (p50 {figures['saturated_p50_ms']} ms, p99 "
        f"{figures['saturated_p99_ms']} ms); {int(args.offered)}/s offered: {figures[offered + 'lookups_per_s']}/s "
        f"served, p50 {figures[offered + 'p50_ms']} ms, p99 {figures[offered + 'p99_ms']} ms; failures "
        f"{figures['saturated_failures'] + figures[offered + 'failures']}"
    )
    print(f"inbox (filtered list page): p50 {figures['inbox_p50_ms']} ms, p99 {figures['inbox_p99_ms']} ms")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
