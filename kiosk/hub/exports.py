"""Complaint lists as CSV or XLSX files, for any filtered inbox and for `kiosk hub --export`.

One row per complaint with its evidence at filing, where it stands, and the replies the villager read.
XLSX through openpyxl's write-only mode so a 100k-row export streams instead of building a tree in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from kiosk.hub import workflow
from kiosk.services.complaints import CATEGORIES, show_tracking_number
from kiosk.services.export import plain_yuan

HEADERS = [
    "反映编号",
    "收到时间（北京时间）",
    "终端",
    "问题",
    "项目",
    "期间",
    "应发（元）",
    "实发（元）",
    "核对结果",
    "村",
    "状态",
    "承办部门",
    "答复期限",
    "是否逾期",
    "核实结果",
    "答复",
]


def complaint_row(row: dict, replies: Iterable[str]) -> list[str]:
    """One listed complaint (from cases.inbox) as a row under HEADERS."""
    evidence = row.get("evidence")
    if evidence is None:
        evidence = json.loads(row["payload"]).get("evidence", {})
    money = [
        plain_yuan(evidence[k]) if isinstance(evidence.get(k), int) else "" for k in ("owed_fen", "paid_fen")
    ]
    status = "已撤回" if row["withdrawn_at"] else workflow.STATUS_NAMES.get(row["status"], row["status"])
    due = row["due_at"].astimezone(workflow.CHINA).strftime("%Y-%m-%d") if row.get("due_at") else ""
    return [
        show_tracking_number(row["tracking_no"]),
        row["received_at"].astimezone(workflow.CHINA).strftime("%Y-%m-%d %H:%M"),
        row["kiosk_id"],
        CATEGORIES.get(row["category"], (row["category"],))[0],
        evidence.get("programme_name", ""),
        evidence.get("period_label", ""),
        *money,
        evidence.get("status_label", ""),
        row.get("village_name") or row.get("village_code") or "",
        status,
        row.get("department") or "",
        due,
        "是" if row.get("overdue") else "",
        workflow.OUTCOMES.get(row.get("outcome") or "", ""),
        "；".join(replies),
    ]


def write_table(
    path: Path | str, headers: list[str], rows: Iterable[list], *, sheet: str = "群众反映"
) -> int:
    """Write `rows` under `headers` to `path` (.xlsx, else CSV in UTF-8 with BOM for Excel); return the count."""
    count = 0
    if str(path).lower().endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(headers)
        for row in rows:
            worksheet.append(row)
            count += 1
        workbook.save(path)
        return count
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
