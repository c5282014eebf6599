"""The terminal's card session: one card on one reader, one villager at a time.

Turns reader events into a small state machine the browser follows by long
polling. Each lookup runs on a thread of its own, so the reader's thread is never
held up by a slow hub; an answer that arrives after its card left is dropped. The
looked-up data lives here, in memory, only while the card session lasts; ending
the session drops it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from device.base import CardEvent, CardEventKind, CardIdentity
from kiosk.backend import BenefitsBackend, LookupResult
from kiosk.core.i18n import N_
from kiosk.services.lookup import CardLookupError, look_up_card_holder

log = logging.getLogger(__name__)

GONE_CHECK_SECONDS = 0.25  # how often a long poll asks whether its browser is still there


class State(StrEnum):
    IDLE = "idle"  # no card: the attract screen
    READING = "reading"  # card placed, being read and looked up
    READY = "ready"  # person's pages may be shown
    ERROR = "error"  # the card could not be used; message shown until it is taken away
    CARD_LEFT = "card_left"  # the session ended (idle or "done") but the card is still on the reader
    UNAVAILABLE = "unavailable"  # the reader is gone
    STAFF_PIN = "staff_pin"  # a staff member's badge is on the reader: their PIN is asked for
    STAFF_READY = "staff_ready"  # signed in; the badge is still on the reader
    CONFIRM = (
        "confirm"  # a helper looked a resident up by typed number: the resident confirms the masked name
    )


_UNREADABLE_ZH = {  # reason (device.errors / device.sam) → what the villager is told, and what to do
    "blank": (N_("请把卡重新放平"), N_("卡没有放稳，读卡没有完成：请拿起卡，再平放在读卡区，读完前不要移动")),
    "mute": (N_("请把卡重新放平"), N_("卡没有放稳，读卡没有完成：请拿起卡，再平放在读卡区，读完前不要移动")),
    "removed": (N_("请把卡重新放平"), N_("卡在读完前被移动了：请把卡平放在读卡区，读完前不要移动")),
    "unknown_card": (N_("不认识这种卡"), N_("请使用身份证、社保卡或领取补贴的银行卡")),
    "malformed": (N_("这张卡的信息读不出来"), N_("卡里的信息可能已经损坏：请换一张卡，或请工作人员帮助")),
    "apdu": (N_("这张卡的信息读不出来"), N_("卡里的信息可能已经损坏：请换一张卡，或请工作人员帮助")),
    "two_cards": (N_("请一次只放一张卡"), N_("请拿走多余的卡")),
    "expired": (N_("这张身份证已过期"), N_("请使用有效的身份证或社保卡")),
    "wrong_card": (N_("不认识这种卡"), N_("请使用身份证或社保卡")),
}
_READER_FAULT_ZH = (N_("读卡器出了问题"), N_("请重新放卡；如果还不行，请联系工作人员"))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What any page may know about the terminal: never the person's data."""

    seq: int
    state: State
    message_zh: str = ""
    advice_zh: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "state": self.state.value,
            "message": self.message_zh,
            "advice": self.advice_zh,
        }


