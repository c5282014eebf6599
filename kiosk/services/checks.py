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
    at_stake_fen: int = (
        0  # the money the finding is about (paid after a death, paid twice…), where there is one
    )

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
                        abs(line.difference_fen),
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
                    at_stake_fen=sum(line.owed_fen for line in due),
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


ASSET_WORDS = {"vehicle": "车辆", "property": "房产", "business": "经营实体"}
RELIEF = (
    "dibao",
    "tekun",
)  # the programmes the register checks ask about: assistance a household is means-tested for


def _registered_deaths(store: Store, names: dict[str, str]) -> Iterator[Finding]:
    """Paid for a period after a death an external register records, whatever the roster says."""
    by_person: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
    for (
        id_number,
        name,
        village,
        code,
        period,
        fen,
        paid_on,
        batch,
        died,
        source,
    ) in store.paid_after_registered_death():
        by_person[(id_number, name, village)].append((code, period, fen, paid_on, batch, died, source))
    for (id_number, name, village), rows in by_person.items():
        died, source = rows[0][5], rows[0][6]
        yield Finding(
            "registered_death",
            id_number,
            name,
            village,
            "、".join(sorted({names.get(r[0], r[0]) for r in rows})),
            f"{rows[0][1]}–{rows[-1][1]}",
            f"{source}登记于{died}死亡，此后仍发放{len(rows)}笔共{plain_yuan(sum(r[2] for r in rows))}元",
            [
                f"{names.get(c, c)} {period} 发放{plain_yuan(fen)}元 {paid_on} 批次{batch}"
                for c, period, fen, paid_on, batch, _, _ in rows
            ]
            + [f"来源：{source}，死亡日期{died}"],
        )


def _official_kin(store: Store, names: dict[str, str]) -> Iterator[Finding]:
    """低保 or 特困 for public servants, village cadres, their registered kin (in or out of the household),
    or anyone in the household of one of them (优亲厚友)."""
    for (
        id_number,
        name,
        village,
        code,
        start,
        relation,
        official,
        position,
        source,
    ) in store.officials_and_kin_enrolled(list(RELIEF)):
        if relation == "本人":
            words = f"本人是{position}"
        elif relation.startswith(
            "与"
        ):  # 与{relationship}同户: in the household of the official or a relative
            words = (
                f"与{official}（{position}）的{relation[1:-2]}同户"
                if relation != "与本人同户"
                else f"与{official}（{position}）同户"
            )
        else:
            words = f"是{official}（{position}）的{relation}"
        yield Finding(
            "official_kin",
            id_number,
            name,
            village,
            names.get(code, code),
            "",
            f"{words}，{start}起享受{names.get(code, code)}",
            [f"来源：{source}"],
        )


def _assets(store: Store, rulebook: Rulebook) -> Iterator[Finding]:
    """Vehicles, homes or businesses registered to a household of 低保 or 特困 beyond what its file allows."""
    held: dict[tuple[str, str, str, str], list[tuple]] = defaultdict(list)
    for id_number, name, village, code, kind, owner, detail, amount, day, source in store.household_assets(
        list(RELIEF)
    ):
        held[(id_number, name, village, code)].append((kind, owner, detail, amount, day, source))
    for (id_number, name, village, code), assets in held.items():
        policy = rulebook.policies.get(code)
        limits = policy.assets if policy is not None else None
        if limits is None:
            continue
        over = [kind for kind in ASSET_WORDS if sum(1 for a in assets if a[0] == kind) > limits.limit(kind)]
        if not over:
            continue
        counts = "、".join(
            f"{ASSET_WORDS[k]}{sum(1 for a in assets if a[0] == k)}（规定不超过{limits.limit(k)}）"
            for k in over
        )
        yield Finding(
            "assets",
            id_number,
            name,
            village,
            policy.name if policy else code,
            "",
            f"全户登记有{counts}，仍享受{policy.name if policy else code}；依据：{limits.reference}",
            [
                f"{ASSET_WORDS[kind]}：{owner} {detail}{'，' + amount if amount else ''}{'，' + day if day else ''}（来源：{source}）"
                for kind, owner, detail, amount, day, source in assets
                if kind in over
            ],
        )


