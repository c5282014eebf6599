"""The words the kiosk speaks, as segments a voice pack can voice: fixed prompts, numbers, money,
dates, programme names and symbols.

The keys here are the voice pack's manifest: a county that records "digit.7" and "unit.yuan" in
Bouyei hears its own voice read every amount. `REQUIRED_KEYS` is what a pack must hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.core.i18n import N_
from kiosk.core.spoken import integer_words, money_words, month_words, symbol_words, year_words
from kiosk.speech import Segment

# Fixed prompts: neutral words, safe on the open speaker.
PROMPTS: dict[str, str] = {
    "attract": N_("请把身份证或社保卡，放在屏幕下方的读卡区。"),
    "attract_more": N_("放好后，可以查看和收听您每一项补贴，应发多少，实发多少。"),
    "reading": N_("正在读卡，请不要移动卡片。"),
    "ready": N_("读卡成功。"),
    "take_card": N_("请取回您的卡。"),
    "session_over": N_("查询已结束。"),
    "unavailable": N_("读卡器暂时不能使用，请联系工作人员。"),
    "headset": N_("请戴上耳机，收听您的补贴情况。"),
    "look_at_screen": N_("也可以看屏幕上的内容。"),
    "still_there": N_("还在吗？要继续查看，请按确认键，或者点继续查看。"),
    "seconds_left": N_("秒后将自动退出。"),
    "keys": N_("按上下键选择，按确认键打开，按星号键重听，按退格键返回。"),
    "problems_first": N_("先说有问题的补贴。"),
    "report_it": N_("要反映这个问题，请选择我要反映。"),
    "no_record": N_("系统里没有查到您的补贴记录。"),
    "report_missing": N_("如果您应该享受补贴，可以选择，我应该享受补贴但没有记录，来反映。"),
    "choose_category": N_("请选择要反映的问题。"),
    "enter_phone": N_("请输入联系电话，手机或者带区号的座机都可以；也可以不留电话。"),
    "phone_refused": N_("这个电话号码不对，请检查后重新输入。"),
    "review": N_("请核对反映内容，确认无误后，请选择提交。"),
    "filed": N_("您的反映已经提交。"),
    "tracking_intro": N_("反映编号是："),
    "tracking_where": N_("编号也印在屏幕和小票上，凭编号可以查询处理结果。"),
    "answer_due": N_("答复期限是"),
    "no_answer_yet": N_("还没有答复。"),
    "answer_is": N_("答复是："),
    "answer_unconfirmed": N_("答复说已补发，但目前的发放记录里还没有这笔钱；数据更新后会显示。"),
    "mine_intro": N_("您提交过的反映："),
    "error": N_("这次没有查询成功。"),
    "private_step": N_(
        "请工作人员回避，由您本人选择。接下来的几步只给您本人看；工作人员走开后，请选择继续。"
    ),
    "staff_pin": N_("工作人员登录，请输入密码。"),
    "staff_ready": N_("登录成功。请取下胸卡，再请居民放卡。"),
    "confirm": N_("工作人员按身份证号查到了一个人。请居民本人看屏幕上的姓名，是您本人，请选择是我本人。"),
    "audio_only_on": N_("屏幕已经关闭，只用声音。请用按键和耳机继续，按零键打开屏幕。"),
    "audio_only_off": N_("屏幕已经打开。"),
}

_CHAR_KEYS = {
    **{char: f"digit.{n}" for n, char in enumerate("零一二三四五六七八九")},
    "两": "digit.2",
    "幺": "digit.1",
    "十": "unit.shi",
    "百": "unit.bai",
    "千": "unit.qian",
    "万": "unit.wan",
    "亿": "unit.yi",
    "元": "unit.yuan",
    "角": "unit.jiao",
    "分": "unit.fen",
    "年": "unit.nian",
    "负": "unit.minus",
}
UNIT_KEYS = sorted({key for key in _CHAR_KEYS.values() if key.startswith("unit.")})
# What each digit and unit clip says: the first character that has the key (二 for digit.2, not 两)
KEY_WORDS: dict[str, str] = {}
for _char, _key in _CHAR_KEYS.items():
    KEY_WORDS.setdefault(_key, _char)
MONTH_KEYS = [f"month.{n}" for n in range(1, 13)]


def required_keys(programme_codes: Iterable[str]) -> list[str]:
    """What a complete voice pack holds: the prompts, digits, units, months and programme names."""
    return [
        *(f"prompt.{name}" for name in PROMPTS),
        *(f"digit.{n}" for n in range(10)),
        *UNIT_KEYS,
        *MONTH_KEYS,
        *(f"programme.{code}" for code in sorted(programme_codes)),
    ]


def prompt(name: str) -> Segment:
    return Segment(PROMPTS[name], f"prompt.{name}")


def said(text: str) -> Segment:
    """Free words: synthesised (no pack has them)."""
    return Segment(text)


def _characters(words: str) -> list[Segment]:
    return [Segment(char, _CHAR_KEYS.get(char)) for char in words]


def number(value: int) -> list[Segment]:
    return _characters(integer_words(value))


def money(fen: int) -> list[Segment]:
    """七十三元三角三分, one segment per character so a pack can voice it from digits and units."""
    return _characters(money_words(fen))


def year(value: int) -> list[Segment]:
    return _characters(year_words(value))


def month(value: int) -> list[Segment]:
    return [Segment(month_words(value), f"month.{value}")]


def programme(code: str, name: str) -> Segment:
    return Segment(name, f"programme.{code}")


def symbols(text: str) -> list[Segment]:
    """A tracking number symbol by symbol, a pause ("，") after each so it can be written down."""
    found: list[Segment] = []
    for symbol in symbol_words(text):
        key = _CHAR_KEYS.get(symbol) or f"letter.{symbol}"
        found += [Segment(symbol, key), Segment("，")]
    return found
