"""Small county files for import tests: two persons, the importer's headers, and a CSV writer."""

from __future__ import annotations

import csv
from pathlib import Path

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
