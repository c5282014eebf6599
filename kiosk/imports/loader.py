"""Import one data file into the store: in one transaction, or not at all.

Every row is validated; errors name the file, sheet, row, column and value in words
a clerk can act on. With `skip_bad_rows` the good rows go in and the skipped ones are
recorded in the import log. Rows are keyed on natural keys, so importing the same
batch twice changes nothing. Payments go straight into the ledger, tagged with their
import and row, so duplicate detection needs no memory proportional to the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from itertools import islice
from operator import itemgetter
from pathlib import Path

from device.idnumber import mask_id_number
from kiosk.imports import validate as v
from kiosk.imports.formats import FormatError, match_headers, missing_columns, recognise
from kiosk.imports.importer import Importer, ImportReport, RowError
from kiosk.imports.registers import REGISTER_IMPORTERS
from kiosk.imports.sources import open_tables
from kiosk.rules import PolicyError, Rulebook
from kiosk.store import Rollback, Store, Tx

CHUNK = 5000


class _Villages(Importer):
    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.seen: dict[str, int] = {}

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        good = []
        for number, cells in rows:
            try:
                code = v.required(cells["village_code"], "村代码")
                name = v.required(cells["village_name"], "村名")
            except v.CellError as error:
                self.cell_error(number, error)
                continue
            if code in self.seen:
                self.error(number, "村代码", code, f"与第{self.seen[code]}行重复")
                continue
            self.seen[code] = number
            good.append((code, name, cells.get("township", "")))
        changed = self.store.upsert_villages(self.tx, good)
        self.report.imported += changed
        self.report.unchanged += len(good) - changed


class _Persons(Importer):
    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.villages = self.store.village_codes()
        self.seen: dict[str, int] = {}

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        good, accounts = [], []
        for number, cells in rows:
            try:
                id_number = v.id_number(cells["id_number"])
                name = v.required(cells["name"], "姓名")
                gender = v.gender(cells["gender"])
                village = v.required(cells["village"], "村")
                household = v.required(cells["household"], "户号")
                death_on = v.optional_date(cells.get("death_date", ""), "死亡日期")
            except v.CellError as error:
                self.cell_error(number, error)
                continue
            birth_on = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            if ("M" if int(id_number[16]) % 2 else "F") != gender:
                self.error(number, "性别", cells["gender"], "与身份证号不一致")
                continue
            if village not in self.villages:
                self.error(number, "村", village, "未知的村（请先导入村名单）")
                continue
            if death_on is not None and not birth_on <= death_on <= self.today:
                self.error(number, "死亡日期", cells["death_date"], "早于出生日期或晚于今天")
                continue
            if id_number in self.seen:
                self.error(number, "身份证号", cells["id_number"], f"与第{self.seen[id_number]}行重复")
                continue
            self.seen[id_number] = number
            good.append(
                (
                    id_number,
                    name,
                    gender,
                    birth_on.isoformat(),
                    self.villages[village],
                    household,
                    death_on.isoformat() if death_on else None,
                )
            )
            if cells.get("account"):
                accounts.append((id_number, cells["account"]))
        changed = self.store.upsert_persons(self.tx, good)
        self.report.imported += changed
        self.report.unchanged += len(good) - changed
        if accounts:
            ids = self.store.persons_by_id_number(number for number, _ in accounts)
            self.store.register_accounts(
                self.tx, [(account, ids[n][0]) for n, account in accounts if n in ids]
            )


class _PersonRows(Importer):
    """Shared by kinds whose rows name a person who must already be on the roster."""

    def persons(self, rows: list[tuple[int, dict[str, str]]]) -> dict[str, tuple[int, str, str | None]]:
        return self.store.persons_by_id_number(cells["id_number"].upper() for _, cells in rows)

    def person(
        self, known: Mapping[str, tuple[int, str, str | None]], number: int, raw: str
    ) -> tuple[int, str]:
        """Return (person id, registered name). A number on the roster was validated when the roster was
        imported; only an unknown one is checked, to say whether it is malformed or just not registered."""
        found = known.get(raw.upper())
        if found is None:
            v.id_number(raw)
            raise v.CellError("身份证号", raw, "不在人员名册中（请先导入人员）")
        return found[0], found[1]


class _Enrolments(_PersonRows):
    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.seen: dict[tuple[int, str, str], int] = {}

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        known = self.persons(rows)
        good = []
        for number, cells in rows:
            try:
                person_id, _ = self.person(known, number, cells["id_number"])
                code = self.programmes.code(cells["programme"])
                category = self.programmes.category(code, cells.get("category", ""))
                amount = v.quantity(cells.get("quantity", ""))
                self.programmes.grade(code, amount)
                if code in ("farmland", "forest") and amount is None:
                    raise v.CellError("数量", "", "不能为空（耕地、公益林填亩数）")
                start = v.date(v.required(cells["start"], "开始日期"), "开始日期")
                end = v.optional_date(cells.get("end", ""), "结束日期")
            except v.CellError as error:
                self.cell_error(number, error)
                continue
            if end is not None and end < start:
                self.error(number, "结束日期", cells["end"], "早于开始日期")
                continue
            key = (person_id, code, start.isoformat())
            if key in self.seen:
                self.error(number, "整行", cells["id_number"], f"与第{self.seen[key]}行重复")
                continue
            self.seen[key] = number
            good.append(
                (
                    person_id,
                    code,
                    category,
                    str(amount) if amount is not None else None,
                    start.isoformat(),
                    end.isoformat() if end else None,
                    cells.get("approver", "").strip()[:64],
                )
            )
        changed = self.store.upsert_enrolments(self.tx, good)
        self.report.imported += changed
        self.report.unchanged += len(good) - changed
        for id_number, code, earlier, later in self.store.overlapping_enrolments(
            self.tx, [row[0] for row in good]
        ):
            self.report.warnings.append(
                f"{mask_id_number(id_number)} 的 {code} 有两段重叠的享受期（{earlier}起、{later}起）："
                f"以后一段为准，前一段视为到{later}前一天为止；如果不对，请改正后重新导入"
            )


class _Payments(_PersonRows):
    """Payments go straight into the ledger with INSERT OR IGNORE, tagged with this import and their row.

    Only in a chunk where some rows were ignored are they looked up, to tell a duplicate
    within this file (same import, another row) from a row an earlier import brought.
    Memory stays flat however long the file.
    """

    REQUIRED = {
        "name": "姓名",
        "period": "所属期",
        "amount": "金额",
        "paid_on": "发放日期",
        "batch": "批次号",
    }

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        known = self.persons(rows)
        good = []
        for number, cells in rows:
            try:
                person_id, registered = self.person(known, number, cells["id_number"])
                if not (
                    cells["name"]
                    and cells["period"]
                    and cells["amount"]
                    and cells["paid_on"]
                    and cells["batch"]
                ):
                    key = next(key for key in self.REQUIRED if not cells[key])
                    raise v.CellError(self.REQUIRED[key], "", "不能为空")
                name = cells["name"]
                code = self.programmes.code(cells["programme"])
                period = self.programmes.period(code, cells["period"])
                fen = v.amount_fen(cells["amount"])
                paid_on, paid_iso = v.iso_date(cells["paid_on"], "发放日期")
                batch = cells["batch"]
            except v.CellError as error:
                self.cell_error(number, error)
                continue
            if name != registered and "".join(name.split()) != "".join(registered.split()):
                self.error(number, "姓名", name, "与人员名册中登记的姓名不一致")
                continue
            if paid_on > self.today:
                self.error(number, "发放日期", cells["paid_on"], "晚于今天")
                continue
            good.append(
                (
                    person_id,
                    code,
                    period,
                    fen,
                    paid_iso,
                    cells["account"],
                    batch,
                    self.import_id,
                    number,
                    cells.get("operator", "").strip()[:64],
                    cells.get("entered_by", "").strip()[:64],
                )
            )
        inserted = self.store.insert_new_payments(self.tx, good)
        unchanged = 0
        if inserted < len(good):
            for row in good:
                origin = self.store.payment_origin(self.tx, (row[0], row[1], row[2], row[6], row[3], row[4]))
                if origin == (self.import_id, row[8]):
                    continue
                if origin[0] == self.import_id:
                    self.error(row[8], "整行", "", f"与第{origin[1]}行重复")
                else:
                    unchanged += 1
        self.store.insert_new_accounts(self.tx, {(row[5], row[0]) for row in good if row[5]})
        self.report.imported += inserted
        self.report.unchanged += unchanged


def _head_number(raw: str) -> str:
    """The head's ID number, its errors named by the head's column."""
    try:
        return v.id_number(raw).upper()
    except v.CellError as error:
        raise v.CellError("户主身份证号", error.value, error.problem) from None


class _Households(Importer):
    """Households (village + 户号, the natural key): the head (户主), who must be on the roster in that
    household, and — where a programme needs it — the per-capita monthly income verified on a day. One
    row per household and verification; a row without income names the head only."""

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.villages = self.store.village_codes()
        self.heads: dict[tuple[str, str], tuple[str, int]] = {}  # household → (head's number, first row)
        self.seen: dict[tuple[str, str, str], int] = {}

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        parsed = []
        for number, cells in rows:
            try:
                village = v.required(cells["village"], "村")
                household = v.required(cells["household"], "户号")
                head = _head_number(cells["head_id_number"])
                verified = v.optional_date(cells.get("verified_on", ""), "核定日期")
                income = cells.get("income", "")
                fen = v.amount_fen(income, "家庭月人均收入") if income else None
            except v.CellError as error:
                self.cell_error(number, error)
                continue
            if village not in self.villages:
                self.error(number, "村", village, "未知的村（请先导入村名单）")
                continue
            if (verified is None) != (fen is None):
                column, value = ("核定日期", "") if verified is None else ("家庭月人均收入", "")
                self.error(number, column, value, "家庭月人均收入和核定日期要一起填写")
                continue
            if fen is not None and fen < 0:
                self.error(number, "家庭月人均收入", income, "不能为负数")
                continue
            if verified is not None and verified > self.today:
                self.error(number, "核定日期", cells["verified_on"], "晚于今天")
                continue
            parsed.append((number, cells, self.villages[village], household, head, verified, fen))
        members = self.store.household_members((code, household) for _, _, code, household, *_ in parsed)
        heads, incomes, accepted = [], [], 0
        for number, _cells, code, household, head, verified, fen in parsed:
            key = (code, household)
            if key not in members:
                self.error(number, "户号", household, "该村没有此户号的人员（请先导入人员）")
                continue
            if head not in members[key]:
                self.error(number, "户主身份证号", mask_id_number(head), "不是该户的成员")
                continue
            earlier = self.heads.get(key)
            if earlier is not None and earlier[0] != head:
                self.error(number, "户主身份证号", mask_id_number(head), f"与第{earlier[1]}行的户主不同")
                continue
            if verified is not None and fen is not None:
                spot = (code, household, verified.isoformat())
                if spot in self.seen:
                    self.error(number, "整行", household, f"与第{self.seen[spot]}行重复")
                    continue
                self.seen[spot] = number
                incomes.append((code, household, verified.isoformat(), fen))
            if earlier is None:
                self.heads[key] = (head, number)
                heads.append((code, household, head))
            accepted += 1
        ids = self.store.persons_by_id_number(head for _, _, head in heads)
        changed = self.store.upsert_households(self.tx, [(c, h, ids[n][0]) for c, h, n in heads])
        changed += self.store.upsert_household_incomes(self.tx, incomes)
        self.report.imported += min(changed, accepted)
        self.report.unchanged += accepted - min(changed, accepted)


IMPORTERS = {
    "villages": _Villages,
    "persons": _Persons,
    "households": _Households,
    "enrolments": _Enrolments,
    "payments": _Payments,
    **REGISTER_IMPORTERS,  # the cross-check registers' (kiosk.imports.registers)
}


def _chunks(
    rows: Iterator[tuple[int, list[str]]], columns: Mapping[str, int]
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    keys = tuple(columns)
    pick = itemgetter(*columns.values())
    width = max(columns.values()) + 1

    def as_dict(cells: list[str]) -> dict[str, str]:
        if len(cells) < width:  # a short row: the missing cells are empty
            cells = cells + [""] * (width - len(cells))
        picked = pick(cells)
        return dict(zip(keys, picked if len(keys) > 1 else (picked,), strict=True))

    while True:
        chunk = [(number, as_dict(cells)) for number, cells in islice(rows, CHUNK)]
        if not chunk:
            return
        yield chunk


def _load_tables(
    store: Store,
    tx: Tx,
    tables: Iterator,
    *,
    path: Path,
    rulebook: Rulebook,
    today: dt.date,
    kind: str | None,
    mapping: Mapping[str, str],
    report: ImportReport,
    import_id: int,
) -> None:
    for table in tables:
        table_kind = kind or recognise(table.headers, mapping)
        where = f"{path.name}{' ' + table.sheet if table.sheet else ''}"
        if table_kind is None:
            raise FormatError(
                f"{where}: 第{table.header_row}行的表头不是村名单、人员、享受对象或发放明细的格式"
            )
        columns = match_headers(table_kind, table.headers, mapping)
        missing = missing_columns(table_kind, columns)
        if missing:
            raise FormatError(f"{where}: 第{table.header_row}行表头缺少列：{'、'.join(missing)}")
        report.kind = table_kind
        importer = IMPORTERS[table_kind](
            store=store,
            tx=tx,
            rulebook=rulebook,
            today=today,
            report=report,
            sheet=table.sheet,
            import_id=import_id,
        )
        for chunk in _chunks(table.rows, columns):
            report.rows_read += len(chunk)
            importer.add(chunk)
        importer.finish()
        report.skipped += len(importer.bad_rows)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(
    store: Store,
    path: Path,
    *,
    rulebook: Rulebook,
    today: dt.date,
    kind: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Import `path` (CSV/XLSX data, or a TOML policy) into `store`; return what happened.

    Raises FormatError when the file cannot be read as any kind (nothing is written then).
    """
    if path.suffix.lower() == ".toml":
        return import_policy(store, path, rulebook=rulebook)
    mapping = mapping or {}
    report = ImportReport(file=path.name)
    with store.import_transaction() as tx:
        store.save_programmes(tx, rulebook)  # the codes rows refer to (and their current names)
        import_id = store.begin_import(tx, file_name=path.name, kind=kind or "")
        with closing(open_tables(path, mapping)) as tables:
            _load_tables(
                store,
                tx,
                tables,
                path=path,
                rulebook=rulebook,
                today=today,
                kind=kind,
                mapping=mapping,
                report=report,
                import_id=import_id,
            )
        if report.error_count and not skip_bad_rows:
            report.skipped = 0
            raise Rollback  # nothing of a file with errors goes in, unless asked to skip them
        skipped = [
            {"sheet": e.sheet, "row": e.row, "column": e.column, "problem": e.problem} for e in report.errors
        ]
        if report.kind == "payments":
            store.note_ledger_date(tx)
        store.finish_import(
            tx,
            import_id,
            sha256=file_sha256(path),
            kind=report.kind,
            rows_read=report.rows_read,
            rows_imported=report.imported,
            rows_unchanged=report.unchanged,
            rows_skipped=report.skipped,
            skipped=json.dumps(skipped, ensure_ascii=False),
        )
        report.committed = True  # once the block's COMMIT returns; a failing COMMIT raises past the return
    return report


