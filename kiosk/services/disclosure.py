"""村务公开 at the kiosk: the public lists of the villages this kiosk serves, for anyone, without a card;
and an objection to an entry, filed in one step as a complaint of its own category (对公示有异议) that
goes to the supervisors through the outbox like any other.

An objection names the entry (its public fields as shown) and the kiosk. It names the objector only when
they chose to, with their card on the reader; by default it is anonymous. Its subject is the household's
head, by the keyed hash the hub finds people by, so the hub links it to that household.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.backend import LookupResult
from kiosk.backend.disclosure import Entry, VillageDisclosure
from kiosk.config import KioskConfig
from kiosk.core.complaint import OBJECTION, OBJECTION_REASONS, ComplaintError, person_key
from kiosk.core.i18n import N_
from kiosk.rules import Rulebook, period_of
from kiosk.services.complaints import Filed, file_complaint
from kiosk.store import Store

log = logging.getLogger(__name__)


class DisclosureUnavailable(RuntimeError):
    """The lists cannot be shown now (no villages set, or the hub cannot answer); `words` for the screen."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


@dataclass
class PublicBoard:
    config: KioskConfig
    store: Store
    rulebook: Rulebook
    backend: object  # EmbeddedBackend or RemoteBackend: both answer .disclosure(...)
    on_queued: Callable[[], None] = lambda: None

    def village_codes(self) -> list[str]:
        """The villages this kiosk serves: its configuration, or in a demo the demo county's first."""
        if self.config.villages:
            return list(self.config.villages)
        if self.config.demo:
            first = self.store.village_names()[:1]
            return [code for code, _ in first]
        return []

    def lists(self, today: dt.date) -> VillageDisclosure:
        codes = self.village_codes()
        if not codes:
            raise DisclosureUnavailable(N_("本终端还没有设置服务的村，请联系工作人员"))
        try:
            return self.backend.disclosure(codes, today=today, secret=self.config.person_key_secret)  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 - a hub that is down shows words, never a 500
            log.warning("disclosure unavailable: %s", error)
            raise DisclosureUnavailable(N_("公示信息暂时打不开，请稍后再试")) from None

    def object(
        self,
        entry: Entry,
        *,
        reason: str,
        uuid: str,
        holder: LookupResult | None,
        give_identity: bool,
        now: dt.datetime,
        today: dt.date,
    ) -> Filed:
        """File an objection to `entry`. Raises ComplaintError for an unknown reason or a bad uuid."""
        if reason and reason not in OBJECTION_REASONS:
            raise ComplaintError("reason", N_("请选择异议的原因"))
        policy = self.rulebook.policies.get(entry.programme)
        objection: dict[str, object] = {
            "entry_id": entry.entry_id,
            "village": entry.village,
            "state": entry.state,
            **entry.shown,
        }
        if reason:
            objection["reason"] = reason
        evidence: dict[str, object] = {
            "rule_version": self.rulebook.version,
            "as_of": today.isoformat(),
            "programme_name": policy.name if policy else entry.programme,
            "objection": objection,
            "objector": "anonymous",
        }
        if give_identity and holder is not None:
            evidence["objector"] = "card"
            evidence["objector_masked_id"] = holder.holder.masked_id
            evidence["objector_key"] = holder.person_key or person_key(
                holder.id_number, self.config.person_key_secret
            )
        period = period_of(policy.period_kind, today).code if policy else ""
        return file_complaint(
            store=self.store,
            kiosk_id=self.config.kiosk_id,
            key=entry.subject_key,
            masked_id=entry.masked_id,
            uuid=uuid,
            category=OBJECTION,
            programme=entry.programme,
            period=period,
            phone="",
            evidence=evidence,
            now=now,
            on_queued=self.on_queued,
        )
