"""Problems first: the summary opens on what is wrong, in runs, across every year shown, each with its
total; a programme's page shows problem runs and folds the rest; one complaint covers one run."""

from __future__ import annotations

import json
import re

import pytest

from kiosk.link import schemas
from kiosk.web.context import services
from tests.helpers.kiosk_client import place_card

CARDS = range(1, 16)
NOT_READ = {11, 12, 14, 15}  # a bad check digit, nobody on the roster, a transit card, a corrupt one


def summary(client, position: int) -> str:  # type: ignore[no-untyped-def]
    place_card(client, position)
    client.get("/session/open")
    return client.get("/me").get_data(as_text=True)


@pytest.mark.parametrize("position", [p for p in CARDS if p not in NOT_READ])
def test_the_first_thing_on_the_summary_is_the_worst_problem_or_that_all_is_well(client, position):
    page = summary(client, position)
    first = page.index('id="problems"')
    assert first < page.index('class="years"'), "problems come before the totals by year"
    problems = re.findall(r'class="problem-sentence"><svg class="icon [^>]*>.*?</svg> ([^<]+)</p>', page)
    if problems:
        assert re.search(
            r"(至|起|年).*(少发|未发放|多发|延迟发放|去世后仍发放|无登记资格却发放)", problems[0]
        )
    else:
        assert re.search(r"id=\"all-clear\">.*(至今，各项补贴都已足额发放|还没有到发放时间)", page, re.S)


def test_card_three_sees_the_440_shortfall_of_last_year_without_a_tap(client):
    page = summary(client, 3)
    assert "2025年3月至8月 农村最低生活保障少发，共¥440.00" in page
    assert page.index("少发，共¥440.00") < page.index('class="years"')


def test_a_deceased_persons_payments_read_as_one_ongoing_run_to_check(client):
    page = summary(client, 2)
    assert "2024年6月起 城乡居民基础养老金去世后仍发放，共¥3,780.00（请核实）" in page


def test_the_programme_page_shows_the_run_with_one_complaint_button_and_folds_the_rest(client):
    summary(client, 3)
    page = client.get("/me/programme/dibao?year=2025").get_data(as_text=True)
    assert page.count("data-complain=") == 1 and 'data-complain="2025-03"' in page
    assert '<section class="run run-problem status-short" data-first="2025-03"' in page
    fine = page[page.index('<details class="run run-fine"') :]
    assert "2025年1月至2月 足额发放" in fine and "2025年9月至12月 足额发放" in fine  # one folded line
    assert page.index("run-problem") < page.index("run-fine"), "the problem comes first"


def test_a_run_that_crosses_a_change_of_standard_explains_each_stretch_with_its_own_reference(client):
    summary(client, 3)
    page = client.get("/me/programme/dibao?year=2025").get_data(as_text=True)
    start = page.index('<section class="run run-problem')
    run = page[start : page.index("</section>", start)]
    bases = re.findall(r'<p class="explain run-basis">(.*?)</p>', run, re.S)
    # 260 a month until June, 300 from July: one basis would explain July wrongly
    assert len(bases) == 2, bases
    assert "2025年3月至6月" in bases[0] and "每月260.00元" in bases[0] and "社会救助暂行办法" in bases[0]
    assert "2025年7月至8月" in bases[1] and "每月300.00元" in bases[1] and "2025年7月起" in bases[1]


def file_run(client) -> str:  # type: ignore[no-untyped-def]
    """File one complaint on card ③'s 低保 run (March to August 2025); its uuid."""
    summary(client, 3)
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    page = client.post("/me/complaint/phone", data={"csrf": csrf, "skip": "1"}).get_data(as_text=True)
    uuid = re.search(r'name="uuid" value="([^"]*)"', page).group(1)
    assert client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid}).status_code == 303
    return uuid


