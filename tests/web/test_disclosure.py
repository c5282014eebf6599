"""村务公开 at the kiosk: the village's 低保 and 特困 lists for anyone, no card needed; only what the policy
files disclose; 公示 periods driven by the date; and an objection in one step, anonymous unless the
objector, with their own card, chooses to be named."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.complaint import OBJECTION, person_key
from kiosk.store import open_store
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
ACCOUNT = re.compile(r"6217\d{8,}")


def kiosk(db: Path, today: dt.date = TODAY, **config):  # type: ignore[no-untyped-def]
    settings = {"db_path": db, "demo": True, "today": today, "reader": "virtual", **config}
    return create_app(load_config(settings, environ={})).test_client()


@pytest.fixture
def own_county(demo_county, tmp_path):  # type: ignore[no-untyped-def]
    shutil.copy(demo_county, tmp_path / "kiosk.db")  # objections are written: not into the shared store
    return tmp_path / "kiosk.db"


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_anyone_opens_the_lists_from_the_attract_screen_without_a_card(demo_county):
    client = kiosk(demo_county)
    attract = client.get("/").get_data(as_text=True)
    assert 'id="disclosure-button" href="/disclosure"' in attract
    overview = client.get("/disclosure")
    assert overview.status_code == 200
    page = overview.get_data(as_text=True)
    assert "石桥村" in page and "/disclosure/dibao" in page and "/disclosure/tekun" in page
    listing = main_of(client.get("/disclosure/dibao").get_data(as_text=True))
    assert "正在享受" in listing and re.search(r"\d+人", listing) and "每月 ¥" in listing
    assert not ID_NUMBER.search(listing) and not ACCOUNT.search(listing)
    assert "户号" not in listing and "522799001-" not in listing  # nor the household's number


def test_a_new_approval_and_a_cancellation_show_the_days_left_and_move_when_the_period_ends(demo_county):
    publicity = main_of(kiosk(demo_county).get("/disclosure/dibao").get_data(as_text=True))
    pending = publicity[publicity.index('id="publicity-list"') : publicity.index('id="current-list"')]
    assert (
        "蒋春梅" in pending and "新批准，公示中 · 还剩4天" in pending
    )  # approved three days before: day 4 of 7
    assert "龚德顺" in pending and "已取消，公示中 · 还剩6天" in pending  # ended two days before
    later = main_of(
        kiosk(demo_county, TODAY + dt.timedelta(days=5)).get("/disclosure/dibao").get_data(as_text=True)
    )
    pending = later[later.index('id="publicity-list"') : later.index('id="current-list"')]
    current = later[later.index('id="current-list"') :]
    assert "蒋春梅" not in pending and "蒋春梅" in current  # its 公示 period is over: a current recipient
    assert "龚德顺" in pending and "还剩1天" in pending
    gone = main_of(
        kiosk(demo_county, TODAY + dt.timedelta(days=7)).get("/disclosure/dibao").get_data(as_text=True)
    )
    assert "龚德顺" not in gone


def test_the_policy_file_decides_what_is_shown(own_county, tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(PARAMS, folder)
    dibao = folder / "dibao.toml"
    text = dibao.read_text(encoding="utf-8")
    dibao.write_text(
        text.replace(
            'fields = ["head_name", "household_size", "category", "monthly_amount", "since"]',
            'fields = ["head_name"]',
        ).replace('names = "full"', 'names = "masked"'),
        encoding="utf-8",
    )
    (folder / "tekun.toml").write_text(
        re.sub(
            r"\n# What is made public.*?\n(?=\n# When)",
            "\n",
            (folder / "tekun.toml").read_text("utf-8"),
            flags=re.S,
        ),
        encoding="utf-8",
    )
    client = kiosk(own_county, policy_dir=folder)
    listing = main_of(client.get("/disclosure/dibao").get_data(as_text=True))
    assert "蒋*梅" in listing and "蒋春梅" not in listing  # names masked, as this file says
    assert "每月 ¥" not in listing and not re.search(r"\d+人", listing) and "类别" not in listing
    assert "/disclosure/tekun" not in client.get("/disclosure").get_data(as_text=True)  # not disclosed at all
    assert client.get("/disclosure/tekun").status_code == 404


def _object(client, **form):  # type: ignore[no-untyped-def]
    listing = client.get("/disclosure/dibao").get_data(as_text=True)
    entry = re.findall(r"/disclosure/object/([0-9a-f]{16})", listing)[0]
    page = client.get(f"/disclosure/object/{entry}").get_data(as_text=True)
    uuid = re.search(r'name="uuid" value="([^"]+)"', page).group(1)
    return page, client.post(f"/disclosure/object/{entry}", data={"uuid": uuid, **form})


def test_an_objection_needs_no_card_and_names_nobody(own_county):
    client = kiosk(own_county)
    form, done = _object(client, reason="better_off")
    assert 'id="anonymous-note"' in form and "give-identity" not in form  # no card: no identity to give
    assert done.status_code == 200 and "objection-tracking" in done.get_data(as_text=True)
    store = open_store(own_county)
    [filed] = [c for c in store.connection().execute("SELECT * FROM complaints").fetchall()]
    row = store.complaint(filed[0])
    assert row["category"] == OBJECTION and row["phone"] == ""
    evidence = json.loads(row["evidence"])
    assert evidence["objector"] == "anonymous" and "objector_key" not in evidence
    assert evidence["objection"]["head_name"] == "蒋春梅" and evidence["objection"]["reason"] == "better_off"
    assert evidence["objection"]["state"] == "new" and evidence["objection"]["monthly_amount"] == 60000
    head = next(
        n for (n,) in store.connection().execute("SELECT id_number FROM persons WHERE name = '蒋春梅'")
    )
    assert row["person_key"] == person_key(head, load_config({}, environ={}).person_key_secret)
    assert store.complaints_of(row["person_key"]) == []  # the household never sees an objection about it
    queued = store.due_outbox("9999-12-31T00:00:00Z")
    assert [(uuid, kind) for _, uuid, kind, _, _ in queued] == [
        (row["uuid"], "submit")
    ]  # on its way to the hub
    store.close()


@pytest.mark.parametrize("give", [False, True])
def test_with_a_card_the_objector_is_named_only_if_they_choose(own_county, give):
    client = kiosk(own_county)
    place_card(client, 1)
    client.get("/session/open")
    form, done = _object(client, reason="relative", **({"identity": "give"} if give else {}))
    box = re.search(r"<input[^>]*id=\"give-identity\"[^>]*>", form).group(0)
    assert "checked" not in box  # anonymous unless they tick it
    assert done.status_code == 200
    store = open_store(own_county)
    row = store.connection().execute("SELECT evidence FROM complaints").fetchone()
    evidence = json.loads(row[0])
    assert evidence["objector"] == ("card" if give else "anonymous")
    assert ("objector_masked_id" in evidence) is give and ("objector_key" in evidence) is give
    if give:  # the objector follows it in their own 我的反映; nobody else does
        assert len(store.complaints_of(evidence["objector_key"])) == 1
    store.close()


def test_an_unknown_entry_or_reason_is_a_clear_answer_not_a_500(own_county):
    client = kiosk(own_county)
    assert client.get("/disclosure/object/0000000000000000").status_code == 404
    listing = client.get("/disclosure/dibao").get_data(as_text=True)
    entry = re.findall(r"/disclosure/object/([0-9a-f]{16})", listing)[0]
    refused = client.post(f"/disclosure/object/{entry}", data={"uuid": "not-a-uuid", "reason": "lottery"})
    assert refused.status_code == 400 and "请选择异议的原因" in refused.get_data(as_text=True)
    assert client.get("/disclosure/lottery").status_code == 404


def test_the_list_is_read_aloud_on_the_open_speaker(demo_county):
    client = kiosk(demo_county)
    script = client.get("/speech/script?public=list&programme=dibao").get_json()
    assert script["channel"] == "speaker"
    said = "".join(line["text"] for line in script["lines"])
    assert "公示中" in said and "蒋春梅，二人，每月六百元，公示还剩四天" in said and "正在享受" in said
    assert all(not line["private"] for line in script["lines"])
    overview = "".join(
        line["text"] for line in client.get("/speech/script?public=overview").get_json()["lines"]
    )
    assert overview.startswith("村务公开，石桥村")


def test_a_kiosk_with_no_villages_set_says_so(tmp_path, demo_county):
    shutil.copy(demo_county, tmp_path / "kiosk.db")
    client = kiosk(tmp_path / "kiosk.db", demo=False)
    page = client.get("/disclosure")
    assert page.status_code == 200 and "本终端还没有设置服务的村" in page.get_data(as_text=True)