class Terminal:
    """Follow card events, run the lookup, and hold the current card session."""

    def __init__(
        self,
        *,
        backend: BenefitsBackend,
        today: Callable[[], dt.date],
        chip_registry: Mapping[str, str] | None = None,
        on_read: Callable[[], None] | None = None,
        badge_of: Callable[[CardIdentity], str | None] | None = None,
        notices_for: Callable[[LookupResult], list[object]] | None = None,
    ) -> None:
        self.backend = backend
        self.on_read = on_read  # counts card reads for the hub's fleet view; must not fail the read
        self.badge_of = badge_of  # a staff badge's key, or None for a resident's card
        self._badge: str | None = None  # the staff badge on the reader, while its PIN is asked for
        self.notices_for = notices_for  # what the card holder must be told first (a helper looked them up)
        self._typed: dict[str, str] | None = None  # who typed the number and why, while it is confirmed
        self.today = today
        self.chip_registry = chip_registry or {}
        self._changed = threading.Condition()
        self._snapshot = Snapshot(0, State.IDLE)
        self._token: str | None = None
        self._token_claimed = False
        self._result: LookupResult | None = None
        self._scratch: dict[str, object] = {}

    # -- reader side ------------------------------------------------------------
    def _count_read(self) -> None:
        if self.on_read is None:
            return
        try:
            self.on_read()
        except Exception:  # noqa: BLE001 - a usage counter never stands between a villager and the screen
            log.exception("card read not counted")

    def on_card_event(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.INSERTED:
            self._end(State.READING)
        elif event.kind is CardEventKind.READ and event.identity is not None:
            badge = self._staff_badge(event.identity)
            if badge is not None:  # a clinic worker signing in: their card is never looked up
                with self._changed:
                    self._end(State.STAFF_PIN)
                    self._badge = badge
                return
            self._count_read()
            reading = self._end(State.READING)  # a card read starts a session afresh
            # The lookup may wait on a hub for seconds: never on the reader's thread, which must
            # stay free to see the card being taken away (that event ends the session at once).
            threading.Thread(
                target=self._look_up, args=(reading, event.identity), name="card-lookup", daemon=True
            ).start()
        elif event.kind is CardEventKind.UNREADABLE:
            message, advice = _UNREADABLE_ZH.get(event.reason, _READER_FAULT_ZH)
            self._set(State.ERROR, message, advice)
        elif event.kind is CardEventKind.REMOVED:
            self._end(State.IDLE)
        elif event.kind is CardEventKind.READER_UNAVAILABLE:
            self._end(State.UNAVAILABLE, N_("读卡器暂时不能使用"), N_("请联系工作人员"))
        elif event.kind is CardEventKind.READER_BACK:
            self._end(State.IDLE)

    def _staff_badge(self, identity: CardIdentity) -> str | None:
        if self.badge_of is None:
            return None
        try:
            return self.badge_of(identity)
        except Exception:  # noqa: BLE001 - a staff table that cannot be read makes this a resident's card
            log.exception("staff badge check failed")
            return None

    # -- staff side ---------------------------------------------------------------
    def pending_badge(self) -> str | None:
        """The key of the staff badge whose PIN is asked for now, if any."""
        with self._changed:
            return self._badge if self._snapshot.state is State.STAFF_PIN else None

    def staff_signed_in(self) -> None:
        """The PIN was right: say so until the badge is taken away."""
        with self._changed:
            if self._snapshot.state is State.STAFF_PIN:
                self._badge = None
                self._publish(State.STAFF_READY, N_("登录成功"), N_("请取下胸卡，再请居民放卡"))

    def _look_up(self, reading: int, identity: CardIdentity) -> None:
        """Look the card holder up and show the result, unless the screen moved on from `reading` (a seq)
        meanwhile: every card event publishes a new snapshot, so a late answer is one for a card that left."""
        try:
            result = look_up_card_holder(
                backend=self.backend, identity=identity, today=self.today(), chip_registry=self.chip_registry
            )
        except CardLookupError as error:
            self._answer(reading, State.ERROR, error.message_zh, error.advice_zh)
            return
        except Exception:  # noqa: BLE001 - never leave the screen stuck on "reading"
            log.exception("card lookup failed unexpectedly")
            self._answer(reading, State.ERROR, N_("暂时查不到信息"), N_("请稍后再试，或请工作人员帮助"))
            return
        with self._changed:
            if self._snapshot.seq != reading:
                log.info("lookup finished after its card left: result dropped")
                return
            self._start(result, {"notices": self._notices(result)})

    def _notices(self, result: LookupResult) -> list[object]:
        if self.notices_for is None:
            return []
        try:
            return self.notices_for(result)
        except Exception:  # noqa: BLE001 - a notice that cannot be read never stands between a villager and the screen
            log.exception("assisted-lookup notices not read")
            return []

    def _start(self, result: LookupResult, scratch: dict[str, object]) -> None:
        """Called with the lock held: `result` becomes the session shown, with a fresh token."""
        self._result = result
        self._scratch = scratch
        self._token = secrets.token_urlsafe(24)
        self._token_claimed = False
        self._typed = None
        self._publish(State.READY)

    # -- a helper's lookup by typed number ------------------------------------------------------------
    def look_up_typed(self, id_number: str, typed: dict[str, str]) -> LookupResult:
        """Look up the resident whose number a signed-in helper typed, and ask the resident to confirm their
        masked name (State.CONFIRM) before anything is shown. Only from the attract screen with no card on the
        reader. Raises CardLookupError as a card read would ('busy' when a card or session is there)."""
        with self._changed:
            if self._snapshot.state is not State.IDLE:
                raise CardLookupError("busy", N_("请先取走读卡区上的卡"), N_("无卡查询只在没有放卡时使用"))
        result = look_up_card_holder(
            backend=self.backend,
            identity=CardIdentity(id_number=id_number, source="typed"),
            today=self.today(),
        )
        with self._changed:
            if self._snapshot.state is not State.IDLE:  # a card was placed meanwhile: it wins
                raise CardLookupError("busy", N_("请先取走读卡区上的卡"), N_("无卡查询只在没有放卡时使用"))
            self._end(State.IDLE)
            self._result, self._typed = result, dict(typed)
            shown = result.holder.name if result.on_roster else result.holder.masked_id
            self._publish(
                State.CONFIRM,
                shown,
                N_("请居民本人确认") if result.on_roster else N_("没有找到这个身份证号的记录"),
            )
        return result

    def confirm_typed(self, confirmed: bool) -> bool:
        """The resident said whether the masked name is theirs: show their pages, or drop the lookup."""
        with self._changed:
            if self._snapshot.state is not State.CONFIRM or self._result is None or self._typed is None:
                return False
            if not confirmed:
                self._end(State.IDLE)
                return True
            self._start(self._result, {"typed": self._typed, "notices": []})
            return True

    def typed_by(self, token: str | None) -> dict[str, str] | None:
        """Who typed this session's number and why (None for a card read): its complaints are flagged."""
        scratch = self.scratch(token)
        typed = scratch.get("typed") if scratch is not None else None
        return typed if isinstance(typed, dict) else None

    # -- browser side -----------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def wait_for_change(
        self, since_seq: int, timeout: float, gone: Callable[[], bool] | None = None
    ) -> Snapshot:
        """Return as soon as the state differs from `since_seq`, or after `timeout` seconds.

        `gone` tells whether the browser that asked has already left (a page it navigated away
        from): the wait then ends within `GONE_CHECK_SECONDS`, so abandoned long polls never hold
        the server's worker threads and a quick succession of pages cannot freeze the kiosk.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._snapshot.seq == since_seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (gone is not None and gone()):
                    break
                self._changed.wait(min(remaining, GONE_CHECK_SECONDS) if gone is not None else remaining)
            return self._snapshot

    def claim_session(self) -> str | None:
        """Hand the session token to the browser once; None if there is no session or it was claimed."""
        with self._changed:
            if self._snapshot.state is not State.READY or self._token is None or self._token_claimed:
                return None
            self._token_claimed = True
            return self._token

    def result_for(self, token: str | None) -> LookupResult | None:
        """Return the session's data if `token` is the current session's."""
        with self._changed:
            if token is None or self._token is None or self._snapshot.state is not State.READY:
                return None
            if not secrets.compare_digest(token, self._token):
                return None
            return self._result

    def scratch(self, token: str | None) -> dict[str, object] | None:
        """Per-session working memory (a complaint draft, the form token); wiped when the session ends."""
        if self.result_for(token) is None:
            return None
        with self._changed:
            if "csrf" not in self._scratch:
                self._scratch["csrf"] = secrets.token_urlsafe(24)
            return self._scratch

    def end_session(self, token: str | None) -> None:
        """End the session at the villager's request or on idle; the card may still be on the reader."""
        if self.typed_by(token) is not None:  # opened by typed number: there is no card to take back
            self._end(State.IDLE)
        elif self.result_for(token) is not None:
            self._end(State.CARD_LEFT, N_("请取回您的卡"), N_("查询已结束"))

    # -- internals --------------------------------------------------------------
    def _end(self, state: State, message: str = "", advice: str = "") -> int:
        """Drop the session and show `state`; return the new snapshot's seq."""
        with self._changed:
            self._result = None
            self._scratch = {}
            self._token = None
            self._token_claimed = False
            self._badge = None
            self._typed = None
            return self._publish(state, message, advice)

    def _set(self, state: State, message: str = "", advice: str = "") -> None:
        with self._changed:
            self._publish(state, message, advice)

    def _answer(self, reading: int, state: State, message: str, advice: str) -> None:
        """Show a lookup's outcome, unless the screen moved on since `reading`."""
        with self._changed:
            if self._snapshot.seq == reading:
                self._publish(state, message, advice)

    def _publish(self, state: State, message: str = "", advice: str = "") -> int:
        """Called with the lock held; returns the new seq."""
        self._snapshot = Snapshot(self._snapshot.seq + 1, state, message, advice)
        self._changed.notify_all()
        return self._snapshot.seq
