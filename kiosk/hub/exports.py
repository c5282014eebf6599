"""Complaint lists as CSV or XLSX files, for any filtered inbox and for `kiosk hub --export`.

One row per complaint with its evidence at filing, where it stands, and the replies the villager read.
The files themselves are written by kiosk.core.tables, the one formula-safe writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from kiosk.core.clock import in_china
from kiosk.core.complaint import category_words, show_tracking_number
from kiosk.core.money import plain_yuan
from kiosk.hub import workflow

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
    due = in_china(row["due_at"]).strftime("%Y-%m-%d") if row.get("due_at") else ""
    return [
        show_tracking_number(row["tracking_no"]),
        in_china(row["received_at"]).strftime("%Y-%m-%d %H:%M"),
        row["kiosk_id"],
        category_words(row["category"]),
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
