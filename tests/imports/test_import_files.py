"""Real-world files: encodings, Excel exports, empty files, re-imports, corrections, mappings, policies."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from device.idnumber import parse_id_number
from kiosk.backend import EmbeddedBackend
from kiosk.imports.formats import FormatError, load_mapping
from kiosk.imports.loader import import_file
from kiosk.rules import load_rulebook
from kiosk.rules.reconcile import Status
from kiosk.services.demo import ensure_demo
from kiosk.services.export import export_store
from kiosk.store import open_store
from tests.helpers.county import PAYMENTS, WANG, write_csv
from tests.helpers.facts import TODAY

ROW = [WANG, "王秀英", "pension_basic", "2025-03", "123.00", "2025-03-12", "6217990100000000123", "P2025-03"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(roster, tmp_path, encoding):
    report = roster.load(write_csv(tmp_path / "pay.csv", PAYMENTS, [ROW], encoding=encoding))
    assert report.committed and report.imported == 1, report.errors


def test_a_file_in_neither_encoding(roster, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(",".join(PAYMENTS).encode("utf-16"))
    with pytest.raises(FormatError, match="编码"):
        roster.load(path)


def excel_export(path: Path, rows: list[list[object]]) -> Path:
    """An XLSX like real exports: a merged title row, the header, data, then formatted empty rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "3月发放"
    sheet.append(["2025年3月城乡居民基础养老金发放明细表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PAYMENTS))
    sheet.append(PAYMENTS)
    for row in rows:
        sheet.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    for number in range(len(rows) + 3, len(rows) + 40):
        sheet.cell(row=number, column=1).fill = fill  # rows that exist but hold nothing
    workbook.save(path)
    return path


def test_xlsx_with_a_merged_title_and_trailing_empty_rows(roster, tmp_path):
    rows = [
        list(ROW),
        [
            WANG,
            "王秀英",
            "pension_basic",
            "2025-04",
            128,
            dt.datetime(2025, 4, 12),
            "6217990100000000123",
            "P2025-04",
        ],
    ]
    report = roster.load(excel_export(tmp_path / "export.xlsx", rows))
    assert report.committed and (report.rows_read, report.imported) == (2, 2), report.errors
    bad = excel_export(tmp_path / "bad.xlsx", [[*ROW[:4], "12.345", *ROW[5:]]])
    errors = roster.load(bad).errors
    assert [e.message for e in errors] == ["3月发放 第3行 金额 最多两位小数"]


def test_a_file_with_a_header_and_no_rows(roster, tmp_path):
    report = roster.load(write_csv(tmp_path / "empty.csv", PAYMENTS, []))
    assert report.committed and (report.rows_read, report.imported) == (0, 0)


def test_reimporting_the_same_batch_changes_nothing(roster, tmp_path):
    path = write_csv(tmp_path / "pay.csv", PAYMENTS, [ROW])
    assert roster.load(path).imported == 1
    again = roster.load(path)
    assert again.committed and (again.imported, again.unchanged) == (0, 1)
    assert roster.counts()["payments"] == 1


def pension_line(store, period: str):
    backend = EmbeddedBackend(store, load_rulebook())
    lines = backend.look_up(parse_id_number(WANG), today=TODAY).reconciliation.lines
    return next(line for line in lines if line.programme == "pension_basic" and line.period.code == period)


def test_a_reversal_and_a_correcting_batch_are_explained(roster, tmp_path):
    enrol = tmp_path / "enrol.csv"
    write_csv(enrol, ["身份证号", "项目代码", "开始日期"], [[WANG, "pension_basic", "2015-01-01"]])
    assert roster.load(enrol).committed
    rows = [ROW, [*ROW[:4], "-123.00", "2025-03-20", ROW[6], "REV-2025-03"]]
    roster.load(write_csv(tmp_path / "pay.csv", PAYMENTS, rows))
    line = pension_line(roster, "2025-03")
    assert line.status is Status.MISSING and line.paid_fen == 0
    assert line.corrections_note == "其中有冲正（退回）123.00元，已从实发中扣除"
    assert [line.payment_label(p) for p in line.payments] == ["发放", "冲正"]
    roster.load(
        write_csv(tmp_path / "fix.csv", PAYMENTS, [[*ROW[:4], "123.00", "2025-04-02", ROW[6], "FIX-1"]])
    )
    line = pension_line(roster, "2025-03")
    assert line.status is Status.PAID_LATE and line.paid_fen == 12300
    assert "后面的批次是补发" in line.corrections_note
    assert [line.payment_label(p) for p in line.payments] == ["发放", "冲正", "补发"]


def test_a_bad_row_rolls_back_the_whole_file(roster, tmp_path):
    rows = [ROW, [*ROW[:3], "2025-04", "128.00", "2025-04-12", ROW[6], "P2025-04"], [*ROW[:4], "x", *ROW[5:]]]
    report = roster.load(write_csv(tmp_path / "pay.csv", PAYMENTS, rows))
    assert (
        not report.committed and roster.counts()["payments"] == 0 and roster.import_log()[-1][2] != "payments"
    )


def test_a_county_header_mapping(roster, tmp_path):
    mapping_file = tmp_path / "county.toml"
    mapping_file.write_text(
        '[columns]\n"证件号码" = "id_number"\n"发放金额（元）" = "amount"\n"期别" = "period"\n',
        encoding="utf-8",
    )
    header = ["证件号码", "姓名", "项目代码", "期别", "发放金额（元）", "发放日期", "账号", "批次号"]
    report = roster.load(
        write_csv(tmp_path / "county.csv", header, [ROW]), mapping=load_mapping(mapping_file)
    )
    assert report.committed and report.imported == 1
    mapping_file.write_text('[columns]\n"证件号码" = "idnum"\n', encoding="utf-8")
    with pytest.raises(FormatError, match="unknown column keys"):
        load_mapping(mapping_file)


def test_policies_are_validated_then_used(roster, tmp_path, rulebook):
    source = (Path(__file__).parents[2] / "kiosk/rules/params/tekun.toml").read_text(encoding="utf-8")
    good = tmp_path / "tekun.toml"
    good.write_text(source.replace("value = 60000", "value = 61000"), encoding="utf-8")
    report = roster.load(good)
    assert report.committed and report.kind == "policy"
    reloaded = load_rulebook(None, roster.policies())
    assert reloaded.policies["tekun"]["monthly_amount"].at(dt.date(2025, 6, 1)).value == 61000
    bad = tmp_path / "bad.toml"
    for text, message in [
        (source.replace('code = "tekun"', 'code = "bonus"'), "unknown programme code"),
        (source.replace("2025-01-01", "2023-01-01"), "no two values starting on one day"),
        (source.replace('reference = "示例县关于调整', 'note2 = "'), "legal reference is required"),
    ]:
        bad.write_text(text, encoding="utf-8")
        refused = roster.load(bad)
        assert not refused.committed and message in refused.errors[0].problem
    assert roster.policies()["tekun"][0] == "tekun.toml"


def dump(store) -> str:
    digest = hashlib.sha256()
    queries = [
        "SELECT code, name, township FROM villages ORDER BY code",
        "SELECT id_number, name, gender, birth_on, village_code, household, death_on FROM persons ORDER BY id_number",
        "SELECT p.id_number, e.programme, e.category, e.quantity, e.start_on, e.end_on FROM enrolments e "
        "JOIN persons p ON p.id = e.person_id ORDER BY 1, 2, 5",
        "SELECT p.id_number, y.programme, y.period, y.amount_fen, y.paid_on, y.account, y.batch FROM payments y "
        "JOIN persons p ON p.id = y.person_id ORDER BY 1, 2, 3, 7, 4, 5",
        "SELECT a.account, p.id_number FROM accounts a JOIN persons p ON p.id = a.person_id ORDER BY 1, 2",
    ]
    for query in queries:
        for row in store.connection().execute(query):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_demo_county_exported_and_imported_back_is_the_same_database(tmp_path, rulebook):
    original = open_store(tmp_path / "demo.db")
    ensure_demo(original, rulebook, today=TODAY)
    copy = open_store(tmp_path / "copy.db")
    for path in export_store(original, tmp_path / "export"):
        report = import_file(copy, path, rulebook=rulebook, today=TODAY)
        assert report.committed and report.error_count == 0, (path, report.errors[:3])
    assert dump(copy) == dump(original)
    for path in export_store(original, tmp_path / "export"):
        assert import_file(copy, path, rulebook=rulebook, today=TODAY).imported == 0


def test_kiosk_import_command_writes_the_error_file_and_fails(roster, tmp_path):
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    path = write_csv(tmp_path / "pay.csv", PAYMENTS, [[*ROW[:4], "abc", *ROW[5:]]])
    run = subprocess.run(
        [kiosk, "import", "--db", str(tmp_path / "county.db"), "--today", TODAY.isoformat(), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "pay.csv（发放明细）：读取1行，发现1处错误，未导入任何数据" in run.stdout
    assert "第2行 金额 不是数字（值：abc）" in run.stdout and (tmp_path / "pay.csv.errors.csv").exists()
    ok = write_csv(tmp_path / "ok.csv", PAYMENTS, [ROW])
    run = subprocess.run(
        [
            kiosk,
            "import",
            "--db",
            str(tmp_path / "county.db"),
            "--today",
            TODAY.isoformat(),
            str(ok),
            "--report",
            str(tmp_path / "report.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "新增或更新1行" in run.stdout and "未登记享受却发放：1" in run.stdout
    assert (tmp_path / "report.xlsx").exists()


def test_a_bad_byte_deep_in_a_big_file_is_a_clear_error_and_nothing_is_imported(roster, tmp_path):
    path = write_csv(
        tmp_path / "big.csv",
        PAYMENTS,
        [
            [*ROW[:3], f"20{y:02d}-{m:02d}", "123.00", ROW[5], ROW[6], f"B{y}{m}{i}"]
            for y in range(10, 25)
            for m in range(1, 13)
            for i in range(40)
        ],
    )
    assert path.stat().st_size > 300 * 1024  # beyond the encoding sample
    with path.open("ab") as handle:
        handle.write(b"\xff\xfe\xfa,broken\n")
    with pytest.raises(FormatError, match="编码错误"):
        roster.load(path)
    assert roster.counts()["payments"] == 0
