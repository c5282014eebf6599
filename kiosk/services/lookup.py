"""Look up a card holder: validate what the card said, ask the backend, explain failures plainly."""

from __future__ import annotations

import datetime as dt
import logging

from device.base import CardIdentity
from device.idnumber import IdNumberError, parse_id_number
from kiosk.backend import BenefitsBackend, LookupResult, PersonNotFoundError

log = logging.getLogger(__name__)


class CardLookupError(Exception):
    """Raised when a card cannot be turned into a person's page; `message_zh` tells the villager why."""

    def __init__(self, reason: str, message_zh: str, advice_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_zh = message_zh
        self.advice_zh = advice_zh


def look_up_card_holder(*, backend: BenefitsBackend, identity: CardIdentity, today: dt.date) -> LookupResult:
    """Return the owed-vs-paid picture for the card's holder.

    Raises CardLookupError with reason 'invalid_id' (the card's ID number fails
    validation), 'not_found' (nobody with that number), or 'backend' (the data
    could not be read).
    """
    try:
        id_number = parse_id_number(identity.id_number)
    except IdNumberError as error:
        log.info("card rejected: %s (%s)", error.reason, identity)
        raise CardLookupError("invalid_id", f"无法识别这张卡：{error.message_zh}", "请换一张卡，或请工作人员帮助") from None
    try:
        result = backend.look_up(id_number, today=today)
    except PersonNotFoundError:
        log.info("no person for card %s", id_number)
        raise CardLookupError("not_found", "没有找到您的补贴信息", "请到村委会或乡镇民政所核实登记") from None
    except Exception:
        log.exception("lookup failed for card %s", id_number)
        raise CardLookupError("backend", "暂时查不到信息", "请稍后再试，或请工作人员帮助") from None
    log.info("looked up card %s: %d lines", id_number, len(result.reconciliation.lines))
    return result
