"""Export the store as the same CSV files `kiosk import` reads (Chinese headers, UTF-8 with BOM).

Used to hand a county's data to another kiosk, and to prove the importer reads back
exactly what the store holds.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.core.money import plain_yuan
from kiosk.core.tables import write_table
from kiosk.store import Store

HEADERS = {  # file → (the store's table, the importer's column headers)
    "villages.csv": ("villages", ["村代码", "村名", "乡镇"]),
    "persons.csv": ("persons", ["身份证号", "姓名", "性别", "村", "户号", "死亡日期", "银行账号"]),
    "enrolments.csv": (
        "enrolments",
        ["身份证号", "项目代码", "类别", "数量", "开始日期", "结束日期", "审批人"],
    ),
    "households.csv": ("households", ["村", "户号", "户主身份证号", "核定日期", "家庭月人均收入"]),
    "payments.csv": (
        "payments",
        ["身份证号", "姓名", "项目代码", "所属期", "金额", "发放日期", "账号", "批次号", "经办人", "录入人"],
    ),
}
ORDER = (
    "villages.csv",
    "persons.csv",
    "households.csv",
    "enrolments.csv",
    "payments.csv",
)  # the order to import them in


def export_store(store: Store, folder: Path) -> list[Path]:
    """Write the CSV files into `folder`; return their paths in import order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ORDER:
        table, headers = HEADERS[name]
        rows = store.export_rows(table)
        if name == "payments.csv":
            rows = ((*row[:4], plain_yuan(row[4]), *row[5:]) for row in rows)
        elif name == "households.csv":
            rows = ((*row[:4], plain_yuan(row[4]) if row[4] != "" else "") for row in rows)
        write_table(folder / name, headers, rows)
        written.append(folder / name)
    return written