def test_one_complaint_carries_every_period_of_its_run_and_the_hub_accepts_it(own_app):
    app = own_app
    client = app.test_client()
    uuid = file_run(client)
    stored = services(app).store.complaint(uuid)
    evidence = json.loads(stored["evidence"])
    assert evidence["periods"] == [f"2025-{m:02d}" for m in range(3, 9)]
    assert evidence["at_stake_fen"] == 44000 and evidence["period_label"] == "2025年3月至8月"
    assert [line["period"] for line in evidence["lines"]] == evidence["periods"]
    # traceable: the dated values the run was computed from (the standard changed in July), and the law
    assert evidence["rule_source"] == "dibao.toml monthly_by_category@2023-01-01, @2025-07-01"
    assert "社会救助暂行办法" in evidence["reference"]
    (outbox,) = services(app).store.due_outbox("9999")
    assert schemas.problem(schemas.COMPLAINT, json.loads(outbox[3])) is None  # what the hub will check
    again = client.get("/me").get_data(as_text=True)
    assert "已反映 · 编号" in again and 'data-complain-run="dibao:2025-03"' not in again


def test_someone_not_on_the_roster_reports_it_in_one_step_and_it_reaches_the_outbox(own_app):
    client = own_app.test_client()
    page = summary(client, 12)
    assert "系统里没有查到您的补贴记录" in page and 'id="report-unlisted"' in page
    phone_step = client.get("/me/complaint/new?about=unlisted").get_data(as_text=True)
    assert "第2步" in phone_step and "没有记录" in phone_step
    csrf = re.search(r'name="csrf" value="([^"]*)"', phone_step).group(1)
    page = client.post("/me/complaint/phone", data={"csrf": csrf, "skip": "1"}).get_data(as_text=True)
    uuid = re.search(r'name="uuid" value="([^"]*)"', page).group(1)
    assert client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid}).status_code == 303
    filed = services(own_app).store.complaint(uuid)
    assert filed["category"] == "should_qualify" and filed["masked_id"].startswith(("5", "1", "4"))
    (outbox,) = services(own_app).store.due_outbox("9999")
    assert schemas.problem(schemas.COMPLAINT, json.loads(outbox[3])) is None
    assert "已反映 · 编号" in client.get("/me").get_data(as_text=True)


def test_a_hinted_programme_can_be_reported_as_missing(client):
    page = summary(client, 6)  # 81 years old, no 高龄津贴
    assert 'data-complain-hint="elderly_allowance"' in page
    step = client.get("/me/complaint/new?programme=elderly_allowance&about=hint").get_data(as_text=True)
    assert "第2步" in step and "高龄津贴" in step


def test_the_due_date_and_an_answer_the_ledger_contradicts_are_shown_plainly(own_app):
    client = own_app.test_client()
    uuid = file_run(client)
    done = client.get(f"/me/complaint/{uuid}").get_data(as_text=True)
    assert "3天内分派处理" in done  # at filing: the rule, until the hub sets a date
    store = services(own_app).store
    store.set_hub_status(
        uuid,
        "assigned",
        "[]",
        "2026-11-22T02:00:00+00:00",
        words="已分派",
        due_at="2026-12-09T15:59:00+00:00",
    )
    assert "应在2026年12月9日前答复您" in client.get("/me").get_data(as_text=True)
    answer = json.dumps(
        [{"text": "已补发440元", "kind": "answer", "at": "2026-11-23T02:00:00+00:00"}], ensure_ascii=False
    )
    store.set_hub_status(
        uuid, "answered", answer, "2026-11-23T02:00:00+00:00", words="已答复", outcome="resolved"
    )
    page = client.get("/me").get_data(as_text=True)
    assert re.search(r"答复：(<span lang=\"zh-CN\">)?已补发440元", page), (
        "the answer, as the supervisor wrote it"
    )
    assert "现在的发放记录：应发 ¥1,640.00 · 实发 ¥1,200.00" in page
    assert "答复说已补发，但目前的发放记录里还没有这笔钱；数据更新后会显示" in page


def test_withdrawal_is_offered_only_until_someone_acts(own_app):
    client = own_app.test_client()
    uuid = file_run(client)
    assert 'id="withdraw"' in client.get(f"/me/complaint/{uuid}").get_data(as_text=True)
    services(own_app).store.set_hub_status(uuid, "assigned", "[]", "2026-11-22T02:00:00+00:00")
    page = client.get(f"/me/complaint/{uuid}").get_data(as_text=True)
    assert 'id="withdraw"' not in page
    form = client.get("/me/complaint/new").get_data(as_text=True)  # the session's form token
    csrf = re.search(r'name="csrf" value="([^"]*)"', form).group(1)
    refused = client.post(f"/me/complaint/{uuid}/withdraw", data={"csrf": csrf}, follow_redirects=True)
    assert "已经开始处理，不能撤回" in refused.get_data(as_text=True)