def import_policy(store: Store, path: Path, *, rulebook: Rulebook) -> ImportReport:
    """Validate a programme's policy file against the rules engine, then keep it in the store."""
    from kiosk.rules import load_rulebook_from
    from kiosk.rules.parameters import parse_policy
    from kiosk.rules.programmes import RULES

    report = ImportReport(file=path.name, kind="policy", rows_read=1)
    try:
        text = path.read_text(encoding="utf-8")
        policy = parse_policy(text, path.name, set(RULES))
        load_rulebook_from(
            {
                **{c: (p.file_name or p.code + ".toml", p.source) for c, p in rulebook.policies.items()},
                policy.code: (path.name, text),
            }
        )
    except (OSError, UnicodeDecodeError) as error:
        raise FormatError(f"{path.name}: 无法读取政策文件: {error}") from None
    except PolicyError as error:
        report.add_error(RowError(path.name, "", 0, "政策", "", str(error)))
        return report
    with store.transaction() as tx:
        store.save_policy(tx, policy.code, path.name, text)
        import_id = store.begin_import(tx, file_name=path.name, kind="policy")
        store.finish_import(
            tx,
            import_id,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            kind="policy",
            rows_read=1,
            rows_imported=1,
            rows_unchanged=0,
            rows_skipped=0,
            skipped="[]",
        )
    report.imported = 1
    report.committed = True
    return report


def write_error_file(report: ImportReport, source: Path) -> Path | None:
    """Write the file's errors next to it as `<name>.errors.csv` (UTF-8 with BOM, so Excel opens it)."""
    if not report.errors:
        return None
    target = source.with_name(source.name + ".errors.csv")
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["文件", "工作表", "行", "列", "值", "错误", "说明"])
        for error in report.errors:
            writer.writerow(
                [error.file, error.sheet, error.row, error.column, error.value, error.problem, error.message]
            )
        if report.error_count > len(report.errors):
            writer.writerow(
                ["", "", "", "", "", f"另有{report.error_count - len(report.errors)}处错误未列出", ""]
            )
    report.error_file = target
    return target


def import_files(store: Store, paths: Iterable[Path], **kwargs) -> list[ImportReport]:  # type: ignore[no-untyped-def]
    return [import_file(store, path, **kwargs) for path in paths]
