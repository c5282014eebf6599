"""What the kiosk says now, on which channel: the current screen's script and its audio.

The screen is known from the terminal (attract, reading, an error, "请取回您的卡") or, during a card
session, from the page the session's browser was last shown (`show`): each villager view names its
screen, and the script is composed afresh from the session's data, not from the page's text. The
channel is the headset when one is plugged in, else the open speaker, which hears no private line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from device.headset import Headset
from kiosk.backend import LookupResult
from kiosk.core.complaint import CATEGORIES, reply_words, show_tracking_number
from kiosk.services.complaints import complaints_of, due_words
from kiosk.services.terminal import State, Terminal
from kiosk.speech import HEADSET, SPEAKER, Line, Script, compose
from kiosk.speech.render import Voice
from kiosk.speech.words import PROMPTS, prompt, said
from kiosk.store import Store

log = logging.getLogger(__name__)

SCREEN_KEY = "speech_screen"  # in the session's scratch: (screen name, its parameters)


@dataclass
class Speech:
    terminal: Terminal
    headset: Headset
    voice: Voice
    store: Store
    person_key: Callable[[LookupResult], str]
    _last: dict[str, Any] = field(default_factory=dict)

    def channel(self) -> str:
        try:
            return HEADSET if self.headset.plugged() else SPEAKER
        except Exception:  # noqa: BLE001 - a jack that cannot be read is no headset: say nothing private
            log.exception("headset state unreadable")
            return SPEAKER

    def show(self, token: str | None, screen: str, **params: Any) -> None:
        """A villager view tells which screen the session's browser now shows."""
        scratch = self.terminal.scratch(token)
        if scratch is not None:
            scratch[SCREEN_KEY] = (screen, params)

    def script(self, token: str | None, *, prompt_name: str = "", seconds: int = 0) -> tuple[Script, str]:
        """The current screen's script as it may be spoken now, and the channel it goes to."""
        channel = self.channel()
        if prompt_name == "still_there":
            full = compose.still_there(max(0, min(seconds, 600)))
        elif prompt_name in PROMPTS:  # a neutral prompt the screen asks for (audio-only on, off)
            full = Script(prompt_name, (compose.public(prompt(prompt_name)),))
        else:
            full = self._current(token)
        return compose.for_channel(full, channel), channel

    def focus(self, text: str) -> tuple[Script, str]:
        """A label the keypad's focus moved to: spoken only into a headset (a label can carry an amount)."""
        channel = self.channel()
        if channel != HEADSET:
            return Script("focus", ()), channel
        return Script("focus", (Line((said(text[:120]),), private=True),)), channel

    def audio(self, script: Script, *, slow: bool = False) -> bytes:
        return self.voice.wav(script, slow=slow)

    # -- which screen, composed from which data ---------------------------------------------------------
    def _current(self, token: str | None) -> Script:
        snapshot = self.terminal.snapshot()
        if snapshot.state is State.IDLE:
            return compose.attract()
        if snapshot.state is State.READING:
            return compose.reading()
        if snapshot.state is State.ERROR:
            return compose.error(snapshot.message_zh, snapshot.advice_zh)
        if snapshot.state is State.CARD_LEFT:
            return compose.card_left()
        if snapshot.state is State.UNAVAILABLE:
            return compose.unavailable()
        result, scratch = self.terminal.result_for(token), self.terminal.scratch(token)
        if result is None or scratch is None:  # ready, but this browser holds no session: nothing private
            return Script("ready", (compose.public(prompt("ready")), compose.public(prompt("headset"))))
        shown = scratch.get(SCREEN_KEY)
        screen, params = shown if isinstance(shown, tuple) else ("summary", {})
        return self._person_screen(result, scratch, screen, params)

    def _person_screen(
        self, result: LookupResult, scratch: dict[str, Any], screen: str, params: dict[str, Any]
    ) -> Script:
        reconciliation = result.reconciliation
        name = result.holder.name.replace("*", "某")  # the screen's 张*英, as it is said: 张某英
        draft = scratch.get("draft") or {}
        if screen == "programme":
            group = next((g for g in reconciliation.programmes if g.code == params.get("code")), None)
            if group is not None:
                return compose.programme_page(group, int(params.get("year", reconciliation.today.year)))
        if screen == "complaint_category":
            return compose.complaint_category(draft.get("evidence") or {}, CATEGORIES)
        if screen == "complaint_phone":
            return compose.complaint_phone(bool(params.get("refused")))
        if screen == "complaint_review":
            words = CATEGORIES.get(draft.get("category", ""), ("", ""))[0]
            return compose.complaint_review(draft, words)
        if screen == "complaint_done":
            complaint = self.store.complaint(str(params.get("uuid", "")))
            if complaint is not None and complaint["person_key"] == self.person_key(result):
                replies = [
                    (reply_words(r.get("kind")), r["text"])
                    for r in json.loads(complaint.get("replies") or "[]")
                ]
                return compose.complaint_done(
                    show_tracking_number(complaint["tracking_no"]), due_words(complaint), replies
                )
        complaints = complaints_of(
            store=self.store, key=self.person_key(result), reconciliation=reconciliation
        )
        if not result.on_roster:
            return compose.unlisted(name, complaints)
        return compose.summary(name, reconciliation, complaints)
