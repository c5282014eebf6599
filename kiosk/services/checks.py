"""Supervision checks over the whole store: the patterns that made Guizhou's system find fraud.

Each finding names the person, the programme and period, says what is wrong, and
carries its evidence rows. Reports (CSV or XLSX) are for the supervisors: they hold
full ID numbers and must be handled as confidential.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from device.idnumber import mask_account
from kiosk.core.checks import CHECKS
from kiosk.core.money import plain_yuan
from kiosk.core.tables import Sheet, write_table
from kiosk.rules import Rulebook
from kiosk.rules.reconcile import Line, Status, reconcile
from kiosk.store import Store


@dataclass
class Finding:
    check: str
    id_number: str
    name: str
    village: str
    programme: str = ""
    period: str = ""
    detail: str = ""
    evidence: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return CHECKS[self.check]


def _evidence(line: Line) -> list[str]:
    return [
        f"{p.period.code} 发放{plain_yuan(p.amount_fen)}元 {p.paid_on.isoformat()} 批次{p.batch} "
        f"账号{mask_account(p.account)}"
        for p in line.payments
    ]


def _person_findings(
    store: Store, rulebook: Rulebook, today: dt.date, since_on: dt.date
) -> Iterator[Finding]:
    for id_number in store.checked_id_numbers():
        person = store.find_person(id_number)
        if person is None:  # deleted between the two queries: nothing to check
            continue
        facts = store.load_facts(person, household=rulebook.uses_households)
        result = reconcile(rulebook, facts, store.load_payments(person), since_on=since_on, today=today)
        village = person.village_name or ""
        for group in result.programmes:
            for line in group.lines:
                positive = [p for p in line.payments if p.amount_fen > 0]
                check = None
                if line.status is Status.PAID_AFTER_DEATH:
                    check = "paid_after_death"
                elif line.status is Status.PAID_WITHOUT_ENTITLEMENT:
                    check = "paid_not_enrolled"
                elif line.status is Status.OVERPAID:
                    check = "paid_twice" if len(positive) > 1 else "above_standard"
                if check:
                    yield Finding(
                        check,
                        id_number,
                        person.name,
                        village,
                        group.name,
                        line.period.code,
                        line.status_note,
                        _evidence(line),
                    )
            due = [line for line in group.lines if line.status is not Status.NOT_YET_DUE]
            if facts.ever_enrolled(group.code) and due and all(line.status is Status.MISSING for line in due):
                yield Finding(
                    "never_paid",
                    id_number,
                    person.name,
                    village,
                    group.name,
                    f"{due[0].period.code}–{due[-1].period.code}",
                    f"应发{len(due)}期共{plain_yuan(sum(line.owed_fen for line in due))}元，一次也没有发放",
                )


def _shared_accounts(store: Store) -> Iterator[Finding]:
    rows = store.shared_account_payees()
    by_account: dict[str, list[tuple]] = defaultdict(list)
    for account, *rest in rows:
        by_account[account].append(tuple(rest))
    for account, people in by_account.items():
        evidence = [
            f"{name}（{village}户{household}）经此账号领取{count}笔共{plain_yuan(total)}元"
            for _, name, village, household, count, total in people
        ]
        for id_number, name, village, _, _, _ in people:
            yield Finding(
                "shared_account",
                id_number,
                name,
                village,
                "",
                "",
                f"账号{mask_account(account)}为{len(people)}名不同户的人员领款",
                evidence,
            )


def _others_accounts(store: Store) -> Iterator[Finding]:
    """Payments into an account registered to someone else: who collected?"""
    by_person: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
    for (
        id_number,
        name,
        village,
        programme,
        period,
        amount,
        account,
        holders,
    ) in store.payments_into_others_accounts():
        by_person[(id_number, name, village)].append((programme, period, amount, account, holders))
    for (id_number, name, village), payments in by_person.items():
        accounts = sorted({account for _, _, _, account, _ in payments})
        holders = "、".join(sorted({holder for *_, holder in payments if holder}))
        yield Finding(
            "others_account",
            id_number,
            name,
            village,
            "",
            "",
            f"{len(payments)}笔共{plain_yuan(sum(p[2] for p in payments))}元发放到登记在{holders}名下的账号"
            f"{'、'.join(mask_account(a) for a in accounts)}，不是本人的账号",
            [
                f"{programme} {period}：{plain_yuan(amount)}元 → {mask_account(account)}"
                for programme, period, amount, account, _ in payments
            ],
        )


def _cadre_dibao(store: Store, cadres: Iterable[tuple[str, str, str]]) -> Iterator[Finding]:
    for cadre_id, cadre_name, position in cadres:
        rows = store.household_dibao(cadre_id)
        for id_number, name, village, count, total, enrolled in rows:
            if count or enrolled:
                relation = (
                    "本人" if id_number == cadre_id else f"与{cadre_name}（{position or '村干部'}）同户"
                )
                yield Finding(
                    "cadre_dibao",
                    id_number,
                    name,
                    village,
                    "农村最低生活保障",
                    "",
                    f"{relation}，享受低保，已领{count}笔共{plain_yuan(total)}元",
                    [f"干部：{cadre_name}，{position or '职务未填'}"],
                )


def run_checks(
    store: Store, rulebook: Rulebook, *, today: dt.date, cadres: Iterable[tuple[str, str, str]] = ()
) -> list[Finding]:
    """Run every check over the store; `cadres` are (id_number, name, position) of village cadres."""
    first = store.first_paid_period()
    since_on = dt.date(int(first[:4]), 1, 1) if first else dt.date(today.year, 1, 1)
    findings = list(_person_findings(store, rulebook, today, since_on))
    findings.extend(_shared_accounts(store))
    findings.extend(_others_accounts(store))
    findings.extend(_cadre_dibao(store, cadres))
    order = list(CHECKS)
    findings.sort(key=lambda f: (order.index(f.check), f.village, f.id_number, f.period))
    return findings


REPORT_HEADERS = ["检查项", "身份证号", "姓名", "村", "项目", "所属期", "说明", "证据"]


def _report_rows(findings: Iterable[Finding]) -> Iterator[list[str]]:
    for f in findings:
        yield [
            f.title,
            f.id_number,
            f.name,
            f.village,
            f.programme,
            f.period,
            f.detail,
            "；".join(f.evidence),
        ]


def write_report(findings: list[Finding], path: Path) -> Path:
    """Write the findings as CSV (UTF-8 with BOM) or XLSX, by the file's suffix; XLSX adds a count per check."""
    summary = Sheet(
        "汇总",
        ["检查项", "发现数"],
        [[title, sum(1 for f in findings if f.check == c)] for c, title in CHECKS.items()],
    )
    write_table(
        path,
        REPORT_HEADERS,
        _report_rows(findings),
        sheet="监督检查",
        widths=(28, 20, 10, 10, 20, 14, 50, 80),
        more=[summary],
    )
    return path


def summary_zh(findings: list[Finding]) -> list[str]:
    return [f"{title}：{sum(1 for f in findings if f.check == check)}" for check, title in CHECKS.items()]
