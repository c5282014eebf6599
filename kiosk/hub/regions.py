"""The administrative hierarchy as data: province → prefecture → county → township → village, by the
official division codes (统计用区划代码), and the SQL that scopes a query to one region.

A region's code is the official 12-digit code with its trailing zero groups cut off, so every region's
code is the start of its descendants' codes: 52 贵州省, 5223 黔西南州, 522301 兴义市, 522301001 a township,
522301001201 a village. An account, a kiosk, a complaint and a finding each carry such a code; the empty
code is the whole hub. "Within R" is then "begins with R" — one rule for scoping and for rolling up (a
region's subregions are the distinct prefixes one level longer). The 6-digit county is kept apart on
the tables that have it, because it is indexed (and the ledger's partition key): a scope of a county or
narrower names it, so PostgreSQL reads that county's rows through the index.

The table is filled from three places: the names below (Guizhou's prefectures and Qianxinan's counties,
the deployment this answers), every publication (its county, its townships as the villages name them,
its villages), and `kiosk hub --regions FILE` for an official list (CSV: code,name).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from kiosk.hub.db import regions

LEVELS = {2: "province", 4: "prefecture", 6: "county", 9: "township", 12: "village"}
LEVEL_NAMES = {"province": "省", "prefecture": "市州", "county": "县", "township": "乡镇", "village": "村"}
LEGACY_COUNTY = "000000"  # villages without division codes (kiosk.hub.publish): a county of its own
KNOWN = {
    "52": "贵州省",
    "5201": "贵阳市",
    "5202": "六盘水市",
    "5203": "遵义市",
    "5204": "安顺市",
    "5205": "毕节市",
    "5206": "铜仁市",
    "5223": "黔西南布依族苗族自治州",
    "5226": "黔东南苗族侗族自治州",
    "5227": "黔南布依族苗族自治州",
    "522301": "兴义市",
    "522302": "兴仁市",
    "522323": "普安县",
    "522324": "晴隆县",
    "522325": "贞丰县",
    "522326": "望谟县",
    "522327": "册亨县",
    "522328": "安龙县",
    "522701": "都匀市",
    LEGACY_COUNTY: "（未编码的县）",
}


class RegionError(ValueError):
    """A code that is not a division code, with words for the screen."""


def normalize(code: str) -> str:
    """The region code of an official code, in any of its written lengths: '520000000000', '522300' and
    '5223' are all the prefecture '5223'; '' stays the whole hub. RegionError otherwise."""
    code = (code or "").strip()
    if not code:
        return ""
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise RegionError(f"区划代码应为2、4、6、9或12位数字，而不是“{code}”")
    if code == LEGACY_COUNTY:
        return code
    padded = code.ljust(12, "0")
    for length in (12, 9, 6, 4):
        if padded[length - (3 if length > 6 else 2) : length].strip("0"):
            return padded[:length]
    if not padded[:2].strip("0"):
        raise RegionError(f"“{code}”不是任何地区的代码")
    return padded[:2]


def level_of(code: str) -> str:
    """'province' … 'village'; '' for the whole hub."""
    return LEVELS.get(len(code), "") if code else ""


def parent_of(code: str) -> str:
    """The region directly above `code` ('' above a province)."""
    lengths = [length for length in LEVELS if length < len(code)]
    return code[: max(lengths)] if lengths else ""


def child_length(code: str) -> int | None:
    """How long the codes of `code`'s subregions are (None below a village)."""
    longer = [length for length in LEVELS if length > len(code)]
    return min(longer) if longer else None


def contains(scope: str, code: str) -> bool:
    """Whether the region `code` lies within `scope` (every region lies within the whole hub)."""
    return code.startswith(scope)


def within(
    scope: str, region: sa.ColumnElement, county: sa.ColumnElement | None = None
) -> sa.ColumnElement[bool]:
    """SQL: rows whose `region` lies within `scope`. With the table's indexed `county` column, a scope of a
    county or narrower names the county (an index range, one ledger partition) and a wider one its prefix."""
    if not scope:
        return sa.true()
    if county is not None and len(scope) >= 6:
        narrower = sa.func.substr(region, 1, len(scope)) == scope if len(scope) > 6 else sa.true()
        return sa.and_(county == scope[:6], narrower)
    if county is not None:  # a prefecture or province: its counties' codes are one range (an index range)
        following = str(int(scope) + 1).zfill(len(scope))
        if len(following) == len(scope):
            return sa.and_(county >= scope, county < following)
        return sa.func.substr(county, 1, len(scope)) == scope
    return sa.func.substr(region, 1, len(scope)) == scope


