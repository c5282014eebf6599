"""A household 差额 paid to the head, as the villager sees it: the head's programme page explains the
household's computation; a member's page says the head receives it, with the member's share, and is no
problem on the summary."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import load_config
from kiosk.imports.loader import import_file, import_policy
from kiosk.rules import load_rulebook
from kiosk.store import open_store
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card

CHAE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "chae"
HEAD, SON = "522799195804120013", "522799199011200038"


def chae_kiosk(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "chae.db")
    assert import_policy(store, CHAE / "dibao.toml", rulebook=load_rulebook()).committed
    rulebook = load_rulebook(None, store.policies())
    for name in ("villages.csv", "persons.csv", "households.csv", "enrolments.csv", "payments.csv"):
        assert import_file(store, CHAE / name, rulebook=rulebook, today=TODAY).committed
    with store.transaction() as tx:
        store.set_demo_cards(tx, [(1, HEAD, "杨正华", "ssse"), (2, SON, "杨小军", "ssse")])
    store.close()
    config = {"db_path": tmp_path / "chae.db", "demo": True, "today": TODAY, "reader": "virtual"}
    return create_app(load_config(config, environ={})).test_client()


def period_of(page: str, period: str) -> str:
    start = page.index(f'data-period="{period}"')
    return page[start : page.index("</li>", page.index("</details>", start))]


def test_the_heads_page_explains_the_household_chae(tmp_path):
    client = chae_kiosk(tmp_path)
    place_card(client, 1)
    client.get("/session/open")
    march = period_of(client.get("/me/programme/dibao?year=2025").get_data(as_text=True), "2025-03")
    assert "家庭人均收入180.00元，低于标准420.00元，按差额每人240.00元 × 3人 = 720.00元" in march
    assert "另加老年人1人每月50.00元；共770.00元" in march and "少发" in march
    assert "示例县低保资金按户发放至户主社会保障卡" in march  # the household rule's reference


def test_a_members_page_says_the_head_receives_it_and_is_no_problem(tmp_path):
    client = chae_kiosk(tmp_path)
    place_card(client, 2)
    summary = client.get("/session/open", follow_redirects=True).get_data(as_text=True)
    assert "农村最低生活保障按户发放，由户主领取，全户的发放情况请户主查询" in summary
    assert "各项补贴都已足额发放" not in summary  # not claimed: this screen cannot see the head's payments
    start = summary.index('data-programme="dibao"')
    card = summary[start : summary.index("</a>", start)]
    assert "由户主领取" in card and "status-problem" not in card  # and no problem of the member's
    march = period_of(client.get("/me/programme/dibao?year=2025").get_data(as_text=True), "2025-03")
    assert "由户主领取" in march and "由户主杨*华领取全户款项（其中您的一份240.00元）" in march


def test_the_village_list_shows_the_households_whole_chae(tmp_path):
    """村务公开 for a household 差额 paid to the head: the household's amount is its members' shares added
    up (240 × 3 + 50), under the head's name, whoever of them the head is."""
    chae_kiosk(tmp_path)  # builds the store
    config = {"db_path": tmp_path / "chae.db", "demo": True, "today": TODAY, "reader": "virtual"}
    client = create_app(load_config({**config, "villages": ("522799003",)}, environ={})).test_client()
    page = client.get("/disclosure/dibao").get_data(as_text=True)
    current = page[page.index('id="current-list"') :]
    head = current[current.index("杨正华") : current.index("</li>", current.index("杨正华"))]
    assert "3人" in head and "每月 ¥770.00" in head
    assert "吴德才" in current  # the household in its gradual exit still receives it
