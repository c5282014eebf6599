"""The evidence view of one complaint: the owed-vs-paid snapshot taken at filing, the reconciliation as it
stands now for that person and programme, the ledger rows behind it, the supervision-check findings that
touch them, and the complaints related to it (same person, same programme, same village pattern).

Identifiers leave here masked: the ID number is used only to recompute the reconciliation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from device.idnumber import IdNumberError, parse_id_number
from kiosk.backend import PersonNotFoundError
from kiosk.core.complaint import OBJECTION
from kiosk.core.person import mask_name
from kiosk.hub import roster
from kiosk.hub.db import complaints
from kiosk.hub.patterns import cadres_of, same_cadre
from kiosk.hub.store import HubStore
from kiosk.rules.reconcile import Status

FINDING_STATUSES = {
    Status.PAID_AFTER_DEATH: "去世后仍有发放",
    Status.PAID_WITHOUT_ENTITLEMENT: "无资格却有发放",
    Status.OVERPAID: "多发或重复发放",
}
PATTERN_WINDOW = dt.timedelta(days=90)


@dataclass
class Evidence:
    snapshot: dict
    current: list = field(default_factory=list)  # reconciliation lines now, for the programme
    ledger: list[dict] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    same_person: list[dict] = field(default_factory=list)
    same_village_programme: int = 0
    note: str = ""  # why a part is missing (no roster, person not found)
    household: list[dict] = field(default_factory=list)  # an objection's household: members, their findings
    same_household: list[dict] = field(default_factory=list)  # complaints about its other members
    cadres: dict[str, list[str]] = field(default_factory=dict)  # who approved or paid it, where the data says
    same_cadre: list[dict] = field(default_factory=list)  # other cases those cadres approved, paid or entered


def gather(store: HubStore, lookups: roster.RosterLookups, case: dict, today: dt.date, scope) -> Evidence:  # type: ignore[no-untyped-def]
    """Everything the evidence view shows for `case` (a row from cases.case); related complaints only within
    `scope` (what the viewer may see)."""
    evidence = Evidence(snapshot=case["payload"].get("evidence", {}))
    evidence.same_person, evidence.same_village_programme = _related(store, case, scope)
    backend = lookups.backend()
    if case["person_id"] is None or backend is None:
        evidence.note = "中心库中没有此人的名册信息（名册未发布，或提交后名册有变化），只能看提交时的证据"
        return evidence
    number = roster.id_number_of(store.engine, case["person_id"])
    try:
        picture = backend.look_up(parse_id_number(number or ""), today=today)
    except (IdNumberError, PersonNotFoundError):
        evidence.note = "名册中已没有此人"
        return evidence
    programme = case["programme"]
    evidence.current = [line for line in picture.reconciliation.lines if line.programme == programme]
    evidence.ledger = roster.ledger_rows(store.engine, case["person_id"], programme) if programme else []
    for line in picture.reconciliation.lines:
        if line.status in FINDING_STATUSES:
            evidence.findings.append(
                f"{FINDING_STATUSES[line.status]}：{line.programme} {line.period.label_zh}"
            )
    sharers = roster.account_sharers(store.engine, case["person_id"])
    if sharers:
        evidence.findings.append(f"此人的收款账户还有{sharers}名其他人员在用（共用账户）")
    members = roster.household_members(store.engine, case["person_id"])
    if case["category"] == OBJECTION:
        _household(backend, store, members, case, today, evidence)
    evidence.same_household = _same_household(store, members, case, scope)
    evidence.cadres = cadres_of(store, case)
    evidence.same_cadre = same_cadre(store, case, evidence.cadres, scope) if evidence.cadres else []
    return evidence


def _household(
    backend: roster.CountyBackends,
    store: HubStore,
    members: list,
    case: dict,
    today: dt.date,
    evidence: Evidence,
) -> None:
    """For an objection to a disclosed household: every member, and what the supervision checks find in
    their lines now."""
    for person_id, number, name, _ in members:
        try:
            picture = backend.look_up(parse_id_number(number), today=today)
        except (IdNumberError, PersonNotFoundError):
            continue
        findings = [
            f"{FINDING_STATUSES[line.status]}：{line.programme} {line.period.label_zh}"
            for line in picture.reconciliation.lines
            if line.status in FINDING_STATUSES
        ]
        shared = roster.account_sharers(store.engine, person_id)
        if shared:
            findings.append(f"收款账户还有{shared}名其他人员在用（共用账户）")
        evidence.household.append(
            {"name": mask_name(name), "findings": findings, "head": person_id == case["person_id"]}
        )


def _same_household(store: HubStore, members: list, case: dict, scope) -> list[dict]:  # type: ignore[no-untyped-def]
    """Complaints and findings about the other members of the person's household."""
    keys = [key for person_id, _, _, key in members if person_id != case["person_id"]]
    if not keys:
        return []
    c = complaints.c
    with store.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.select(c.id, c.tracking_no, c.programme, c.category, c.status)
                .where(c.person_key.in_(keys), scope)
                .order_by(c.received_at.desc())
                .limit(20)
            ).mappings()
        ]


def _related(store: HubStore, case: dict, scope) -> tuple[list[dict], int]:  # type: ignore[no-untyped-def]
    c = complaints.c
    with store.engine.connect() as conn:
        same_person = [
            dict(r)
            for r in conn.execute(
                sa.select(c.id, c.tracking_no, c.programme, c.category, c.status, c.received_at)
                .where(c.person_key == case["person_key"], c.id != case["id"], scope)
                .order_by(c.received_at.desc())
                .limit(20)
            ).mappings()
        ]
        pattern = 0
        if case["village_code"] and case["programme"]:
            pattern = conn.execute(
                sa.select(sa.func.count())
                .select_from(complaints)
                .where(
                    c.village_code == case["village_code"],
                    c.programme == case["programme"],
                    c.id != case["id"],
                    c.received_at > case["received_at"] - PATTERN_WINDOW,
                    scope,
                )
            ).scalar_one()
    return same_person, pattern
