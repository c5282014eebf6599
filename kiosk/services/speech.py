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
from dataclasses import dataclass
from typing import Any

from device.headset import Headset
from kiosk.backend import LookupResult
from kiosk.core.complaint import ABOUT_ONESELF, CATEGORIES, reply_words, show_tracking_number
from kiosk.services.complaints import complaints_of, due_message, shown_evidence
from kiosk.services.terminal import State, Terminal
from kiosk.speech import HEADSET, SPEAKER, Line, Script, compose
from kiosk.speech.render import Voice
from kiosk.speech.tongue import MANDARIN, Tongue
from kiosk.speech.words import PROMPTS, said
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

    def script(
        self, token: str | None, *, prompt_name: str = "", seconds: int = 0, tongue: Tongue = MANDARIN
    ) -> tuple[Script, str]:
        """The current screen's script, in the tongue's language, as it may be spoken now; and the channel."""
        channel = self.channel()
        if prompt_name == "still_there":
            full = compose.still_there(max(0, min(seconds, 600)), tongue)
        elif prompt_name in PROMPTS:  # a neutral prompt the screen asks for (audio-only on, off)
            full = Script(prompt_name, (compose.public(compose.said_prompt(prompt_name, tongue)),))
        else:
            full = self._current(token, tongue)
        return compose.for_channel(full, channel, tongue), channel

    def public_screen(
        self, screen: str, lists: Any, *, programme: str = "", tracking: str = "", tongue: Tongue = MANDARIN
    ) -> tuple[Script, str]:
        """A 村务公开 screen's script: public by law, so all of it may go on the open speaker."""
        channel = self.channel()
        listing = lists.programme(programme) if lists is not None and programme else None
        if screen == "list" and listing is not None:
            full = compose.disclosure_list(listing, tongue)
        elif screen == "object":
            full = compose.disclosure_object(tongue)
        elif screen == "done" and tracking:
            full = compose.disclosure_done(tracking[:16], tongue)
        elif lists is not None:
            full = compose.disclosure_overview(lists, tongue)
        else:
            full = Script("disclosure", ())
        return compose.for_channel(full, channel, tongue), channel

    def focus(self, text: str) -> tuple[Script, str]:
        """A label the keypad's focus moved to: spoken only into a headset (a label can carry an amount)."""
        channel = self.channel()
        if channel != HEADSET:
            return Script("focus", ()), channel
        return Script("focus", (Line((said(text[:120]),), private=True),)), channel

    def audio(self, script: Script, *, slow: bool = False, tongue: Tongue = MANDARIN) -> bytes:
        return self.voice.wav(script, slow=slow, voice=tongue.voice)

    # -- which screen, composed from which data ---------------------------------------------------------
    def _current(self, token: str | None, tongue: Tongue) -> Script:
        snapshot = self.terminal.snapshot()
        if snapshot.state is State.IDLE:
            return compose.attract(tongue)
        if snapshot.state is State.READING:
            return compose.reading(tongue)
        if snapshot.state is State.ERROR:
            return compose.error(snapshot.message_zh, snapshot.advice_zh, tongue)
        if snapshot.state is State.CARD_LEFT:
            return compose.card_left(tongue)
        if snapshot.state is State.UNAVAILABLE:
            return compose.unavailable(tongue)
        if snapshot.state in (State.STAFF_PIN, State.STAFF_READY):
            return compose.staff(snapshot.state.value, tongue)
        if snapshot.state is State.CONFIRM:
            return compose.confirm(snapshot.message_zh, tongue)
        result, scratch = self.terminal.result_for(token), self.terminal.scratch(token)
        if result is None or scratch is None:  # ready, but this browser holds no session: nothing private
            said = (compose.said_prompt("ready", tongue), compose.said_prompt("headset", tongue))
            return Script("ready", tuple(compose.public(segment) for segment in said))
        shown = scratch.get(SCREEN_KEY)
        screen, params = shown if isinstance(shown, tuple) else ("summary", {})
        return self._person_screen(result, scratch, screen, params, tongue)

    def _person_screen(
        self,
        result: LookupResult,
        scratch: dict[str, Any],
        screen: str,
        params: dict[str, Any],
        tongue: Tongue,
    ) -> Script:
        reconciliation = result.reconciliation
        name = result.holder.name.replace("*", "某")  # the screen's 张*英, as it is said: 张某英
        draft = scratch.get("draft") or {}
        shown = shown_evidence(reconciliation, draft)
        at_stake = int((draft.get("evidence") or {}).get("at_stake_fen") or 0)
        if screen == "programme":
            group = next((g for g in reconciliation.programmes if g.code == params.get("code")), None)
            if group is not None:
                year = int(params.get("year", reconciliation.today.year))
                return compose.programme_page(group, year, tongue)
        if screen == "complaint_private":
            return compose.staff("private_step", tongue)
        if screen == "complaint_category":
            return compose.complaint_category(shown, at_stake, ABOUT_ONESELF, tongue)
        if screen == "complaint_phone":
            return compose.complaint_phone(bool(params.get("refused")), tongue)
        if screen == "complaint_review":
            words = CATEGORIES.get(draft.get("category", ""), ("", ""))[0]
            return compose.complaint_review(shown, at_stake, words, draft.get("phone") or "", tongue)
        if screen == "complaint_done":
            complaint = self.store.complaint(str(params.get("uuid", "")))
            if complaint is not None and complaint["person_key"] == self.person_key(result):
                replies = [
                    (reply_words(r.get("kind")), r["text"])
                    for r in json.loads(complaint.get("replies") or "[]")
                ]
                tracking = show_tracking_number(complaint["tracking_no"])
                return compose.complaint_done(tracking, due_message(complaint), replies, tongue)
        complaints = complaints_of(
            store=self.store, key=self.person_key(result), reconciliation=reconciliation
        )
        if not result.on_roster:
            return compose.unlisted(name, complaints, tongue, notices=scratch.get("notices") or ())
        return compose.summary(name, reconciliation, complaints, tongue, notices=scratch.get("notices") or ())
