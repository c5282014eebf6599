"""The inbox, one complaint's page (history, evidence, actions), the workflow's actions, and exports of
any filtered list."""

from __future__ import annotations

import dataclasses
import io
import tempfile
from pathlib import Path

from flask import abort, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from kiosk.core.clock import CHINA
from kiosk.core.complaint import CATEGORIES, show_tracking_number
from kiosk.core.tables import write_table
from kiosk.hub import cases, evidence, regions, roster, stats, workflow
from kiosk.hub.context import parts
from kiosk.hub.exports import HEADERS
from kiosk.hub.office.common import asked_region, bp, guarded, now, store
from kiosk.hub.workflow import WorkflowError


def _choices() -> dict:
    """What the filters offer: villages and programmes of the roster, categories, statuses, departments."""
    engine = store().engine
    return {
        "villages": roster.village_choices(engine, g.office.user.region),
        "subregions": regions.subregions(engine, g.office.user.region),
        "programmes": roster.programme_choices(engine),
        "statuses": [*workflow.STATUS_NAMES.items(), ("withdrawn", "已撤回")],
        "departments": cases.department_names(store()),
    }


def _department_of(programme: str) -> str:
    """The department responsible for a programme: the default choice when assigning a case."""
    return roster.department_of(store().engine, programme)


def _any_view() -> None:
    if not (g.office.user.may("view_all") or g.office.user.may("view_department")):
        abort(403)


@bp.get("/")
@guarded(None)
def inbox() -> ResponseReturnValue:
    _any_view()
    query = cases.InboxQuery.from_args(request.args)
    rows, total = cases.inbox(store(), query, g.office.user, now())
    pages = max(1, -(-total // query.per_page))
    store().record_audit(
        g.office.user.name, "list_complaints", request.query_string.decode()[:128], "ok", now()
    )
    return render_template(
        "office/inbox.html",
        rows=rows,
        total=total,
        query=query,
        pages=pages,
        categories=dict((k, v[0]) for k, v in CATEGORIES.items()),
        track=show_tracking_number,
        status_names=workflow.STATUS_NAMES,
        **_choices(),
    )


@bp.get("/export.<kind>")
@guarded("export")
def export(kind: str) -> ResponseReturnValue:
    if kind not in ("csv", "xlsx"):
        abort(404)
    query = cases.InboxQuery.from_args(request.args)
    rows = cases.export_rows(store(), query, g.office.user, now())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"complaints.{kind}"
        write_table(path, HEADERS, rows, sheet="群众反映")
        data = io.BytesIO(path.read_bytes())
    store().record_audit(
        g.office.user.name,
        "export_complaints",
        f"{kind} {request.query_string.decode()[:100]}",
        f"ok: {len(rows)} rows",
        now(),
    )
    stamp = now().astimezone(CHINA).strftime("%Y%m%d-%H%M")
    return send_file(data, as_attachment=True, download_name=f"群众反映-{stamp}.{kind}")


@bp.get("/complaints/<int(max=2147483647):complaint_id>")
@guarded(None)
def detail(complaint_id: int) -> ResponseReturnValue:
    _any_view()
    case = cases.case(store(), complaint_id, g.office.user)
    if case is None:
        store().record_audit(
            g.office.user.name, "read_complaint", str(complaint_id), "refused: not found", now()
        )
        abort(404)
    today = now().astimezone(CHINA).date()
    seen = evidence.gather(store(), parts().lookups, case, today, cases.visible_to(g.office.user))
    store().record_audit(g.office.user.name, "read_complaint", case["uuid"], "ok", now())
    user = g.office.user
    allowed = [
        a
        for a in workflow.ACTIONS.values()
        if user.may(a.permission) and case["status"] in a.from_statuses and not case["withdrawn_at"]
    ]
    overdue = workflow.is_overdue(
        status=case["status"],
        withdrawn=case["withdrawn_at"] is not None,
        received_at=case["received_at"],
        due_at=case["due_at"],
        now=now(),
    )
    return render_template(
        "office/detail.html",
        case=case,
        payload=case["payload"],
        evidence=seen,
        tracking=show_tracking_number(case["tracking_no"]),
        overdue=overdue,
        category=CATEGORIES.get(case["category"], (case["category"],))[0],
        actions=allowed,
        status_names=workflow.STATUS_NAMES,
        outcomes=workflow.OUTCOMES,
        track=show_tracking_number,
        departments=cases.department_names(store()),
        suggested=_department_of(case["programme"]),
        china=CHINA,
    )


@bp.post("/complaints/<int(max=2147483647):complaint_id>/<action>")
@guarded(None)
def act(complaint_id: int, action: str) -> ResponseReturnValue:
    if action not in workflow.ACTIONS:
        abort(404)
    if not g.office.user.may(workflow.ACTIONS[action].permission):
        store().record_audit(g.office.user.name, action, f"complaint {complaint_id}", "refused: role", now())
        abort(403)
    try:
        cases.act(store(), complaint_id, g.office.user, action, request.form.to_dict(), now())
    except WorkflowError as error:
        if error.words == "没有这份反映，或不归您办理":
            abort(404)
        if error.words.startswith("您的角色"):
            abort(403)
        return render_template("office/refused.html", words=error.words, complaint_id=complaint_id), 409
    return redirect(url_for("office.detail", complaint_id=complaint_id), code=303)


@bp.get("/patterns")
@guarded("dashboard")
def patterns() -> ResponseReturnValue:
    """Village × programme: cases and findings, and the money at stake, each cell opening its cases."""
    from kiosk.hub.patterns import by_role, village_by_programme

    region = asked_region()
    viewer = dataclasses.replace(g.office.user, region=region)  # the account, narrowed to the asked region
    table = village_by_programme(store(), viewer, now())
    roles = {
        "approver": ("按审批人", by_role(store(), viewer, now(), "approver")),
        "operator": ("按发放经办人", by_role(store(), viewer, now(), "operator")),
        "entered_by": ("按数据录入人", by_role(store(), viewer, now(), "entered_by")),
        "batch": ("按发放批次", by_role(store(), viewer, now(), "batch")),
    }
    months = stats.by_month(store(), 12, now(), region)
    store().record_audit(g.office.user.name, "patterns", region, "ok", now())
    return render_template("office/patterns.html", table=table, roles=roles, months=months)


@bp.get("/grouped")
@guarded(None)
def grouped() -> ResponseReturnValue:
    """The inbox's cases (with its filters) one group per person and programme: four reports of one
    shortfall are one case with four reports."""
    from kiosk.hub.patterns import grouped as grouped_cases

    _any_view()
    query = cases.InboxQuery.from_args(request.args)
    groups = grouped_cases(store(), query, g.office.user, now())
    store().record_audit(
        g.office.user.name, "grouped_cases", request.query_string.decode()[:128], "ok", now()
    )
    programmes = dict(roster.programme_choices(store().engine))
    return render_template(
        "office/grouped.html", groups=groups, query=query, track=show_tracking_number, programmes=programmes
    )
