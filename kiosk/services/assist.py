"""Who is helping at this kiosk now: a clinic worker signed in with badge and PIN, until they sign out or
ten minutes pass without a touch.

The terminal notices a staff badge on the reader and asks for its PIN (State.STAFF_PIN); this desk
checks the PIN (kiosk.services.staff) and keeps the helper for the sessions that follow, so every screen
can name who is helping and a complaint can record it. One kiosk, one helper at a time.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from device.base import CardIdentity
from kiosk.core.i18n import N_
from kiosk.services.staff import STAFF_IDLE, StaffError, badge_key, sign_in
from kiosk.services.terminal import Terminal
from kiosk.store import StaffAccount, Store


@dataclass(frozen=True)
class Helper:
    name: str
    title: str

    @property
    def shown(self) -> str:
        """王芳 → 王*: the banner names the helper without spelling them out to everyone nearby."""
        return self.name[:1] + "*" * max(1, len(self.name) - 1)

    @property
    def recorded(self) -> str:
        """How a complaint records who helped: the account's name and title, in full, for the supervisors."""
        return f"{self.name}（{self.title}）" if self.title else self.name


class AssistDesk:
    def __init__(
        self,
        *,
        store: Store,
        terminal: Terminal,
        secret: str,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.terminal, self.secret, self.now, self.clock = store, terminal, secret, now, clock
        self._helper: Helper | None = None
        self._seen = 0.0
        self._lock = threading.Lock()
        self.form_token = secrets.token_urlsafe(24)  # the staff forms' token: no other page can post to them

    def badge_of(self, identity: CardIdentity) -> str | None:
        """The key of `identity` if it is a registered staff badge (the terminal asks before any lookup)."""
        candidates = []
        if identity.id_number:
            candidates.append(("id", identity.id_number))
        if identity.chip_serial:
            candidates.append(("chip", identity.chip_serial))
        for kind, value in candidates:
            try:
                key = badge_key(kind, value, self.secret)
            except StaffError:
                continue
            if self.store.staff_with_badge(key) is not None:
                return key
        return None

    def enter_pin(self, pin: str) -> Helper:
        """Check `pin` for the badge on the reader; the helper on success, StaffError otherwise."""
        badge = self.terminal.pending_badge()
        if badge is None:
            raise StaffError("unknown", N_("请先把工作人员胸卡放在读卡区"))
        account: StaffAccount = sign_in(self.store, badge=badge, pin=pin, now=self.now())
        helper = Helper(account.name, account.title)
        with self._lock:
            self._helper, self._seen = helper, self.clock()
        self.terminal.staff_signed_in()
        return helper

    def helper(self) -> Helper | None:
        """Who is helping now, or None (never signed in, signed out, or idle for ten minutes)."""
        with self._lock:
            if self._helper is not None and self.clock() - self._seen > STAFF_IDLE.total_seconds():
                self.store.record_audit(f"staff:{self._helper.name}", "staff_sign_out", "", "idle")
                self._helper = None
            return self._helper

    def touch(self) -> None:
        """Someone used the screen: the helper's ten minutes start again (unless they already ran out)."""
        if self.helper() is None:
            return
        with self._lock:
            self._seen = self.clock()

    def sign_out(self) -> None:
        with self._lock:
            if self._helper is not None:
                self.store.record_audit(f"staff:{self._helper.name}", "staff_sign_out", "", "ok")
            self._helper = None
