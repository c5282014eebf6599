"""Clinic staff in the back office: the administrator's accounts for the kiosks (create, reset a PIN, choose
the kiosks, disable), and the supervisors' list of who looked up whom by typed ID number, with its flags,
per helper and kiosk, exportable. Every page and action is audited."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from flask import abort, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from kiosk.core.bounds import bounded_int
from kiosk.core.staff import StaffError
from kiosk.core.tables import write_table
from kiosk.hub import staff
from kiosk.hub.context import parts
from kiosk.hub.office.common import asked_region, bp, guarded, now, store


def _accounts_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    accounts = staff.list_staff(store(), g.office.user.region)
    return render_template("office/staff.html", accounts=accounts, error=error), status


@bp.get("/staff")
@guarded("staff")
def staff_accounts() -> ResponseReturnValue:
    return _accounts_page()


@bp.post("/staff")
@guarded("staff")
def add_staff() -> ResponseReturnValue:
    form = request.form
    name = form.get("name", "").strip()[:40]
    try:
        staff.create_staff(
            store(),
            name=name,
            title=form.get("title", ""),
            badge_kind=form.get("badge_kind", ""),
            badge=form.get("badge", "")[:40],
            pin=form.get("pin", "")[:16],
            kiosks=form.get("kiosks", "")[:2000],
            townships=form.get("townships", "")[:2000],
            secret=parts().config.person_key_secret,
            by=g.office.user.name,
            now=now(),
            region=g.office.user.region,
        )
    except StaffError as error:
        store().record_audit(g.office.user.name, "add_staff", name, f"refused: {error.code}", now())
        return _accounts_page(error.message_zh, 400)
    store().record_audit(g.office.user.name, "add_staff", name, "ok", now())
    return redirect(url_for("office.staff_accounts"), code=303)


@bp.post("/staff/<name>/<action>")
@guarded("staff")
def staff_action(name: str, action: str) -> ResponseReturnValue:
    name = name[:40]
    if not staff.staff_within(store(), name, g.office.user.region):  # none, or another region's
        store().record_audit(g.office.user.name, f"{action}_staff", name, "refused: not found", now())
        abort(404)
    try:
        if action == "disable":
            done = staff.disable_staff(store(), name, now())
        elif action == "reset":
            done = staff.reset_staff_pin(store(), name, request.form.get("pin", "")[:16])
        elif action == "kiosks":
            done = staff.set_staff_kiosks(
                store(), name, request.form.get("kiosks", "")[:2000], request.form.get("townships", "")[:2000]
            )
        else:
            abort(404)
    except StaffError as error:
        store().record_audit(g.office.user.name, f"{action}_staff", name, f"refused: {error.code}", now())
        return _accounts_page(error.message_zh, 400)
    store().record_audit(g.office.user.name, f"{action}_staff", name, "ok" if done else "refused", now())
    return redirect(url_for("office.staff_accounts"), code=303)


def _period() -> tuple[int, dt.datetime, dt.datetime]:
    days = bounded_int(request.args.get("days", "30"), 30, 1, 3660)
    until = now()
    return days, until - dt.timedelta(days=days), until


@bp.get("/staff-lookups")
@guarded("staff_lookups")
def staff_lookups() -> ResponseReturnValue:
    days, since, until = _period()
    region = asked_region()
    report = staff.lookup_report(store(), since, until, region)
    store().record_audit(
        g.office.user.name, "read_staff_lookups", f"{days} days {region}".strip(), "ok", now()
    )
    return render_template(
        "office/staff_lookups.html",
        report=report,
        days=days,
        reasons=staff.REASONS,
        outcomes=staff.OUTCOMES,
        flag_names=staff.FLAG_NAMES,
        floor=staff.MANY_FLOOR,
    )


@bp.get("/staff-lookups.<kind>")
@guarded("staff_lookups")
def staff_lookups_export(kind: str) -> ResponseReturnValue:
    if kind not in ("csv", "xlsx"):
        abort(404)
    days, since, until = _period()
    report = staff.lookup_report(store(), since, until, asked_region())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"staff-lookups.{kind}"
        count = write_table(path, staff.LOOKUP_HEADERS, staff.lookup_rows(report), sheet="无卡查询")
        data = io.BytesIO(path.read_bytes())
    store().record_audit(g.office.user.name, "export_staff_lookups", kind, f"ok: {count} rows", now())
    return send_file(data, as_attachment=True, download_name=f"staff-lookups-{days}d.{kind}")
