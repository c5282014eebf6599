"""Clinic staff at the hub: the accounts the administrator keeps for the county's kiosks, and the lookups
by typed ID number that kiosks report, with the flags a supervisor reads them by.

An account holds the badge's keyed hash and the PIN's argon2id hash only (kiosk.core.staff); a kiosk's
relay pulls the accounts meant for it (every kiosk, or the kiosks listed and those registered in the
townships listed) every poll, so a disabled account
stops working there within one poll interval. A PIN reset raises the account's version, which unlocks
it on the kiosks.

Flags on the lookups (each one a reason to look, not a finding):
- many: a helper's lookups in the period are more than three times the helpers' median, and at least 20;
- other village: the resident lives in a village none of the kiosk's own card users come from (the villages
  of the complaints filed there and of the card holders it looked up at the hub);
- complained: the resident filed a complaint after the lookup (a helper checking on who complains);
- refused: the kiosk refused the lookup (over the helper's hourly limit).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from argon2 import PasswordHasher

from kiosk.core.clock import in_china
from kiosk.core.complaint import show_tracking_number
from kiosk.core.staff import BADGE_KINDS, StaffError, badge_key, check_pin
from kiosk.hub import regions
from kiosk.hub.db import (
    as_dict,
    as_utc,
    complaints,
    lookup_log,
    persons,
    staff_accounts,
    staff_lookups,
    villages,
)
from kiosk.hub.db import (
    kiosks as kiosk_rows,
)
from kiosk.hub.store import HubStore

_hasher = PasswordHasher()
REASONS = {
    "card_lost": "卡丢失",
    "card_broken": "卡损坏",
    "unreadable": "读不出来",
    "for_elder": "帮老人查询",
}
OUTCOMES = {"found": "查到", "not_on_roster": "名册中没有", "refused": "超过上限被拒"}
MANY_FLOOR = 20  # fewer lookups than this in a period are never "many"
FLAG_NAMES = {
    "many": "查询次数异常多",
    "other_village": "不是本终端常见村的居民",
    "complained": "此人后来反映了问题",
    "refused": "超过每小时上限被拒",
}


# -- accounts ----------------------------------------------------------------------------------------------
def _listed(text: str) -> str:
    """ "clinic-7， clinic-8" → "clinic-7,clinic-8": kiosk ids or township names, as the account keeps them."""
    names = sorted(
        {part.strip() for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()}
    )
    if any(len(part) > 64 for part in names):
        raise StaffError("bad_kiosks", "终端编号或乡镇名称太长")
    return ",".join(names)


def create_staff(
    store: HubStore,
    *,
    name: str,
    title: str,
    badge_kind: str,
    badge: str,
    pin: str,
    kiosks: str,
    secret: str,
    by: str,
    now: dt.datetime,
    townships: str = "",
    region: str = "",
) -> None:
    """A new account for the kiosks within `region` (StaffError: a name or badge already taken, a bad badge
    or PIN)."""
    name = name.strip()
    if not name or len(name) > 40:
        raise StaffError("unknown", "请填写1到40个字的姓名")
    if badge_kind not in BADGE_KINDS:
        raise StaffError("bad_badge", "胸卡只能是身份证或芯片卡")
    key = badge_key(badge_kind, badge, secret)
    row = {
        "name": name,
        "title": title.strip()[:40],
        "badge_kind": badge_kind,
        "badge_key": key,
        "pin_hash": _hasher.hash(check_pin(pin)),
        "kiosks": _listed(kiosks),
        "townships": _listed(townships),
        "region": region,
        "created_by": by,
        "created_at": now,
    }
    with store.engine.begin() as conn:
        taken = conn.execute(
            sa.select(staff_accounts.c.name).where(
                (staff_accounts.c.name == name) | (staff_accounts.c.badge_key == key)
            )
        ).first()
        if taken is not None:
            raise StaffError(
                "taken", "已有同名账号" if taken[0] == name else "这张胸卡已经登记给别的工作人员"
            )
        conn.execute(staff_accounts.insert().values(**row))


def staff_within(store: HubStore, name: str, region: str) -> bool:
    """Whether the account `name` exists within `region` (an administrator's: others' are not theirs)."""
    with store.engine.connect() as conn:
        found = conn.execute(
            sa.select(staff_accounts.c.name).where(
                staff_accounts.c.name == name, regions.within(region, staff_accounts.c.region)
            )
        ).first()
    return found is not None


def reset_staff_pin(store: HubStore, name: str, pin: str) -> bool:
    """A new PIN; the new version unlocks the account on every kiosk at its next pull."""
    pin_hash = _hasher.hash(check_pin(pin))
    with store.engine.begin() as conn:
        done = conn.execute(
            staff_accounts.update()
            .where(staff_accounts.c.name == name)
            .values(pin_hash=pin_hash, version=staff_accounts.c.version + 1)
        )
    return done.rowcount == 1


def set_staff_kiosks(store: HubStore, name: str, kiosks: str, townships: str = "") -> bool:
    """Which kiosks the account is for: those listed, and those registered in the townships listed."""
    with store.engine.begin() as conn:
        done = conn.execute(
            staff_accounts.update()
            .where(staff_accounts.c.name == name)
            .values(kiosks=_listed(kiosks), townships=_listed(townships))
        )
    return done.rowcount == 1


def disable_staff(store: HubStore, name: str, now: dt.datetime) -> bool:
    with store.engine.begin() as conn:
        done = conn.execute(
            staff_accounts.update()
            .where(staff_accounts.c.name == name, staff_accounts.c.disabled_at.is_(None))
            .values(disabled_at=now)
        )
    return done.rowcount == 1


def list_staff(store: HubStore, within: str = "") -> list[dict]:
    """The accounts within the region `within`, by name."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                staff_accounts.c.name,
                staff_accounts.c.title,
                staff_accounts.c.badge_kind,
                staff_accounts.c.version,
                staff_accounts.c.kiosks,
                staff_accounts.c.townships,
                staff_accounts.c.region,
                staff_accounts.c.created_by,
                staff_accounts.c.created_at,
                staff_accounts.c.disabled_at,
            )
            .where(regions.within(within, staff_accounts.c.region))
            .order_by(staff_accounts.c.name)
        ).mappings()
        return [d for d in (as_dict(row) for row in rows) if d is not None]


