"""`kiosk lookup` (text for a clerk, --json for scripts) and `kiosk rules show`, as a clerk runs them: against
the demo county, agreeing with the kiosk's own backend, and against a crafted county computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from device.idnumber import check_character, parse_id_number
from kiosk.backend import EmbeddedBackend
from kiosk.rules import load_rulebook
from kiosk.store import open_store
from tests.helpers.county import ENROLMENTS, PAYMENTS, PERSONS, write_csv
from tests.helpers.facts import TODAY

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KIOSK, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "MINGBAI_CONFIG": ""},
    )


def number(first17: str) -> str:
    return first17 + check_character(first17)


def test_the_json_is_the_kiosks_own_picture_of_a_demo_card(demo_county):
    store = open_store(demo_county)
    card = next(c.id_number for c in store.demo_cards() if c.position == 3)
    expected = EmbeddedBackend(store, load_rulebook(None, store.policies()), history_years=2).look_up(
        parse_id_number(card), today=TODAY
    )
    store.close()
    run = kiosk("lookup", "--db", str(demo_county), "--today", TODAY.isoformat(), "--json", card)
    assert run.returncode == 0, run.stderr
    picture = json.loads(run.stdout)
    assert picture["person"]["masked_id"] == expected.holder.masked_id and card not in run.stdout
    got = {(g["code"], line["period"]): line for g in picture["programmes"] for line in g["lines"]}
    for group in expected.reconciliation.programmes:
        for line in group.lines:
            shown = got.pop((group.code, line.period.code))
            assert (shown["owed_fen"], shown["paid_fen"], shown["status"]) == (
                line.owed_fen,
                line.paid_fen,
                line.status.label_zh,
            )
            assert shown["explanation"] == line.entitlement.explanation
    assert got == {}, "no line the kiosk does not show"
    dibao = {
        line["period"]: line for g in picture["programmes"] if g["code"] == "dibao" for line in g["lines"]
    }
    assert dibao["2025-03"]["status"] == "少发" and dibao["2025-03"]["reference"]


def test_a_crafted_county_agrees_with_a_hand_computation(tmp_path):
    turns_60 = number("52010219650301002")  # turns 60 on 1 March 2025
    approved = number("52010219700101004")  # 低保 B approved on 15 March 2025
    village = write_csv(
        tmp_path / "villages.csv", ["村代码", "村名", "乡镇"], [["522799001", "东村", "明白镇"]]
    )
    persons = write_csv(
        tmp_path / "persons.csv",
        PERSONS,
        [
            [turns_60, "王小红", "女", "522799001", "01", "", ""],
            [approved, "李大山", "女", "522799001", "02", "", ""],
        ],
    )
    enrolments = write_csv(
        tmp_path / "enrolments.csv",
        ENROLMENTS,
        [
            [turns_60, "pension_basic", "", "", "2015-01-01", ""],
            [approved, "dibao", "B", "", "2025-03-15", ""],
        ],
    )
    payments = write_csv(
        tmp_path / "payments.csv",
        PAYMENTS,
        [
            [
                turns_60,
                "王小红",
                "pension_basic",
                "2025-04",
                "128.00",
                "2025-04-20",
                "6217000000000001",
                "B1",
            ],
            [approved, "李大山", "dibao", "2025-04", "150.00", "2025-04-20", "6217000000000002", "B1"],
        ],
    )
    db = str(tmp_path / "county.db")
    for source in (village, persons, enrolments, payments):
        loaded = kiosk("import", "--db", db, str(source))
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    run = kiosk("lookup", "--db", db, "--today", "2025-05-20", "--years", "0", "--json", turns_60)
    lines = {line["period"]: line for g in json.loads(run.stdout)["programmes"] for line in g["lines"]}
    assert "2025-03" not in lines or lines["2025-03"]["owed_fen"] == 0  # nothing owed, nothing paid
    assert (lines["2025-04"]["owed_fen"], lines["2025-04"]["paid_fen"], lines["2025-04"]["status"]) == (
        12800,
        12800,
        "足额发放",
    )
    run = kiosk("lookup", "--db", db, "--today", "2025-05-20", "--years", "0", "--json", approved)
    lines = {line["period"]: line for g in json.loads(run.stdout)["programmes"] for line in g["lines"]}
    assert (lines["2025-04"]["owed_fen"], lines["2025-04"]["paid_fen"], lines["2025-04"]["status"]) == (
        26000,
        15000,
        "少发",
    )
    assert "低保B类，每月260.00元" in lines["2025-04"]["explanation"] and lines["2025-04"]["reference"]
    text = kiosk("lookup", "--db", db, "--today", "2025-05-20", "--years", "0", approved)
    assert (
        text.returncode == 0
        and "少发" in text.stdout
        and "依据：" in text.stdout
        and approved not in text.stdout
    )


def test_an_invalid_or_unknown_number_exits_2_with_words(demo_county):
    good = number("52010219700101000")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")  # the check character is wrong
    bad = kiosk("lookup", "--db", str(demo_county), "--json", wrong)
    assert bad.returncode == 2 and "not a valid ID number" in bad.stderr and not bad.stdout
    nobody = kiosk("lookup", "--db", str(demo_county), "--json", number("52010219700101999"))
    assert nobody.returncode == 2 and "nobody with the number" in nobody.stderr
    assert "Traceback" not in bad.stderr + nobody.stderr


def test_rules_show_names_each_value_its_date_reference_and_the_timing(demo_county):
    run = kiosk("rules", "show", "pension_basic", "--on", "2025-05-01", "--db", str(demo_county))
    assert run.returncode == 0, run.stderr
    assert "monthly_amount" in run.stdout and "12800" in run.stdout and "自 2025-04-01 起" in run.stdout
    assert "年龄 next_period" in run.stdout and "年满60周岁的次月起" in run.stdout
    before = kiosk("rules", "show", "pension_basic", "--on", "2024-08-01", "--db", str(demo_county))
    assert "12300" in before.stdout and "之后：2025-04-01 起 12800" in before.stdout
    unknown = kiosk("rules", "show", "lottery", "--db", str(demo_county))
    assert unknown.returncode == 2 and "no programme 'lottery'" in unknown.stderr


CHAE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "chae"


def test_the_household_chae_example_county_agrees_with_a_hand_computation(tmp_path):
    """docs/examples/chae: 低保 as a household 差额 paid to the head, with an add-on and a gradual exit.
    坡头村 0003: standard 420, per-capita income 180 → (420 − 180) × 3 = 720, plus 老年人 50 = 770 a month.
    坡头村 0008: income 300 → 120 × 2 = 240; income verified at 500 on 10 June → six months' gradual exit
    from July keep 240; nothing from January."""
    db = str(tmp_path / "county.db")
    for name in (
        "dibao.toml",
        "villages.csv",
        "persons.csv",
        "households.csv",
        "enrolments.csv",
        "payments.csv",
    ):
        loaded = kiosk("import", "--db", db, str(CHAE / name))
        assert loaded.returncode == 0 and "错误" not in loaded.stdout, loaded.stdout + loaded.stderr

    def lines(id_number: str, today: str, years: str = "0") -> dict[str, dict]:
        run = kiosk("lookup", "--db", db, "--today", today, "--years", years, "--json", id_number)
        assert run.returncode == 0, run.stderr
        return {line["period"]: line for g in json.loads(run.stdout)["programmes"] for line in g["lines"]}

    head = lines("522799195804120013", "2025-05-20")
    verdicts = {period: (line["owed_fen"], line["paid_fen"], line["status"]) for period, line in head.items()}
    assert verdicts == {
        "2025-01": (77000, 77000, "足额发放"),
        "2025-02": (77000, 77000, "足额发放"),
        "2025-03": (77000, 72000, "少发"),
        "2025-04": (77000, 0, "未发放"),
        "2025-05": (77000, 0, "未到发放时间"),
    }
    assert head["2025-03"]["explanation"] == (
        "家庭人均收入180.00元，低于标准420.00元，按差额每人240.00元 × 3人 = 720.00元；"
        "另加老年人1人每月50.00元；共770.00元"
    )
    assert "按户发放" in head["2025-03"]["reference"] and "低保标准" in head["2025-03"]["reference"]
    elder = lines("522799195009030027", "2025-05-20")
    assert elder["2025-03"]["owed_fen"] == 0 and elder["2025-03"]["status"] == "由户主领取"
    assert "由户主杨*华领取全户款项（其中您的一份290.00元）" in elder["2025-03"]["explanation"]

    exiting = lines("522799196207150059", "2026-02-20", years="1")
    assert (exiting["2025-06"]["owed_fen"], exiting["2025-06"]["status"]) == (24000, "足额发放")
    assert exiting["2025-07"]["owed_fen"] == 24000 and "渐退期第1个月" in exiting["2025-07"]["explanation"]
    assert "家庭人均收入500.00元，已高于标准420.00元" in exiting["2025-07"]["explanation"]
    assert exiting["2025-12"]["owed_fen"] == 24000 and "渐退期第6个月" in exiting["2025-12"]["explanation"]
    assert (exiting["2025-10"]["owed_fen"], exiting["2025-10"]["status"]) == (24000, "未发放")
    assert "2026-01" not in exiting  # the exit is over: nothing owed, nothing paid
