"""Dashboards (complaints by village, programme and month; answer times; overdue by department), the kiosk
fleet, the audit log for the auditor, and the monthly PDF report."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import abort, g, render_template, request, send_file
from flask.typing import ResponseReturnValue

from kiosk.core.bounds import bounded_int
from kiosk.core.checks import CHECKS
from kiosk.core.clock import CHINA
from kiosk.core.complaint import CATEGORIES
from kiosk.core.tables import write_table
from kiosk.hub import charts, lookup_guard, regions, report, stats, workflow
from kiosk.hub.office.common import asked_region, bp, guarded, now, store


@bp.get("/dashboard")
@guarded("dashboard")
def dashboard() -> ResponseReturnValue:
    """A region's figures (by default the account's own), its subregions side by side, every count the
    database's."""
    at, region = now(), asked_region()
    figures = stats.dashboard_figures(store(), region, at)
    by_village, by_programme, months = figures["village"], figures["programme"], figures["months"]
    by_category = [(CATEGORIES.get(k, (k,))[0], n) for k, n in figures["category"]]
    (first, closed), departments = figures["answer_times"], figures["departments"]
    total, parts = figures["rollup"]
    findings = [(CHECKS.get(code, code), n) for code, n in figures["findings"]]
    store().record_audit(g.office.user.name, "dashboard", region, "ok", at)
    return render_template(
        "office/dashboard.html",
        region=region,
        path=regions.path_to(store().engine, region, g.office.user.region),
        total=total,
        parts=parts,
        by_village=by_village,
        by_programme=by_programme,
        by_category=by_category,
        months=months,
        first=first,
        findings=findings,
        closed=closed,
        departments=departments,
        fleet_down=total.kiosks_down,
        fleet_count=total.kiosks,
        min_sample=stats.MIN_SAMPLE,
        charts={
            "village": charts.bars(by_village, title="按村"),
            "programme": charts.bars(by_programme, title="按补贴项目"),
            "category": charts.bars(by_category, title="按问题类别"),
            "months": charts.columns(months, title="近12个月每月收到"),
            "findings": charts.bars(findings, title="名册核查发现（最近一次发布）", unit="条"),
            "departments": charts.bars(
                [(name, round(rate.percent or 0)) for name, rate in departments if rate.rankable],
                title=f"各部门逾期率（{stats.MIN_SAMPLE}件以上才排名）",
                unit="%",
            ),
        },
    )


@bp.get("/fleet")
@guarded("fleet")
def fleet() -> ResponseReturnValue:
    """A region's kiosks, the ones needing a visit first, with its subregions' counts side by side."""
    region = asked_region()
    kiosks = stats.fleet(store(), now(), region)
    store().record_audit(g.office.user.name, "fleet", region, "ok", now())
    listed = {k.kiosk_id for k in kiosks}
    usage = {k: u for k, u in lookup_guard.fleet_usage(store(), now()).items() if k in listed}
    total, parts = stats.rollup(store(), region, now(), kiosks_only=True)
    return render_template(
        "office/fleet.html",
        region=region,
        path=regions.path_to(store().engine, region, g.office.user.region),
        total=total,
        parts=parts,
        kiosks=kiosks,
        usage=usage,
        suspicious=sorted(k for k, u in usage.items() if u.suspicious),
        china=CHINA,
        states={"ok": "正常", "late": "超过15分钟未联系", "dead": "超过1天未联系", "revoked": "已吊销"},
    )


AUDIT_HEADERS = ["时间（UTC）", "操作人", "操作", "对象", "结果"]


@bp.get("/audit")
@guarded("audit")
def audit_log() -> ResponseReturnValue:
    page = bounded_int(request.args.get("page", "1"), 1, 1, 1_000_000)
    actor = request.args.get("actor", "")[:64]
    entries, total = store().audit_page((page - 1) * 100, 100, actor)
    store().record_audit(g.office.user.name, "read_audit_log", actor, "ok", now())
    return render_template(
        "office/audit.html",
        entries=entries,
        total=total,
        page=page,
        actor=actor,
        pages=max(1, -(-total // 100)),
    )


@bp.get("/audit.<kind>")
@guarded("audit")
def audit_export(kind: str) -> ResponseReturnValue:
    if kind not in ("csv", "xlsx"):
        abort(404)
    rows = (
        [e["at"].isoformat(timespec="seconds"), e["actor"], e["action"], e["subject"], e["outcome"]]
        for e in store().audit_entries()
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"audit.{kind}"
        count = write_table(path, AUDIT_HEADERS, rows, sheet="审计日志")
        data = io.BytesIO(path.read_bytes())
    store().record_audit(g.office.user.name, "export_audit_log", kind, f"ok: {count} rows", now())
    return send_file(data, as_attachment=True, download_name=f"audit-log.{kind}")


@bp.get("/report")
@guarded("report")
def monthly_report() -> ResponseReturnValue:
    at, region = now(), asked_region()
    default = at.astimezone(CHINA).strftime("%Y-%m")
    try:
        month = report.Month.parse(request.args.get("month", default))
    except ValueError:
        abort(400)
    figures = report.figures(store(), month, at, region)
    html = render_template(
        "report/monthly.html",
        **figures,
        categories={k: v[0] for k, v in CATEGORIES.items()},
        status_names=workflow.STATUS_NAMES,
        china=CHINA,
    )
    if request.args.get("format") == "html":
        return html
    pdf = report.to_pdf(html)
    store().record_audit(g.office.user.name, "monthly_report", f"{month} {region}".strip(), "ok", at)
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"report-{month.year}-{month.month:02d}.pdf",
    )
