"""Who is helping at this kiosk now: a clinic worker signed in with badge and PIN, until they sign out or
ten minutes pass without a touch.

The terminal notices a staff badge on the reader and asks for its PIN (State.STAFF_PIN); this desk
checks the PIN (kiosk.services.staff) and keeps the helper for the sessions that follow, so every screen
can name who is helping and a complaint can record it. One kiosk, one helper at a time.

A signed-in helper may also look a resident up by typing their ID number (a lost, broken or unreadable
card, or an elder who asks): the reason is chosen from four, the lookups are limited per helper and hour,
each is recorded (the kiosk's audit log, the staff-lookups table the relay delivers to the hub), and the
resident is told at their next own card read: "2026年12月1日，卫生院工作人员王*帮您查询过一次".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from device.base import CardIdentity
from device.idnumber import IdNumberError, parse_id_number
from kiosk.backend import LookupResult
from kiosk.core.clock import china_today, utc_stamp
from kiosk.core.complaint import person_key
from kiosk.core.i18n import N_
from kiosk.core.staff import shown_name
from kiosk.services.staff import STAFF_IDLE, StaffError, badge_key, sign_in
from kiosk.services.terminal import Terminal
from kiosk.store import StaffAccount, StaffLookup, Store

# Why a helper looks a resident up without their card: the four reasons a lookup may have.
LOOKUP_REASONS = {
    "card_lost": N_("卡丢失"),
    "card_broken": N_("卡损坏"),
    "unreadable": N_("读不出来"),
    "for_elder": N_("帮老人查询"),
}


@dataclass(frozen=True)
class LookupNotice:
    """What a resident is told at their own next card read: when, and which helper, looked them up."""

    on: dt.date
    title: str
    shown: str  # the helper's name as the banner shows it (王*)


@dataclass(frozen=True)
class Helper:
    name: str
    title: str

    @property
    def shown(self) -> str:
        """王芳 → 王*: the banner names the helper without spelling them out to everyone nearby."""
        return shown_name(self.name)

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
        lookups_per_hour: int = 10,
        on_lookup: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.terminal, self.secret, self.now, self.clock = store, terminal, secret, now, clock
        self.lookups_per_hour = lookups_per_hour
        self.on_lookup = on_lookup  # a lookup was recorded: the relay may deliver it now
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

    # -- lookups by typed number --------------------------------------------------------------------------
    def look_up_typed(self, typed_number: str, reason: str) -> LookupResult:
        """Look up the resident whose ID number the signed-in helper typed, for `reason`; the terminal then
        asks the resident to confirm their masked name. StaffError when there is no helper, the reason or
        number is wrong, or the helper is over the hour's limit; CardLookupError as for a card."""
        helper = self.helper()
        if helper is None:
            raise StaffError("unknown", N_("请工作人员先用胸卡登录"))
        if reason not in LOOKUP_REASONS:
            raise StaffError("reason", N_("请选择无卡查询的原因"))
        try:
            id_number = parse_id_number(typed_number.strip().upper())
        except IdNumberError:
            raise StaffError("bad_number", N_("身份证号不对，请核对后重新输入")) from None
        now = self.now()
        record = StaffLookup(
            uuid=str(uuid.uuid4()),
            staff_name=helper.name,
            staff_title=helper.title,
            reason=reason,
            masked_id=id_number.masked(),
            person_key=person_key(id_number.value, self.secret),
            outcome="refused",
            at=utc_stamp(now),
        )
        since = utc_stamp(now - dt.timedelta(hours=1))
        if self.store.staff_lookups_since(helper.name, since) >= self.lookups_per_hour:
            self._record(record, helper)
            raise StaffError(
                "limit",
                N_("这一小时的无卡查询次数已用完，请稍后再试；每次查询都有记录，上级可以看到"),
            )
        typed = {"name": helper.name, "title": helper.title, "reason": reason}
        result = self.terminal.look_up_typed(id_number.value, typed)
        outcome = "found" if result.on_roster else "not_on_roster"
        self._record(dataclasses.replace(record, outcome=outcome), helper)
        return result

    def confirm(self, confirmed: bool) -> None:
        """The resident's answer to "这是您本人吗？", audited under the helper's name."""
        if self.terminal.confirm_typed(confirmed):
            helper = self.helper()
            actor = f"staff:{helper.name}" if helper is not None else "staff:"
            self.store.record_audit(actor, "staff_lookup_confirmed", "", "yes" if confirmed else "no")

    def _record(self, lookup: StaffLookup, helper: Helper) -> None:
        with self.store.transaction() as tx:
            self.store.record_staff_lookup(tx, lookup)
        self.store.record_audit(
            f"staff:{helper.name}", "staff_lookup", lookup.masked_id, f"{lookup.outcome}: {lookup.reason}"
        )
        if self.on_lookup is not None:
            self.on_lookup()

    def notices_for(self, result: LookupResult) -> list[object]:
        """The helpers' lookups of this card holder not yet told them; told now, so only once."""
        key = result.person_key or (person_key(result.id_number, self.secret) if result.id_number else "")
        if not key:
            return []
        found = self.store.unnoticed_lookups(key)
        if not found:
            return []
        with self.store.transaction() as tx:
            self.store.mark_lookups_noticed(tx, [lookup.uuid for lookup in found], utc_stamp(self.now()))
        return [
            LookupNotice(
                china_today(dt.datetime.fromisoformat(lookup.at)),
                lookup.staff_title,
                shown_name(lookup.staff_name),
            )
            for lookup in found
        ]