def staff_for_kiosk(store: HubStore, kiosk_id: str) -> list[dict]:
    """The enabled accounts meant for `kiosk_id` (listed, in its township, or for every kiosk of the
    account's region), as the kiosk keeps them."""
    with store.engine.connect() as conn:
        township, kiosk_region = conn.execute(
            sa.select(kiosk_rows.c.township, kiosk_rows.c.region).where(kiosk_rows.c.kiosk_id == kiosk_id)
        ).first() or (None, "")
        rows = conn.execute(
            sa.select(
                staff_accounts.c.name,
                staff_accounts.c.title,
                staff_accounts.c.badge_kind,
                staff_accounts.c.badge_key,
                staff_accounts.c.pin_hash,
                staff_accounts.c.version,
                staff_accounts.c.kiosks,
                staff_accounts.c.townships,
                staff_accounts.c.region,
            )
            .where(staff_accounts.c.disabled_at.is_(None))
            .order_by(staff_accounts.c.name)
        ).mappings()
        return [
            {key: row[key] for key in ("name", "title", "badge_kind", "badge_key", "pin_hash", "version")}
            for row in rows
            if regions.contains(row["region"], kiosk_region)
            and (
                (not row["kiosks"] and not row["townships"])
                or kiosk_id in row["kiosks"].split(",")
                or (township is not None and township in row["townships"].split(","))
            )
        ]


# -- lookups ---------------------------------------------------------------------------------------------
def receive_lookup(store: HubStore, kiosk_id: str, lookup: dict, now: dt.datetime) -> bool:
    """Keep a kiosk's report of one typed lookup; False if it was received before (the relay retries)."""
    with store.engine.begin() as conn:
        seen = conn.execute(
            sa.select(staff_lookups.c.id).where(
                staff_lookups.c.kiosk_id == kiosk_id, staff_lookups.c.uuid == lookup["uuid"]
            )
        ).first()
        if seen is not None:
            return False
        conn.execute(
            staff_lookups.insert().values(
                kiosk_id=kiosk_id,
                uuid=lookup["uuid"],
                staff_name=lookup["staff_name"],
                staff_title=lookup.get("staff_title", ""),
                reason=lookup["reason"],
                masked_id=lookup["masked_id"],
                person_key=lookup["person_key"],
                outcome=lookup["outcome"],
                at=dt.datetime.fromisoformat(lookup["at"]),
                received_at=now,
            )
        )
    return True


@dataclass
class LookupReport:
    """The staff lookups of a period: each row with its flags, and one summary line per helper and kiosk."""

    rows: list[dict]
    summary: list[dict]
    median: float
    kiosks_without_villages: list[str] = field(default_factory=list)


