"""The villager's language: chosen with the language button (same place on every screen), kept in a
cookie that ends with the session, and how the pure layers' messages and terms are said in it.

Simplified Chinese is the source (the msgids); Traditional Chinese and English have catalogues under
translations/ (Flask-Babel), and each programme's name, department, note and references come from its
policy file's `[translations.LANG]` table. A part the catalogues or the policy file lack is shown in
Chinese rather than not at all.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_skeleton
from flask import Blueprint, has_request_context, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from kiosk.core.i18n import N_, Day, Message, Month, MonthName, Term, Yuan, chinese_value, say
from kiosk.core.money import format_yuan
from kiosk.web.context import services

bp = Blueprint("language", __name__)

COOKIE = "lang"
DEFAULT = "zh_Hans"
# code → (its own name, the HTML lang, the Babel locale, the speech engine's voice)
LANGUAGES: dict[str, tuple[str, str, str, str]] = {
    "zh_Hans": ("简体中文", "zh-CN", "zh_Hans_CN", "cmn-latn-pinyin"),
    "zh_Hant": ("繁體中文", "zh-Hant", "zh_Hant", "cmn-latn-pinyin"),
    "en": ("English", "en", "en", "en"),
}


def current() -> str:
    chosen = request.cookies.get(COOKIE, DEFAULT) if has_request_context() else DEFAULT
    return chosen if chosen in LANGUAGES else DEFAULT


def babel_locale() -> str:
    return LANGUAGES[current()][2]


def html_lang() -> str:
    return LANGUAGES[current()][1]


def voice_of(language: str) -> str:
    return LANGUAGES.get(language, LANGUAGES[DEFAULT])[3]


def translate(text: str) -> str:
    """A fixed text (an `N_` msgid) in the current language."""
    return gettext(text) if text else text


def part_value(part: object) -> str:
    """A message's part (an amount, a date, a programme's term…) as the current language writes it."""
    language = current()
    if isinstance(part, Term):
        return term(part.programme, part.field, part.zh)
    if language.startswith("zh") or not isinstance(part, (Yuan, Day, Month, MonthName)):
        return chinese_value(part)
    if isinstance(part, Yuan):
        return format_yuan(part.fen)
    if isinstance(part, Day):
        return format_date(part.value, "long", locale=babel_locale())
    if isinstance(part, Month):
        return format_skeleton("yMMMM", part.value, locale=babel_locale())
    return format_date(dt.date(2000, part.month, 1), "LLLL", locale=babel_locale())


def render(thing: object) -> str:
    """A Message, an `N_` text or plain data in the current language: the templates' `tr`."""
    if isinstance(thing, Message):
        return thing.render(translate, part_value)
    if isinstance(thing, str):
        return translate(thing)
    return "" if thing is None else str(thing)


def term(programme: str, field: str, chinese: str) -> str:
    """A programme's name, department, note or a reference, from its policy file's translations."""
    language = current()
    if language == DEFAULT:
        return chinese
    policy = services().rulebook.policies.get(programme)
    found = policy.term(language, field, chinese) if policy is not None else None
    return found or chinese


def registered_dead(day: dt.date) -> Message:
    return say(N_("登记为已于%(day)s去世"), day=Day(day))


def day(value: dt.date) -> Message:
    return say("%(day)s", day=Day(value))


def here() -> str:
    """Where the language button comes back to: this page, or (after a form step) the step again."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return url_for("complaints.current")


@bp.post("/language")
def choose() -> ResponseReturnValue:
    language = request.form.get("lang", "")
    target = request.form.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target, code=303)
    if language in LANGUAGES:
        response.set_cookie(COOKIE, language, httponly=True, samesite="Strict", path="/")
    return response
