"""Languages: every screen in Traditional Chinese and English from the catalogues and the policy files
(nothing hard-coded), chosen with the language button and forgotten when the session ends."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.helpers.kiosk_client import DEMO, place_card

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
HAN = re.compile(r"[\u4e00-\u9fff]")


class VisibleText(HTMLParser):
    """The text a villager reads, leaving out what is data in Chinese on purpose (lang="zh-…": names,
    villages, answers as the supervisors wrote them), scripts and the demo panel."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link"):
            return
        quoted = (dict(attrs).get("lang") or "").startswith("zh") or tag in (
            "script",
            "style",
            "aside",
            "title",
        )
        self.stack.append((tag, quoted))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not any(quoted for _, quoted in self.stack):
            self.text.append(data)


def han_in(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    return sorted({m.group(0) for m in re.finditer(r"[\u4e00-\u9fff][^\n]{0,12}", " ".join(parser.text))})


def translations_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "scripts" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogues_cover_every_text_and_are_compiled(tmp_path):
    pot = tmp_path / "messages.pot"
    translations_tool().extract(pot)  # the maintainer's own extraction, so the two cannot drift apart
    with pot.open("rb") as source:
        wanted = {m.id for m in read_po(source) if m.id}
    for language in ("zh_Hant", "en"):
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        have = {m.id: m.string for m in catalog if m.id}
        missing = sorted(wanted - {k for k, v in have.items() if v})
        assert missing == [], f"{language}: no translation for {missing[:10]} (scripts/translations.py)"
        compiled = BytesIO()
        write_mo(compiled, catalog)
        mo = po.with_suffix(".mo")
        assert mo.read_bytes() == compiled.getvalue(), (
            f"{mo} is older than its .po: run scripts/translations.py"
        )


def visit(client, position: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every screen of card `position`: its summary or error, its programmes, the complaint steps."""
    state = place_card(client, position)
    if state["state"] != "ready":
        return [("/", client.get("/").get_data(as_text=True))]
    client.get("/session/open")
    summary = client.get("/me").get_data(as_text=True)
    pages = [("/me", summary)]
    for path in sorted(set(re.findall(r'href="(/me/programme/[^"]+)"', summary))):
        path = path.replace("&amp;", "&")
        pages.append((path, client.get(path).get_data(as_text=True)))
    complain = re.search(r'href="(/me/complaint/new\?[^"]+)"', summary)
    if complain:
        path = complain.group(1).replace("&amp;", "&")
        step = client.get(path).get_data(as_text=True)
        pages.append((path, step))
        csrf = re.search(r'name="csrf" value="([^"]+)"', step)
        if csrf and "data-category" in step:
            phone = client.post(
                "/me/complaint/category", data={"csrf": csrf.group(1), "category": "wrong_amount"}
            )
            pages.append(("phone step", phone.get_data(as_text=True)))
            refused = client.post("/me/complaint/phone", data={"csrf": csrf.group(1), "phone": "12"})
            pages.append(("phone refused", refused.get_data(as_text=True)))
            review = client.post("/me/complaint/phone", data={"csrf": csrf.group(1), "skip": "1"})
            pages.append(("review step", review.get_data(as_text=True)))
    return pages


@pytest.mark.parametrize("position", range(1, 16))
def test_in_english_no_screen_shows_chinese_but_the_persons_own_data(client, position):
    client.set_cookie("lang", "en")
    assert han_in(client.get("/").get_data(as_text=True)) == []
    for where, page in visit(client, position):
        assert '<html lang="en">' in page
        assert han_in(page) == [], f"card {position}, {where}: Chinese left on an English screen"


def test_in_english_the_terminals_own_words_are_english(client):
    client.set_cookie("lang", "en")
    state = place_card(client, 11)  # a bad check digit
    assert state["state"] == "error" and not HAN.search(state["message"] + state["advice"])
    assert state["message"] == "This card cannot be read"


def test_in_traditional_chinese_the_programmes_and_words_come_from_their_own_texts(client):
    client.set_cookie("lang", "zh_Hant")
    place_card(client, 3)
    client.get("/session/open")
    summary = client.get("/me").get_data(as_text=True)
    assert '<html lang="zh-Hant">' in summary
    assert (
        "2025年3月至8月 農村最低生活保障少發，共¥440.00" in summary
    )  # the policy file's name, the catalogue's words
    page = client.get("/me/programme/dibao?year=2025").get_data(as_text=True)
    assert "縣民政局" in page and "《社會救助暫行辦法》" in page and "應發" in page and "应发" not in page


def test_the_language_lasts_the_session_and_ends_with_it(client):
    answer = client.post("/language", data={"lang": "en", "next": "/"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    place_card(client, 1)
    client.get("/session/open")
    assert "Owed" in client.get("/me").get_data(as_text=True)
    bye = client.get("/bye")
    assert "lang=;" in " ".join(bye.headers.getlist("Set-Cookie"))  # the cookie is dropped
    client.delete_cookie("lang")
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_the_language_button_refuses_to_send_anyone_elsewhere(client):
    assert client.post("/language", data={"lang": "en", "next": "//evil.example/"}).headers["Location"] == "/"
    answer = client.post("/language", data={"lang": "klingon", "next": "/"})
    assert answer.status_code == 303 and "lang=" not in " ".join(answer.headers.getlist("Set-Cookie"))


def test_a_form_step_comes_back_in_the_new_language(client):
    place_card(client, 3)
    client.get("/session/open")
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    step = client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    back = re.search(r'name="next" value="([^"]+)"', step.get_data(as_text=True)).group(1)
    assert back == "/me/complaint/current"
    client.post("/language", data={"lang": "en", "next": back})
    again = client.get(back).get_data(as_text=True)
    assert "Step 2: leave a phone number?" in again


def test_the_voice_speaks_the_chosen_language(client):
    client.set_cookie("lang", "en")
    client.post("/demo/headset/in", headers=DEMO)
    place_card(client, 3)
    client.get("/session/open")
    client.get("/me")
    lines = [line["text"] for line in client.get("/speech/script").get_json()["lines"]]
    spoken = " ".join(lines)
    assert (
        "March to August 2025, Rural minimum living allowance (dibao) was paid short: 440 yuan in all."
        in spoken
    )
    assert not HAN.search(spoken.replace("张某英", "")), spoken  # only the person's name stays as written
    audio = client.get("/speech/audio")
    assert audio.status_code == 200 and len(audio.data) > 44 * 1000


def test_a_filed_complaint_and_my_complaints_read_in_english(own_app):
    client = own_app.test_client()
    client.set_cookie("lang", "en")
    place_card(client, 3)
    client.get("/session/open")
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "13800001234"}).get_data(
        as_text=True
    )
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    done = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    filed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Submitted" in filed and "March to August 2025" in filed
    assert han_in(filed) == []
    summary = client.get("/me").get_data(as_text=True)
    assert "My complaints" in summary and han_in(summary) == []