def lookup_report(store: HubStore, since: dt.datetime, until: dt.datetime, region: str = "") -> LookupReport:
    """The typed lookups made between `since` and `until` at the kiosks within `region`."""
    at_kiosks = sa.select(kiosk_rows.c.kiosk_id).where(regions.within(region, kiosk_rows.c.region))
    with store.engine.connect() as conn:
        resident = (
            sa.select(persons.c.person_key, persons.c.village_code, villages.c.name.label("village_name"))
            .join(villages, villages.c.code == persons.c.village_code, isouter=True)
            .subquery()
        )
        rows = [
            d
            for d in (
                as_dict(row)
                for row in conn.execute(
                    sa.select(staff_lookups, resident.c.village_code, resident.c.village_name)
                    .join(resident, resident.c.person_key == staff_lookups.c.person_key, isouter=True)
                    .where(staff_lookups.c.at >= since, staff_lookups.c.at < until)
                    .where(staff_lookups.c.kiosk_id.in_(at_kiosks) if region else sa.true())
                    .order_by(staff_lookups.c.at.desc())
                ).mappings()
            )
            if d is not None
        ]
        kiosk_ids = sorted({row["kiosk_id"] for row in rows})
        keys = sorted({row["person_key"] for row in rows})
        home: dict[str, set[str]] = defaultdict(set)
        if kiosk_ids:
            for kiosk_id, village in conn.execute(
                sa.select(complaints.c.kiosk_id, complaints.c.village_code)
                .where(complaints.c.kiosk_id.in_(kiosk_ids), complaints.c.village_code.is_not(None))
                .distinct()
            ):
                home[kiosk_id].add(village)
            for kiosk_id, village in conn.execute(
                sa.select(lookup_log.c.kiosk_id, persons.c.village_code)
                .join(persons, persons.c.id == lookup_log.c.person_id)
                .where(lookup_log.c.kiosk_id.in_(kiosk_ids), persons.c.village_code.is_not(None))
                .distinct()
            ):
                home[kiosk_id].add(village)
        later: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        if keys:
            for key, received_at, tracking in conn.execute(
                sa.select(complaints.c.person_key, complaints.c.received_at, complaints.c.tracking_no).where(
                    complaints.c.person_key.in_(keys)
                )
            ):
                received = as_utc(received_at)
                if received is not None:
                    later[key].append((received, tracking))
    per_staff = Counter(row["staff_name"] for row in rows)
    median = statistics.median(per_staff.values()) if per_staff else 0.0
    many = {name for name, count in per_staff.items() if count >= MANY_FLOOR and count > 3 * median}
    for row in rows:
        flags = []
        if row["staff_name"] in many:
            flags.append("many")
        village = row.get("village_code")
        if village and home.get(row["kiosk_id"]) and village not in home[row["kiosk_id"]]:
            flags.append("other_village")
        after = sorted(t for at, t in later.get(row["person_key"], []) if at > row["at"])
        if after:
            flags.append("complained")
            row["complaints_after"] = [show_tracking_number(t) for t in after]
        if row["outcome"] == "refused":
            flags.append("refused")
        row["flags"] = flags
    summary: dict[tuple[str, str], dict] = {}
    for row in rows:
        line = summary.setdefault(
            (row["staff_name"], row["kiosk_id"]),
            {
                "staff_name": row["staff_name"],
                "staff_title": row["staff_title"],
                "kiosk_id": row["kiosk_id"],
                "lookups": 0,
                "residents": set(),
                "other_village": 0,
                "complained": 0,
                "refused": 0,
                "many": row["staff_name"] in many,
                "last_at": row["at"],
            },
        )
        line["lookups"] += 1
        line["residents"].add(row["person_key"])
        for flag in ("other_village", "complained", "refused"):
            line[flag] += flag in row["flags"]
    lines = sorted(summary.values(), key=lambda line: (-line["lookups"], line["staff_name"]))
    for line in lines:
        line["residents"] = len(line["residents"])
    return LookupReport(rows, lines, float(median), [k for k in kiosk_ids if not home.get(k)])


LOOKUP_HEADERS = [
    "时间（北京时间）",
    "工作人员",
    "职务",
    "终端",
    "原因",
    "身份证号（遮挡）",
    "居民所在村",
    "结果",
    "提示",
    "之后的反映",
]


def lookup_rows(report: LookupReport) -> list[list[str]]:
    return [
        [
            in_china(row["at"]).strftime("%Y-%m-%d %H:%M"),
            row["staff_name"],
            row["staff_title"],
            row["kiosk_id"],
            REASONS.get(row["reason"], row["reason"]),
            row["masked_id"],
            row.get("village_name") or row.get("village_code") or "",
            OUTCOMES.get(row["outcome"], row["outcome"]),
            "；".join(FLAG_NAMES[flag] for flag in row["flags"]),
            "、".join(row.get("complaints_after", [])),
        ]
        for row in report.rows
    ]
