"""The villager's screens: attract, the summary (what is wrong first, then the years), one programme's
periods in runs, and session end.

Personal pages are served only to the browser holding the current card session's
cookie; when the card goes, the session and its data go with it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from kiosk.backend import LookupResult
from kiosk.rules.problems import all_clear, problem_runs, runs_of
from kiosk.rules.reconcile import Reconciliation, Status
from kiosk.services.assist import LOOKUP_REASONS
from kiosk.services.statement import Statement, statement_for
from kiosk.services.terminal import Terminal
from kiosk.web.complaints import mine_for_summary
from kiosk.web.context import services
from kiosk.web.language import COOKIE as LANGUAGE_COOKIE
from kiosk.web.language import render
from kiosk.web.session import COOKIE

bp = Blueprint("villager", __name__)

LONG_POLL_SECONDS = 20.0


def _terminal() -> Terminal:
    return services().terminal


def _session_result() -> LookupResult | None:
    return _terminal().result_for(request.cookies.get(COOKIE))


@bp.get("/")
def attract() -> ResponseReturnValue:
    snapshot = _terminal().snapshot()
    cards = services().store.demo_cards() if services().config.demo else []
    return render_template("kiosk/attract.html", snapshot=snapshot, demo_cards=cards)


@bp.get("/terminal/state")
def terminal_state() -> ResponseReturnValue:
    """Long poll: answer at once if the state moved past `since`, else when it does (or after 20 s)."""
    since = request.args.get("since", type=int)
    terminal = _terminal()
    # waitress tells whether the browser hung up (it reads ahead on the connection: see kiosk.cli).
    gone = request.environ.get("waitress.client_disconnected")
    with services().screen_polling():  # the screen is alive: `kiosk screen` restarts one that stops asking
        snapshot = (
            terminal.snapshot() if since is None else terminal.wait_for_change(since, LONG_POLL_SECONDS, gone)
        )
    shown = snapshot.as_json()  # the terminal's words, in the villager's language
    shown.update(message=render(snapshot.message_zh), advice=render(snapshot.advice_zh))
    return jsonify(shown)


@bp.get("/session/open")
def open_session() -> ResponseReturnValue:
    token = _terminal().claim_session()
    if token is None:
        return redirect(url_for("villager.attract"))
    response = redirect(url_for("villager.summary"))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response


def _year_arg(reconciliation: Reconciliation) -> int:
    years = reconciliation.years() or [reconciliation.today.year]
    year = request.args.get("year", type=int)
    return year if year in years else max(years)


def _programme_rows(reconciliation: Reconciliation, year: int) -> list[dict[str, object]]:
    rows = []
    for group in reconciliation.programmes:
        lines = [line for line in group.lines if line.period.year == year]
        if not lines:
            continue
        due = [line for line in lines if line.status is not Status.NOT_YET_DUE]
        problems = [line for line in lines if line.status.is_problem]
        rows.append(
            {
                "group": group,
                "owed_fen": sum(line.owed_fen for line in due),
                "paid_fen": sum(line.paid_fen for line in due),
                "problems": len(problems),
                "pending_only": not due,
                "to_head": bool(due) and all(line.status is Status.PAID_TO_HEAD for line in due),
                "statuses": sorted({line.status for line in problems}, key=list(Status).index),
            }
        )
    return rows


@bp.get("/me")
def summary() -> ResponseReturnValue:
    result = _session_result()
    if result is None:
        return redirect(url_for("villager.attract"))
    told = _told()
    if not result.on_roster:
        services().speech.show(request.cookies.get(COOKIE), "unlisted")
        return render_template(
            "kiosk/unlisted.html", holder=result.holder, complaints=mine_for_summary(result), **told
        )
    services().speech.show(request.cookies.get(COOKIE), "summary")
    reconciliation = result.reconciliation
    year = _year_arg(reconciliation)
    rows = _programme_rows(reconciliation, year)
    due = reconciliation.totals(year)
    everything = reconciliation.totals(year, include_not_yet_due=True)
    complaints = mine_for_summary(result)
    return render_template(
        "kiosk/summary.html",
        holder=result.holder,
        reconciliation=reconciliation,
        problem_runs=problem_runs(reconciliation),
        all_clear=all_clear(reconciliation),
        filed=_filed(complaints),
        year=year,
        rows=rows,
        complaints=complaints,
        totals=due,
        pending_fen=everything.owed_fen - due.owed_fen - (everything.paid_fen - due.paid_fen),
        problems=sum(row["problems"] for row in rows),
        **told,
    )


def _told() -> dict[str, object]:
    """What the summary tells first about how this session came about: the helpers' earlier lookups of this
    card holder (at their own card read), or that a helper opened this session by typed number."""
    scratch = _terminal().scratch(request.cookies.get(COOKIE)) or {}
    return {
        "lookup_notices": scratch.get("notices") or [],
        "typed_by": scratch.get("typed"),
        "lookup_reasons": LOOKUP_REASONS,
    }


@bp.get("/me/programme/<code>")
def programme(code: str) -> ResponseReturnValue:
    result = _session_result()
    if result is None:
        return redirect(url_for("villager.attract"))
    reconciliation = result.reconciliation
    group = next((g for g in reconciliation.programmes if g.code == code), None)
    if group is None:
        abort(404)
    year = _year_arg(reconciliation)
    services().speech.show(request.cookies.get(COOKIE), "programme", code=code, year=year)
    years = sorted({line.period.year for line in group.lines}, reverse=True)
    runs = runs_of(group, [line for line in group.lines if line.period.year == year])
    problems = sorted((r for r in runs if r.status.is_problem), key=lambda r: -r.at_stake_fen)
    fine = sorted((r for r in runs if not r.status.is_problem), key=lambda r: r.first.start_on, reverse=True)
    policy = services().rulebook.policies.get(code)
    return render_template(
        "kiosk/programme.html",
        holder=result.holder,
        group=group,
        year=year,
        years=years,
        runs=[*problems, *fine],
        filed=_filed(mine_for_summary(result)),
        policy=policy,
    )


def _filed(complaints: list[dict]) -> dict[tuple[str, str], str]:
    """(programme, first period) → tracking number of the person's complaints not withdrawn: a problem
    already reported shows its number instead of a second complaint button."""
    return {
        (c["programme"], c["period"]): c["tracking_shown"]
        for c in complaints
        if not c["withdrawn_at"] and c["programme"]
    }


@bp.post("/session/end")
def end_session() -> ResponseReturnValue:
    _terminal().end_session(request.cookies.get(COOKIE))
    return redirect(url_for("villager.bye"), code=303)


@bp.get("/bye")
def bye() -> ResponseReturnValue:
    """Leave no trace of the session in the browser, then go back to the attract screen."""
    response = make_response(redirect(url_for("villager.attract"), code=303))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(LANGUAGE_COOKIE, path="/")  # the next villager starts in the kiosk's language
    return response


def _statement() -> Statement | None:
    """The statement of the current card session, or None without one."""
    result = _session_result()
    return statement_for(result) if result is not None else None


@bp.get("/me/statement.pdf")
def statement_pdf() -> ResponseReturnValue:
    """The statement as an A4 PDF, for a clinic's ordinary printer (or to save)."""
    import segno
    import weasyprint

    statement = _statement()
    if statement is None:
        return redirect(url_for("villager.attract"))
    qr = segno.make(statement.qr_text, error="m").svg_inline(scale=3)
    html = render_template("kiosk/statement.html", s=statement, qr=qr)
    pdf = weasyprint.HTML(string=html).write_pdf()
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": 'inline; filename="statement.pdf"'}
    )


@bp.post("/me/statement/print")
def statement_print() -> ResponseReturnValue:
    """The statement on the receipt printer, when the kiosk has one."""
    from device.printer import PrinterError, open_printer, print_slip

    statement = _statement()
    if statement is None:
        return redirect(url_for("villager.attract"))
    try:
        device = open_printer(services().config.printer)
        if device is None:
            abort(404)
        print_slip(device, statement.slip_lines(), statement.qr_text)
        services().last_slip = getattr(device, "output", b"")
        printed = "1"
    except PrinterError as error:
        current_app.logger.warning("statement not printed: %s", error)
        printed = "0"
    return redirect(url_for("villager.summary", printed=printed), code=303)  # the unlisted screen too
