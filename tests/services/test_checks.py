"""Supervision checks: each found on a crafted county, none on a clean one; reports open in openpyxl."""

from __future__ import annotations

import openpyxl

from kiosk.core.checks import REGISTER_CHECKS
from kiosk.services.checks import CHECKS, run_checks, write_report
from tests.helpers.county import ENROLMENTS, LI, PAYMENTS, PERSONS, WANG, write_csv
from tests.helpers.facts import TODAY

ZHAO = "522799195003050019"  # a third person, male, in another household
ACCOUNT = "6217990100000000123"


def months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year}-{month:02d}" <= last:
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def pension_rows(id_number: str, name: str, account: str) -> list[list[str]]:
    return [
        [
            id_number,
            name,
            "pension_basic",
            m,
            "123.00" if m < "2025-04" else "128.00",
            f"{m}-10",
            account,
            f"P{m}",
        ]
        for m in months("2025-01", "2026-11")
    ]


def load(roster, tmp_path, name, header, rows):
    report = roster.load(write_csv(tmp_path / name, header, rows))
    assert report.committed, [e.message for e in report.errors]


def test_a_clean_county_has_no_findings(roster, tmp_path, rulebook):
    load(roster, tmp_path, "e.csv", ENROLMENTS, [[WANG, "pension_basic", "", "", "2015-01-01", ""]])
    load(roster, tmp_path, "p.csv", PAYMENTS, pension_rows(WANG, "王秀英", ACCOUNT))
    assert run_checks(roster, rulebook, today=TODAY, cadres=[(LI, "李四", "村主任")]) == []


def test_each_check_is_found_on_a_crafted_county(roster, tmp_path, rulebook):
    load(roster, tmp_path, "more.csv", PERSONS, [[ZHAO, "赵六", "男", "石桥村", "H3", "2024-05-10", ""]])
    load(
        roster,
        tmp_path,
        "e.csv",
        ENROLMENTS,
        [
            [WANG, "pension_basic", "", "", "2015-01-01", ""],
            [ZHAO, "pension_basic", "", "", "2015-01-01", ""],
            [LI, "farmland", "", "3.2", "2016-01-01", ""],
            [LI, "dibao", "A", "", "2022-01-01", ""],
        ],
    )
    rows = pension_rows(WANG, "王秀英", ACCOUNT)
    rows[4] = [*rows[4][:4], "200.00", *rows[4][5:]]  # 2025-05 above the standard
    rows.append(
        [WANG, "王秀英", "pension_basic", "2025-06", "128.00", "2025-06-20", ACCOUNT, "P2025-06-B"]
    )  # twice
    rows.append(
        [WANG, "王秀英", "tekun", "2025-07", "600.00", "2025-07-10", ACCOUNT, "T2025-07"]
    )  # not enrolled
    rows.append(
        [ZHAO, "赵六", "pension_basic", "2025-03", "123.00", "2025-03-10", ACCOUNT, "P2025-03"]
    )  # after death,
    load(roster, tmp_path, "p.csv", PAYMENTS, rows)  # and on WANG's account
    findings = run_checks(roster, rulebook, today=TODAY, cadres=[(LI, "李四", "村主任")])
    found = {(f.check, f.id_number, f.period) for f in findings}
    assert ("above_standard", WANG, "2025-05") in found
    assert ("paid_twice", WANG, "2025-06") in found
    assert ("paid_not_enrolled", WANG, "2025-07") in found
    assert ("paid_after_death", ZHAO, "2025-03") in found
    assert ("shared_account", WANG, "") in found and ("shared_account", ZHAO, "") in found
    assert ("cadre_dibao", LI, "") in found
    assert any(
        f.check == "never_paid" and f.id_number == LI and f.programme == "耕地地力保护补贴" for f in findings
    )
    assert {f.check for f in findings} == set(CHECKS) - set(
        REGISTER_CHECKS
    )  # those: tests/imports/test_registers.py
    twice = next(f for f in findings if f.check == "paid_twice")
    assert (
        len(twice.evidence) == 2
        and "批次P2025-06-B" in twice.evidence[1]
        and ACCOUNT not in twice.evidence[1]
    )

    report = write_report(findings, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(report)["监督检查"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("检查项", "身份证号", "姓名", "村", "项目", "所属期", "说明", "证据")
    assert ("同一项目同一期重复发放", WANG, "王秀英") in {r[:3] for r in rows[1:]}
    summary = dict(openpyxl.load_workbook(report)["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["去世后仍发放"] >= 1 and sum(summary.values()) == len(findings)
    csv_text = write_report(findings, tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") == len(findings) + 1


SUN = "522799196001010018"  # in the second village, household "H1" like WANG's in the first


def second_village(roster, tmp_path):  # type: ignore[no-untyped-def]
    load(roster, tmp_path, "v2.csv", ["村代码", "村名", "乡镇"], [["522799002", "河边村", "明白镇"]])
    load(roster, tmp_path, "sun.csv", PERSONS, [[SUN, "孙七", "男", "河边村", "H1", "", ""]])


def test_two_villages_numbering_a_household_alike_are_two_households(roster, tmp_path, rulebook):
    second_village(roster, tmp_path)
    load(
        roster,
        tmp_path,
        "e.csv",
        ENROLMENTS,
        [[WANG, "pension_basic", "", "", "2015-01-01", ""], [SUN, "dibao", "A", "", "2022-01-01", ""]],
    )
    rows = pension_rows(WANG, "王秀英", ACCOUNT)
    rows.append([SUN, "孙七", "dibao", "2025-03", "380.00", "2025-03-10", ACCOUNT, "D2025-03"])
    load(roster, tmp_path, "p.csv", PAYMENTS, rows)
    findings = run_checks(roster, rulebook, today=TODAY, cadres=[(WANG, "王秀英", "村委委员")])
    shared = [f for f in findings if f.check == "shared_account"]
    assert {f.id_number for f in shared} == {WANG, SUN}, "both households' H1: the shared account is found"
    assert any("河边村户H1" in line for f in shared for line in f.evidence)
    assert not any(f.check == "cadre_dibao" and f.id_number == SUN for f in findings), (
        "not the cadre's household"
    )


def test_a_payment_into_someone_elses_account_is_kept_and_flagged(roster, tmp_path, rulebook):
    load(roster, tmp_path, "e.csv", ENROLMENTS, [[LI, "dibao", "A", "", "2022-01-01", ""]])
    load(
        roster,
        tmp_path,
        "p.csv",
        PAYMENTS,
        [[LI, "李四", "dibao", "2025-03", "380.00", "2025-03-10", ACCOUNT, "D1"]],
    )
    assert roster.connection().execute("SELECT count(*) FROM payments").fetchone()[0] == 1, "kept"
    [finding] = [f for f in run_checks(roster, rulebook, today=TODAY) if f.check == "others_account"]
    assert finding.id_number == LI and "王秀英" in finding.detail and ACCOUNT not in finding.detail
    assert "dibao 2025-03：380.00元" in finding.evidence[0]
