"""The relay: deliver the kiosk's outbox to the hub, signed, with exponential backoff and jitter; deliver
the helpers' typed lookups the same way; and pull what the hub keeps for the kiosk (complaint statuses and
replies, the clinic staff accounts meant for it).

Its whole state is in the outbox table, so it survives restarts and power cuts; a
message leaves the outbox only when the hub has acknowledged it (2xx). Nothing is
ever dropped: a refusal (4xx) is retried at the longest interval and shown by
`kiosk doctor` until someone fixes the cause.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
import threading
import time
from pathlib import Path

from kiosk.core.clock import china_today
from kiosk.core.version import software_version
from kiosk.link import paths
from kiosk.link.client import HubClient, HubUnreachableError
from kiosk.store import HubStaff, Store

log = logging.getLogger(__name__)


class Relay:
    def __init__(
        self,
        db_path: Path,
        *,
        hub_url: str,
        kiosk_id: str,
        secret: str,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        timeout: float = 10.0,
        rng: random.Random | None = None,
        status_every: float = 300.0,
    ) -> None:
        self.status_every = dt.timedelta(seconds=status_every)
        self.store = Store(db_path)
        self.client = HubClient(hub_url, kiosk_id=kiosk_id, secret=secret, timeout=timeout)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.rng = rng or random.Random()  # noqa: S311 - retry jitter, not a secret
        self.heartbeat_every = 60.0
        self._last_heartbeat = 0.0
        self._last_staff_pull: float | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)

    def nudge(self) -> None:
        """Deliver now (a complaint was just filed)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
                self.deliver_staff_lookups()
                self.pull_statuses()
                if (
                    self._last_staff_pull is None
                    or time.monotonic() - self._last_staff_pull >= self.status_every.total_seconds()
                ):
                    self.pull_staff()
                if time.monotonic() - self._last_heartbeat >= self.heartbeat_every:
                    self.send_heartbeat()
            except Exception:  # noqa: BLE001 - the relay must outlive any surprise
                log.exception("relay pass failed")
            self._wake.wait(timeout=1.0)
            self._wake.clear()
        self.store.close()

    def pull_statuses(self, now: dt.datetime | None = None, every: dt.timedelta | None = None) -> int:
        """Fetch status and replies of delivered complaints not checked for `every`; return how many were checked."""
        now = now or dt.datetime.now(dt.UTC)
        every = self.status_every if every is None else every
        changed = 0
        for uuid in self.store.complaints_to_check((now - every).isoformat(timespec="seconds")):
            try:
                status, body = self.client.request("GET", paths.complaint_path(paths.COMPLAINT_RULE, uuid))
                answer = json.loads(body) if status == 200 else None
            except (HubUnreachableError, ValueError) as error:
                log.info("status of a complaint not fetched: %s", error)
                return changed
            if not isinstance(answer, dict):
                log.info("status of a complaint not fetched: the hub answered %s", status)
                return changed
            self.store.set_hub_status(
                uuid,
                str(answer.get("status", "")),
                json.dumps(answer.get("replies", []), ensure_ascii=False),
                now.isoformat(timespec="seconds"),
                words=str(answer.get("status_words", "")),
                may_reopen=answer.get("may_reopen") is True,
                outcome=str(answer.get("outcome") or "")[:16],
                due_at=str(answer["due_at"])[:40] if isinstance(answer.get("due_at"), str) else None,
            )
            changed += 1
        return changed

    def pull_staff(self, now: dt.datetime | None = None) -> bool:
        """Make the hub's staff accounts for this kiosk the kiosk's (a disabled one stops working now); False
        if the hub did not answer with a list, which leaves the accounts as they were."""
        self._last_staff_pull = time.monotonic()
        now = now or dt.datetime.now(dt.UTC)
        try:
            status, body = self.client.request("GET", paths.full(paths.STAFF))
            answer = json.loads(body) if status == 200 else None
        except (HubUnreachableError, ValueError) as error:
            log.info("staff accounts not pulled: %s", error)
            return False
        listed = answer.get("accounts") if isinstance(answer, dict) else None
        if not isinstance(listed, list):
            log.info("staff accounts not pulled: the hub answered %s", status)
            return False
        accounts = [account for account in (_hub_staff(item) for item in listed) if account is not None]
        with self.store.transaction() as tx:
            changed, disabled = self.store.sync_hub_staff(tx, accounts, now.isoformat(timespec="seconds"))
        if changed or disabled:
            log.info("staff accounts from the hub: %d added or changed, %d disabled", changed, disabled)
            self.store.record_audit(
                "hub", "staff_accounts_pulled", "", f"{changed} changed, {disabled} disabled"
            )
        return True

    def deliver_staff_lookups(self, now: dt.datetime | None = None) -> int:
        """Send the helpers' typed lookups not yet acknowledged; a failure waits a minute (a refusal, the
        longest interval) and is retried: none is ever dropped."""
        now = now or dt.datetime.now(dt.UTC)
        delivered = 0
        for lookup in self.store.due_staff_lookups(now.isoformat(timespec="seconds")):
            body = json.dumps(
                {
                    "uuid": lookup.uuid,
                    "staff_name": lookup.staff_name,
                    "staff_title": lookup.staff_title,
                    "reason": lookup.reason,
                    "masked_id": lookup.masked_id,
                    "person_key": lookup.person_key,
                    "outcome": lookup.outcome,
                    "at": lookup.at,
                },
                ensure_ascii=False,
            )
            try:
                status, text = self.client.request("POST", paths.full(paths.STAFF_LOOKUPS), body.encode())
            except HubUnreachableError as error:
                status, text = 0, str(error).encode()
            if 200 <= status < 300:
                self.store.mark_staff_lookup_delivered(lookup.uuid, now.isoformat(timespec="seconds"))
                delivered += 1
                continue
            wait = self.max_delay if 400 <= status < 500 else min(self.max_delay, 60.0)
            next_at = (now.replace(microsecond=0) + dt.timedelta(seconds=math.ceil(wait))).isoformat()
            why = f"HTTP {status}: {text.decode(errors='replace')[:200]}"
            log.warning("staff lookup not delivered: %s", why)
            self.store.mark_staff_lookup_failed(lookup.uuid, next_at, why)
            if status == 0:
                break  # the hub is down: the rest wait for the next pass
        return delivered

    def send_heartbeat(self) -> bool:
        """Tell the hub this kiosk is alive and how much waits in its outbox; False if the hub did not hear."""
        self._last_heartbeat = time.monotonic()
        try:
            status, _ = self.client.request(
                "POST", paths.full(paths.HEARTBEAT), heartbeat_payload(self.store).encode()
            )
        except HubUnreachableError as error:
            log.info("heartbeat not delivered: %s", error)
            return False
        self._note_clock()
        return 200 <= status < 300

    def _note_clock(self) -> None:
        """Keep how far this kiosk's clock is from the hub's, for doctor and the next heartbeat."""
        skew = self.client.clock_skew
        if skew is None:
            return
        seconds = str(round(skew))
        if self.store.get_meta("clock_skew_seconds") != seconds:
            with self.store.transaction() as tx:
                self.store.set_meta(tx, "clock_skew_seconds", seconds)

    def _send(self, kind: str, uuid: str, payload: str) -> tuple[int, str]:
        path = {
            "submit": paths.full(paths.COMPLAINTS),
            "withdraw": paths.complaint_path(paths.WITHDRAWAL_RULE, uuid),
            "reopen": paths.complaint_path(paths.REOPENING_RULE, uuid),
        }[kind]
        status, body = self.client.request("POST", path, payload.encode())
        return status, body.decode(errors="replace")

    def deliver_due(self, now: dt.datetime | None = None) -> int:
        """Send every due outbox message once; return how many the hub acknowledged."""
        now = now or dt.datetime.now(dt.UTC)
        delivered = 0
        for outbox_id, uuid, kind, payload, attempts in self.store.due_outbox(
            now.isoformat(timespec="seconds")
        ):
            try:
                status, text = self._send(kind, uuid, payload)
            except HubUnreachableError as error:  # hub down, cut mid-answer, timeout
                status, text = 0, f"{type(error).__name__}: {error}"
            if 200 <= status < 300:
                self.store.mark_delivered(outbox_id, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
                delivered += 1
                continue
            refused = 400 <= status < 500 and status not in (401, 408, 429)
            delay = self.max_delay if refused else min(self.max_delay, self.base_delay * 2**attempts)
            delay *= self.rng.uniform(0.5, 1.5) if not refused else 1
            # whole seconds, rounded up: the outbox compares ISO times at seconds precision
            next_at = (
                now.replace(microsecond=0) + dt.timedelta(seconds=max(1, math.ceil(delay)))
            ).isoformat()
            why = f"HTTP {status}: {text[:200]}" if status else text
            log.warning("outbox %s (%s) not delivered, attempt %d: %s", outbox_id, kind, attempts + 1, why)
            self.store.mark_attempt_failed(outbox_id, attempts + 1, next_at, why)
        return delivered


def _hub_staff(item: object) -> HubStaff | None:
    """One account of the hub's list, or None if any field is missing or of the wrong kind."""
    if not isinstance(item, dict):
        return None
    try:
        account = HubStaff(
            name=str(item["name"])[:40],
            title=str(item.get("title", ""))[:40],
            badge_kind=str(item["badge_kind"]),
            badge_key=str(item["badge_key"]),
            pin_hash=str(item["pin_hash"]),
            version=int(item["version"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if account.badge_kind not in ("id", "chip") or not account.pin_hash.startswith("$argon2id$"):
        return None
    return account


_STARTED = time.monotonic()


def heartbeat_payload(store: Store) -> str:
    """Backlog, today's card reads, uptime, the software's version, the ledger's date, when the last snapshot
    was taken and what the last `kiosk doctor` found wrong: what the hub's fleet page shows of this kiosk (a
    remote kiosk holds no ledger: no date)."""
    today = china_today().isoformat()
    data_date = store.data_date()
    return json.dumps(
        {
            "outbox_backlog": store.outbox_backlog(),
            "card_reads_today": store.card_reads_on(today),
            "uptime_seconds": int(time.monotonic() - _STARTED),
            "software_version": software_version(),
            **({"clock_skew_seconds": int(skew)} if (skew := store.get_meta("clock_skew_seconds")) else {}),
            **({"data_date": data_date.isoformat()} if data_date else {}),
            **({"doctor": _doctor(doctor)} if (doctor := store.get_meta("doctor_results")) else {}),
            **({"snapshot_at": taken} if (taken := store.get_meta("snapshot_applied_at")) else {}),
        }
    )


def _doctor(text: str) -> dict:
    """The last `kiosk doctor` results as the store keeps them (an unreadable record: none)."""
    try:
        results = json.loads(text)
    except ValueError:
        return {}
    return results if isinstance(results, dict) else {}