def subregion_of(scope: str, region: sa.ColumnElement) -> sa.ColumnElement:
    """SQL: the subregion of `scope` a row's `region` falls in (its code cut one level below `scope`; a row
    known only to `scope` itself keeps `scope`'s code). Under the whole hub the county without division
    codes is a subregion of its own."""
    cut = sa.func.substr(region, 1, child_length(scope) or len(scope))
    if scope:
        return cut
    return sa.case((sa.func.substr(region, 1, 6) == LEGACY_COUNTY, LEGACY_COUNTY), else_=cut)


def of_village(village_code: str | None, county: str) -> str:
    """The region of a roster row: its village's code when that is an official code of its county, else
    the county (villages without division codes)."""
    code = village_code or ""
    return code if len(code) == 12 and code.isdigit() and code.startswith(county) else county


def of_village_sql(village_code: sa.ColumnElement, county: sa.ColumnElement) -> sa.ColumnElement:
    """SQL of `of_village`, for updating many rows at once."""
    official = sa.and_(sa.func.length(village_code) == 12, sa.func.substr(village_code, 1, 6) == county)
    return sa.case((official, village_code), else_=county)


# -- the table --------------------------------------------------------------------------------------------
def upsert(conn: sa.Connection, named: Iterable[tuple[str, str]], *, rename: bool = True) -> int:
    """Add (code, name) regions and every region above them not yet known (named from KNOWN, else by
    code). With `rename`, a known region takes the new name; without, only missing ones are added."""
    wanted: dict[str, str] = {}
    for raw, name in named:
        code = normalize(raw)
        if code:
            wanted[code] = (name or "").strip() or wanted.get(code, "")
    for code in list(wanted):
        above = parent_of(code) if code != LEGACY_COUNTY else ""
        while above:
            wanted.setdefault(above, "")
            above = parent_of(above)
    existing = dict(conn.execute(sa.select(regions.c.code, regions.c.name)).all())
    added = 0
    for code in sorted(wanted):
        name = wanted[code] or existing.get(code) or KNOWN.get(code) or code
        if code not in existing:
            values = {"name": name, "level": level_of(code) or "county", "parent": parent_of(code)}
            if code == LEGACY_COUNTY:
                values["parent"] = ""
            conn.execute(sa.insert(regions).values(code=code, **values))
            added += 1
        elif rename and wanted[code] and existing[code] != wanted[code]:
            conn.execute(sa.update(regions).where(regions.c.code == code).values(name=wanted[code]))
    return added


def load_file(engine: sa.Engine, path: Path) -> int:
    """Load an official list (CSV with columns code,name; a header row is skipped); the number added."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row and row[0].strip()]
    if rows and not rows[0][0].strip().isdigit():
        rows = rows[1:]
    named = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise RegionError(f"第{number}行应有“代码,名称”两列")
        named.append((row[0], row[1]))
    with engine.begin() as conn:
        return upsert(conn, named)


def names(conn: sa.Connection, codes: Iterable[str]) -> dict[str, str]:
    """code → name of `codes` (a code the table lacks is named by KNOWN, else shown as itself)."""
    wanted = sorted(set(codes))
    found = dict(
        conn.execute(sa.select(regions.c.code, regions.c.name).where(regions.c.code.in_(wanted))).all()
    )
    return {code: found.get(code) or KNOWN.get(code) or code or "（未定地区）" for code in wanted}


def path_to(engine: sa.Engine, code: str, top: str = "") -> list[tuple[str, str]]:
    """(code, name) from `top` (an account's own region) down to `code`: the breadcrumb of a page."""
    chain, cursor = [], code
    while len(cursor) > len(top):
        chain.append(cursor)
        cursor = parent_of(cursor) if cursor != LEGACY_COUNTY else ""
    chain.append(top)
    with engine.connect() as conn:
        named = names(conn, [c for c in chain if c])
    return [(c, named[c] if c else "全部地区") for c in reversed(chain)]


def name_of(engine: sa.Engine, code: str) -> str:
    if not code:
        return "全部地区"
    with engine.connect() as conn:
        return names(conn, [code])[code]


def subregions_in(conn: sa.Connection, scope: str) -> dict[str, str]:
    """code → name of the regions directly under `scope` that the table knows."""
    query = sa.select(regions.c.code, regions.c.name).where(regions.c.parent == scope)
    if scope == "":  # under the whole hub: the provinces, and the county without division codes
        query = query.where(regions.c.code != "")
    return dict(conn.execute(query.order_by(regions.c.code)).all())


def subregions(engine: sa.Engine, scope: str) -> list[tuple[str, str]]:
    """(code, name) of the regions directly under `scope` that the table knows, by code."""
    with engine.connect() as conn:
        return sorted(subregions_in(conn, scope).items())


def name_of_level_below(scope: str) -> str:
    """What the level under `scope` is called (乡镇 under a county), for rows known only to `scope`."""
    length = child_length(scope)
    return LEVEL_NAMES[LEVELS[length]] if length else "地区"