def _two_pensions(store: Store, names: dict[str, str]) -> Iterator[Finding]:
    by_person: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
    for id_number, name, village, period, fen, start, source in store.enterprise_and_residents_pension(
        "pension_basic"
    ):
        by_person[(id_number, name, village)].append((period, fen, start, source))
    for (id_number, name, village), rows in by_person.items():
        yield Finding(
            "two_pensions",
            id_number,
            name,
            village,
            names.get("pension_basic", "pension_basic"),
            f"{rows[0][0]}–{rows[-1][0]}",
            f"{rows[0][3]}记载自{rows[0][2]}起领取企业职工养老金，同期又领城乡居民基础养老金{len(rows)}笔共"
            f"{plain_yuan(sum(r[1] for r in rows))}元",
            [f"{period} 居民养老金{plain_yuan(fen)}元" for period, fen, _, _ in rows]
            + [f"来源：{rows[0][3]}"],
        )


def _exclusive_paid(store: Store, rulebook: Rulebook) -> Iterator[Finding]:
    """Paid in one period under two programmes one of which excludes the other (the policy files' relations)."""
    for code, policy in rulebook.policies.items():
        for relation in policy.relations.excluded_by:
            other = relation.programmes[0]
            by_person: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
            for id_number, name, village, period, fen, other_fen in store.paid_in_both(code, other):
                by_person[(id_number, name, village)].append((period, fen, other_fen))
            other_name = rulebook.policies[other].name if other in rulebook.policies else other
            for (id_number, name, village), rows in by_person.items():
                yield Finding(
                    "exclusive_paid",
                    id_number,
                    name,
                    village,
                    policy.name,
                    f"{rows[0][0]}–{rows[-1][0]}",
                    f"{len(rows)}期同时领取{policy.name}和{other_name}；依据：{relation.reference}",
                    [
                        f"{period} {policy.name}{plain_yuan(a)}元，{other_name}{plain_yuan(b)}元"
                        for period, a, b in rows
                    ],
                )


def _village_outliers(store: Store, rulebook: Rulebook, today: dt.date) -> Iterator[Finding]:
    """A village whose 低保 rate, or share of class A among its 低保, is at least twice its township's, with
    at least OUTLIER_MIN enrolled there, and the sample sizes shown."""
    if "dibao" not in rulebook.policies:
        return
    rows = store.village_rates("dibao", today.isoformat())
    townships: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        townships[row[2]].append(row)
    for township, villages in townships.items():
        if len(villages) < 2:
            continue
        for code, name, _, persons, enrolled, class_a in villages:
            others = [v for v in villages if v[0] != code]
            others_persons, others_enrolled = sum(v[3] for v in others), sum(v[4] for v in others)
            others_a = sum(v[5] for v in others)
            if enrolled < OUTLIER_MIN or not persons or not others_persons:
                continue
            rate, base = enrolled / persons, others_enrolled / others_persons
            share, base_share = class_a / enrolled, (others_a / others_enrolled if others_enrolled else 0.0)
            words = []
            if base and rate >= 2 * base:
                words.append(
                    f"低保率{rate:.1%}（{persons}人中{enrolled}人），本乡镇其他村{base:.1%}（{others_persons}人中{others_enrolled}人）"
                )
            if base_share and share >= 2 * base_share:
                words.append(
                    f"低保户中A类占{share:.1%}（{enrolled}人中{class_a}人），本乡镇其他村{base_share:.1%}"
                    f"（{others_enrolled}人中{others_a}人）"
                )
            if words:
                yield Finding(
                    "village_outlier",
                    "",
                    name,
                    name,
                    rulebook.policies["dibao"].name,
                    today.isoformat(),
                    "；".join(words),
                    [f"乡镇：{township or '（未登记乡镇）'}"],
                )


OUTLIER_MIN = 5  # enrolled persons a village needs before its rate is compared


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
    names = {code: policy.name for code, policy in rulebook.policies.items()}
    findings.extend(_registered_deaths(store, names))
    findings.extend(_official_kin(store, names))
    findings.extend(_assets(store, rulebook))
    findings.extend(_two_pensions(store, names))
    findings.extend(_exclusive_paid(store, rulebook))
    findings.extend(_village_outliers(store, rulebook, today))
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
