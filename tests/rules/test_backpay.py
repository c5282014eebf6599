"""A rise decided in April and back-paid to January: before its back-pay date, a January paid at the old
standard is arrears to come (标准已调整，差额待补发), not 少发; after it, what is still missing is 少发."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kiosk.rules import Enrolment, PersonFacts, load_rulebook_from, parse_period
from kiosk.rules.parameters import PolicyError
from kiosk.rules.problems import problem_runs
from kiosk.rules.reconcile import Payment, Status, describe, reconcile

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"
RISE = '  { start = 2026-01-01, value = 13500, decided = 2026-04-15, backpay_by = 2026-06-30, reference = "示例县2026年提标通知（4月15日印发，1月起执行）" },\n'


def rulebook_with(extra: str):  # type: ignore[no-untyped-def]
    sources = {}
    for path in PARAMS.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "pension_basic":
            text = re.sub(
                r"(\{ start = 2025-04-01, value = 12800, [^\n]*\n)", r"\1" + extra.replace("\\", "\\\\"), text
            )
            assert extra in text
        sources[path.stem] = (path.name, text)
    return load_rulebook_from(sources)


FACTS = PersonFacts(dt.date(1950, 3, 5), None, (Enrolment("pension_basic", dt.date(2015, 1, 1)),))


def paid(month: str, fen: int) -> Payment:
    return Payment("pension_basic", parse_period(month), fen, dt.date(int(month[:4]), int(month[5:]), 10))


def lines_on(today: dt.date, payments: list[Payment]) -> dict[str, object]:
    result = reconcile(rulebook_with(RISE), FACTS, payments, since_on=dt.date(2026, 1, 1), today=today)
    return {line.period.code: line for line in result.lines}, result  # type: ignore[return-value]


LEDGER = [paid(m, 12800) for m in ("2026-01", "2026-02", "2026-03")] + [paid("2026-04", 13500)]


def test_before_the_back_pay_date_the_old_standard_is_arrears_to_come():
    lines, result = lines_on(dt.date(2026, 5, 20), LEDGER)
    january = lines["2026-01"]
    assert january.owed_fen == 13500 and january.status is Status.ARREARS_PENDING
    assert january.status.label_zh == "标准已调整，差额待补发" and not january.status.is_problem
    assert (
        describe(january)
        == "已按原标准发放128.00元；2026年4月15日决定提高标准，差额7.00元应在2026年6月30日前补发"
    )
    assert lines["2026-04"].status is Status.PAID_IN_FULL
    assert problem_runs(result) == [], "nobody is told of an underpayment that is not one"


def test_after_the_back_pay_date_what_is_still_missing_is_short():
    lines, result = lines_on(dt.date(2026, 7, 1), LEDGER)
    assert lines["2026-01"].status is Status.SHORT
    short = [run for run in problem_runs(result) if run.status is Status.SHORT]
    assert [run.periods for run in short] == [["2026-01", "2026-02", "2026-03"]]
    assert short[0].at_stake_fen == 2100


def test_back_pay_made_on_time_settles_it():
    backpay = [
        Payment("pension_basic", parse_period(m), 700, dt.date(2026, 6, 20), batch="补发")
        for m in ("2026-01", "2026-02", "2026-03")
    ]
    lines, _ = lines_on(dt.date(2026, 7, 1), LEDGER + backpay)
    assert lines["2026-01"].paid_fen == 13500 and lines["2026-01"].status in (
        Status.PAID_LATE,
        Status.PAID_IN_FULL,
    )


def test_less_than_the_old_standard_is_short_at_once():
    lines, _ = lines_on(dt.date(2026, 5, 20), [paid("2026-01", 10000)])
    assert lines["2026-01"].status is Status.SHORT


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (
            '  { start = 2026-01-01, value = 13500, decided = 2026-04-15, reference = "x" },\n',
            "needs backpay_by, on or after 2026-04-15",
        ),
        (
            '  { start = 2026-01-01, value = 13500, decided = 2026-04-15, backpay_by = 2026-03-01, reference = "x" },\n',
            "needs backpay_by",
        ),
        (
            '  { start = 2026-01-01, value = 13500, backpay_by = 2026-06-30, reference = "x" },\n',
            "backpay_by needs the date the value was decided",
        ),
        (
            '  { start = 2026-01-01, value = 13500, decided = "April", backpay_by = 2026-06-30, reference = "x" },\n',
            "decided must be a date",
        ),
    ],
)
def test_a_decision_used_wrongly_is_refused_by_name(value, words):
    with pytest.raises(PolicyError, match=re.escape(words)) as caught:
        rulebook_with(value)
    assert "pension_basic.toml" in str(caught.value)


def test_a_standard_decided_before_it_takes_effect_has_nothing_to_back_pay():
    early = '  { start = 2026-01-01, value = 13500, decided = 2025-12-01, reference = "x" },\n'
    result = reconcile(
        rulebook_with(early),
        FACTS,
        [paid("2026-01", 12800)],
        since_on=dt.date(2026, 1, 1),
        today=dt.date(2026, 5, 20),
    )
    assert result.lines[0].status is Status.SHORT
