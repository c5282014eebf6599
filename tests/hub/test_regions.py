"""Division codes: every written length of an official code names one region; a list of names loads from
CSV (by `kiosk hub --regions`); accounts and kiosks are placed in regions from the command line."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from kiosk.hub import regions
from kiosk.hub.accounts import account
from kiosk.hub.db import kiosks
from kiosk.hub.store import HubStore
from tests.helpers.hub import KIOSK


@pytest.mark.parametrize(
    ("written", "code", "level"),
    [
        ("520000000000", "52", "province"),
        ("520000", "52", "province"),
        ("522300000000", "5223", "prefecture"),
        ("522300", "5223", "prefecture"),
        ("5223", "5223", "prefecture"),
        ("522301", "522301", "county"),
        ("522301000000", "522301", "county"),
        ("522301100000", "522301100", "township"),
        ("522301100201", "522301100201", "village"),
        (" 522301 ", "522301", "county"),
        ("", "", ""),
        (
            "000000",
            "000000",
            "county",
        ),  # the villages without division codes, as kiosk.hub.publish names them
    ],
)
def test_every_written_length_of_a_code_names_one_region(written, code, level):
    assert regions.normalize(written) == code
    assert regions.level_of(code) == level


@pytest.mark.parametrize("bad", ["52230", "5223a1", "00", "000000000000", "52-23", "1234567"])
def test_a_code_that_is_no_region_is_refused_in_words(bad):
    with pytest.raises(regions.RegionError, match="代码"):
        regions.normalize(bad)


def test_parents_children_and_containment_follow_the_codes():
    assert [regions.parent_of(c) for c in ("522301100201", "522301100", "522301", "5223", "52")] == [
        "522301100",
        "522301",
        "5223",
        "52",
        "",
    ]
    assert [regions.child_length(c) for c in ("", "52", "5223", "522301", "522301100", "522301100201")] == [
        2,
        4,
        6,
        9,
        12,
        None,
    ]
    assert regions.contains("5223", "522301100") and regions.contains("", "52")
    assert not regions.contains("522302", "522301100") and not regions.contains("522301", "5223")


def test_a_roster_row_is_placed_at_its_village_when_the_code_is_official():
    assert regions.of_village("522301100201", "522301") == "522301100201"
    assert regions.of_village("522301001", "522301") == "522301"  # county + 3 digits: not a village code
    assert regions.of_village("522302100201", "522301") == "522301"  # another county's: kept at its own
    assert regions.of_village(None, "000000") == "000000"


def test_an_official_list_loads_with_its_parents_and_a_second_load_adds_nothing(tmp_path):
    listing = tmp_path / "regions.csv"
    listing.write_text(
        "代码,名称\n522301100000,桔山街道\n522301100201,新街村\n522328,安龙县\n", encoding="utf-8"
    )
    store = HubStore(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        assert regions.load_file(store.engine, listing) == 6  # two named, their county, prefecture, province
        assert regions.load_file(store.engine, listing) == 0
        assert regions.subregions(store.engine, "5223") == [("522301", "兴义市"), ("522328", "安龙县")]
        assert regions.path_to(store.engine, "522301100201", "5223") == [
            ("5223", "黔西南布依族苗族自治州"),
            ("522301", "兴义市"),
            ("522301100", "桔山街道"),
            ("522301100201", "新街村"),
        ]
    finally:
        store.close()


def test_the_command_line_loads_regions_and_places_accounts_and_kiosks(tmp_path):
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    listing = tmp_path / "regions.csv"
    listing.write_text("522301100000,桔山街道\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("52230,某地\n", encoding="utf-8")

    def hub(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [KIOSK, "hub", "--db", db, *args], input=stdin, text=True, capture_output=True, timeout=120
        )

    assert "4 added" in hub("--regions", str(listing)).stdout
    refused = hub("--regions", str(bad))
    assert refused.returncode == 1 and "区划代码" in refused.stderr and "Traceback" not in refused.stderr
    added = hub(
        "--add-user",
        "xingyi-jiwei",
        "--role",
        "supervisor",
        "--region",
        "522301000000",
        stdin="a long enough passphrase 7\n",
    )
    assert added.returncode == 0, added.stderr
    assert hub("--register", "clinic-9", "--region", "522301100").returncode == 0
    wrong = hub("--register", "clinic-10", "--region", "nowhere")
    assert wrong.returncode == 2 and "区划代码" in wrong.stderr
    store = HubStore(db)
    try:
        assert account(store, "xingyi-jiwei")["region"] == "522301"
        assert account(store, "xingyi-jiwei", within="522302") is None
        with store.engine.connect() as conn:
            placed = conn.execute(sa.select(kiosks.c.region).where(kiosks.c.kiosk_id == "clinic-9")).scalar()
        assert placed == "522301100"
    finally:
        store.close()
