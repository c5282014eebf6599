"""`kiosk import`, `kiosk checks` and `kiosk export`: a county clerk's work on the embedded store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.common import kiosk_config
from kiosk.config import KioskConfig
from kiosk.rules import Rulebook
from kiosk.store import Store


def _store_and_rules(config: KioskConfig) -> tuple[Store, Rulebook]:
    from kiosk.rules import load_rulebook
    from kiosk.store import open_store

    store = open_store(config.db_path)
    return store, load_rulebook(config.policy_dir, store.policies())


def cmd_import(args: argparse.Namespace) -> int:
    from kiosk.imports.formats import FormatError, load_mapping
    from kiosk.imports.loader import import_file, write_error_file

    config = kiosk_config(args)
    store, rulebook = _store_and_rules(config)
    try:
        mapping = load_mapping(args.mapping)
    except FormatError as error:
        print(f"kiosk import: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in args.files:
        try:
            report = import_file(
                store,
                path,
                rulebook=rulebook,
                today=config.current_date(),
                kind=args.kind,
                mapping=mapping,
                skip_bad_rows=args.skip_bad_rows,
            )
        except FormatError as error:
            print(f"{error}（未导入）")
            failed = True
            continue
        print(report.summary_zh())
        for row_error in report.errors[:20]:
            print(
                f"  {row_error.message}（值：{row_error.value}）"
                if row_error.value
                else f"  {row_error.message}"
            )
        for warning in report.warnings[:20]:
            print(f"  提醒：{warning}")
        if report.error_count > 20:
            print(f"  …共{report.error_count}处错误")
        if report.errors and not args.no_error_file and path.suffix.lower() != ".toml":
            print(f"  错误清单：{write_error_file(report, path)}")
        store.record_audit("cli", "import", path.name, "ok" if report.committed else "refused")
        failed |= not report.committed
        if report.kind == "policy" and report.committed:
            rulebook = _store_and_rules(config)[1]
    _run_checks(store, rulebook, config, out=args.report, cadres=None)
    return 1 if failed else 0


def _run_checks(
    store: Store, rulebook: Rulebook, config: KioskConfig, *, out: Path | None, cadres: Path | None
) -> None:
    from kiosk.services.checks import run_checks, summary_zh, write_report

    people = _read_cadres(cadres, rulebook, config) if cadres else []
    findings = run_checks(store, rulebook, today=config.current_date(), cadres=people)
    print("监督检查：" + "；".join(summary_zh(findings)))
    if out is not None:
        print(f"检查报告：{write_report(findings, out)}")


def _read_cadres(path: Path, rulebook: Rulebook, config: KioskConfig) -> list[tuple[str, str, str]]:
    from kiosk.imports import validate as v
    from kiosk.imports.formats import match_headers, missing_columns
    from kiosk.imports.sources import open_tables

    cadres = []
    for table in open_tables(path, {}):
        columns = match_headers("cadres", table.headers, {})
        if missing_columns("cadres", columns):
            raise SystemExit(f"{path.name}: 干部名单需要列：身份证号、姓名")
        for number, cells in table.rows:
            try:
                cadres.append(
                    (
                        v.id_number(cells[columns["id_number"]]),
                        cells[columns["name"]],
                        cells[columns["position"]] if "position" in columns else "",
                    )
                )
            except (v.CellError, IndexError) as error:
                raise SystemExit(f"{path.name}: 第{number}行 {error}") from None
    return cadres


def cmd_checks(args: argparse.Namespace) -> int:
    config = kiosk_config(args)
    store, rulebook = _store_and_rules(config)
    _run_checks(store, rulebook, config, out=args.out, cadres=args.cadres)
    store.record_audit("cli", "checks", str(args.out or ""), "ok")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kiosk.services.export import export_store
    from kiosk.store import open_store

    config = kiosk_config(args)
    store = open_store(config.db_path)
    for path in export_store(store, args.out):
        print(path)
    store.record_audit("cli", "export", str(args.out), "ok")
    return 0
