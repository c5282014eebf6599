"""Helpers for import tests: a store with the demo county's villages and two persons, and file writers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kiosk.imports.loader import import_file
from kiosk.store import open_store
from tests.conftest import TODAY

WANG = "11010519491231002X"  # female (sequence 002)
LI = "440524188001010014"  # male (sequence 001)
PERSONS = ["身份证号", "姓名", "性别", "村", "户号", "死亡日期", "银行账号"]
ENROLMENTS = ["身份证号", "项目代码", "类别", "数量", "开始日期", "结束日期"]
PAYMENTS = ["身份证号", "姓名", "项目代码", "所属期", "金额", "发放日期", "账号", "批次号"]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def roster(tmp_path, rulebook):
    """A store with one village and two persons, and a function importing a file into it."""
    store = open_store(tmp_path / "county.db")

    def load(path: Path, **kwargs):  # type: ignore[no-untyped-def]
        return import_file(store, path, rulebook=rulebook, today=TODAY, **kwargs)

    load(
        write_csv(tmp_path / "villages.csv", ["村代码", "村名", "乡镇"], [["522799001", "石桥村", "明白镇"]])
    )
    report = load(
        write_csv(
            tmp_path / "persons.csv",
            PERSONS,
            [
                [WANG, "王秀英", "女", "石桥村", "H1", "", "6217990100000000123"],
                [LI, "李四", "男", "522799001", "H2", "", ""],
            ],
        )
    )
    assert report.committed, report.errors
    store.load = load  # type: ignore[attr-defined]
    return store
