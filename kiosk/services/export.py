"""Export the store as the same CSV files `kiosk import` reads (Chinese headers, UTF-8 with BOM).

Used to hand a county's data to another kiosk, and to prove the importer reads back
exactly what the store holds.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.core.money import plain_yuan
from kiosk.core.tables import write_table
from kiosk.store import Store

EXPORTS = {
    "villages.csv": (["村代码", "村名", "乡镇"], "SELECT code, name, township FROM villages ORDER BY code"),
    "persons.csv": (
        ["身份证号", "姓名", "性别", "村", "户号", "死亡日期", "银行账号"],
        "SELECT p.id_number, p.name, CASE p.gender WHEN 'M' THEN '男' ELSE '女' END, p.village_code, p.household, "
        "COALESCE(p.death_on, ''), COALESCE((SELECT MIN(account) FROM accounts a WHERE a.person_id = p.id), '') "
        "FROM persons p ORDER BY p.id",
    ),
    "enrolments.csv": (
        ["身份证号", "项目代码", "类别", "数量", "开始日期", "结束日期"],
        "SELECT p.id_number, e.programme, COALESCE(e.category, ''), COALESCE(e.quantity, ''), e.start_on, "
        "COALESCE(e.end_on, '') FROM enrolments e JOIN persons p ON p.id = e.person_id ORDER BY e.id",
    ),
    "payments.csv": (
        ["身份证号", "姓名", "项目代码", "所属期", "金额", "发放日期", "账号", "批次号"],
        "SELECT p.id_number, p.name, y.programme, y.period, y.amount_fen, y.paid_on, y.account, y.batch "
        "FROM payments y JOIN persons p ON p.id = y.person_id ORDER BY y.id",
    ),
}
ORDER = ("villages.csv", "persons.csv", "enrolments.csv", "payments.csv")  # the order to import them in


def export_store(store: Store, folder: Path) -> list[Path]:
    """Write the four CSV files into `folder`; return their paths in import order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ORDER:
        headers, query = EXPORTS[name]
        rows = store.iter_rows(query)
        if name == "payments.csv":
            rows = ((*row[:4], plain_yuan(row[4]), *row[5:]) for row in rows)
        write_table(folder / name, headers, rows)
        written.append(folder / name)
    return written
