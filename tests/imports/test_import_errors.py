"""Every validation error, with the exact message a clerk reads, and nothing imported."""

from __future__ import annotations

import pytest

from tests.helpers.county import ENROLMENTS, LI, PAYMENTS, PERSONS, WANG, write_csv

GOOD_PAYMENT = [
    WANG,
    "王秀英",
    "pension_basic",
    "2025-03",
    "123.00",
    "2025-03-12",
    "6217990100000000123",
    "P2025-03",
]


def payment(**changes: str) -> list[str]:
    row = list(GOOD_PAYMENT)
    for key, value in changes.items():
        row[PAYMENTS.index(key)] = value
    return row


@pytest.mark.parametrize(
    ("row", "message", "value"),
    [
        (payment(身份证号="110105194912310021"), "第3行 身份证号 校验位错误", "110105194912310021"),
        (payment(身份证号="1101051949123100"), "第3行 身份证号 应为18位", "1101051949123100"),
        (payment(身份证号="110105194913310020"), "第3行 身份证号 中的出生日期不存在", "110105194913310020"),
        (
            payment(身份证号="522799195003050019"),
            "第3行 身份证号 不在人员名册中（请先导入人员）",
            "522799195003050019",
        ),
        (payment(姓名="王秀"), "第3行 姓名 与人员名册中登记的姓名不一致", "王秀"),
        (
            payment(项目代码="subsidy_x"),
            "第3行 项目代码 未知的项目代码（可用：pension_basic、elderly_allowance、dibao、tekun、"
            "disability_living、disability_care、farmland、forest、education）",
            "subsidy_x",
        ),
        (
            payment(所属期="2025-13"),
            "第3行 所属期 不是有效的所属期（如2025-03、2025、2025Q1、2025H1）",
            "2025-13",
        ),
        (payment(所属期="2025"), "第3行 所属期 与此项目的发放周期不符，应按月（如2025-03）", "2025"),
        (payment(金额="123.456"), "第3行 金额 最多两位小数", "123.456"),
        (payment(金额="一百"), "第3行 金额 不是数字", "一百"),
        (payment(金额=""), "第3行 金额 不能为空", ""),
        (payment(发放日期="2025-02-30"), "第3行 发放日期 不是有效日期（应为2025-03-15）", "2025-02-30"),
        (payment(发放日期="2027-01-01"), "第3行 发放日期 晚于今天", "2027-01-01"),
        (payment(批次号=""), "第3行 批次号 不能为空", ""),
        (GOOD_PAYMENT, "第3行 整行 与第2行重复", ""),
    ],
)
def test_payment_errors(roster, tmp_path, row, message, value):
    rows = [GOOD_PAYMENT, row]
    report = roster.load(write_csv(tmp_path / "pay.csv", PAYMENTS, rows))
    assert not report.committed and report.kind == "payments"
    assert [e.message for e in report.errors] == [message]
    assert report.errors[0].value == value and report.errors[0].file == "pay.csv"
    assert roster.counts()["payments"] == 0, "nothing half-imported"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([WANG, "dibao", "D", "", "2025-01-01", ""], "第2行 类别 不在此项目的标准中（可用：A、B、C）"),
        ([WANG, "disability_care", "", "5", "2025-01-01", ""], "第2行 数量 残疾等级应为1到4"),
        ([WANG, "farmland", "", "", "2025-01-01", ""], "第2行 数量 不能为空（耕地、公益林填亩数）"),
        ([WANG, "farmland", "", "三亩", "2025-01-01", ""], "第2行 数量 不是数字"),
        ([WANG, "dibao", "A", "", "2025-06-01", "2025-05-31"], "第2行 结束日期 早于开始日期"),
        ([WANG, "dibao", "A", "", "", ""], "第2行 开始日期 不能为空"),
        ([WANG, "dibao", "A", "", "2025/13/01", ""], "第2行 开始日期 不是有效日期（应为2025-03-15）"),
    ],
)
def test_enrolment_errors(roster, tmp_path, row, message):
    report = roster.load(write_csv(tmp_path / "enrol.csv", ENROLMENTS, [row]))
    assert [e.message for e in report.errors] == [message] and not report.committed


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([WANG, "王秀英", "男", "石桥村", "H1", "", ""], "第2行 性别 与身份证号不一致"),
        ([WANG, "王秀英", "F?", "石桥村", "H1", "", ""], "第2行 性别 应为男或女"),
        ([WANG, "王秀英", "女", "河坝村", "H1", "", ""], "第2行 村 未知的村（请先导入村名单）"),
        ([WANG, "王秀英", "女", "石桥村", "H1", "1940-01-01", ""], "第2行 死亡日期 早于出生日期或晚于今天"),
        ([WANG, "", "女", "石桥村", "H1", "", ""], "第2行 姓名 不能为空"),
        ([LI, "李四", "男", "石桥村", "", "", ""], "第2行 户号 不能为空"),
    ],
)
def test_person_errors(roster, tmp_path, row, message):
    report = roster.load(write_csv(tmp_path / "p.csv", PERSONS, [row]))
    assert [e.message for e in report.errors] == [message] and not report.committed


def test_many_errors_are_all_reported_and_written_next_to_the_file(roster, tmp_path):
    from kiosk.imports.loader import write_error_file

    source = write_csv(
        tmp_path / "pay.csv",
        PAYMENTS,
        [payment(金额="x"), GOOD_PAYMENT, payment(所属期="x", 批次号="B2"), payment(身份证号="1")],
    )
    report = roster.load(source)
    assert [e.row for e in report.errors] == [2, 4, 5]
    target = write_error_file(report, source)
    text = target.read_text(encoding="utf-8-sig")
    assert target.name == "pay.csv.errors.csv" and "第4行 所属期 不是有效的所属期" in text
    assert text.splitlines()[0] == "文件,工作表,行,列,值,错误,说明"


def test_skip_bad_rows_imports_the_good_ones_and_records_the_rest(roster, tmp_path):
    report = roster.load(
        write_csv(tmp_path / "pay.csv", PAYMENTS, [payment(金额="x"), GOOD_PAYMENT]), skip_bad_rows=True
    )
    assert report.committed and (report.imported, report.skipped) == (1, 1)
    log = roster.import_log()[-1]
    assert log[1] == "pay.csv" and log[6] == 1 and '"row": 2' in log[7] and "不是数字" in log[7]


def test_unknown_headers_and_missing_columns_are_refused(roster, tmp_path):
    from kiosk.imports.formats import FormatError

    with pytest.raises(FormatError, match="找不到表头"):
        roster.load(write_csv(tmp_path / "x.csv", ["a", "b"], [["1", "2"]]))
    with pytest.raises(FormatError, match="缺少列：所属期、金额"):
        roster.load(
            write_csv(
                tmp_path / "y.csv",
                ["身份证号", "姓名", "项目代码", "发放日期", "账号", "批次号"],
                [[WANG, "王秀英", "dibao", "2025-01-01", "1", "B"]],
            ),
            kind="payments",
        )
    with pytest.raises(FormatError, match="只能导入"):
        roster.load(tmp_path / "county.db")


def test_overlapping_enrolments_are_imported_and_named_as_a_warning(roster, tmp_path):
    report = roster.load(
        write_csv(
            tmp_path / "enrol.csv",
            ENROLMENTS,
            [[WANG, "dibao", "B", "", "2024-01-01", ""], [WANG, "dibao", "C", "", "2025-03-01", ""]],
        )
    )
    assert report.committed and report.imported == 2
    [warning] = report.warnings
    assert "dibao" in warning and "2024-01-01起、2025-03-01起" in warning and "以后一段为准" in warning
    assert WANG not in warning and "1处提醒" in report.summary_zh()
    closed = roster.load(
        write_csv(
            tmp_path / "closed.csv",
            ENROLMENTS,
            [[LI, "dibao", "B", "", "2024-01-01", "2025-02-28"], [LI, "dibao", "C", "", "2025-03-01", ""]],
        )
    )
    assert closed.committed and closed.warnings == [], "a closed decision followed by a new one is no overlap"
