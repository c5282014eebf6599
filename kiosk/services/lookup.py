"""Look up a card holder: validate what the card said, ask the backend, explain failures plainly."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from device.base import CardIdentity
from device.idnumber import IdNumber, IdNumberError, mask_account, parse_id_number
from kiosk.backend import BenefitsBackend, CardHolder, LookupResult, PersonNotFoundError, SharedAccountError
from kiosk.core.i18n import N_
from kiosk.rules.reconcile import Reconciliation

log = logging.getLogger(__name__)


class CardLookupError(Exception):
    """Raised when a card cannot be turned into a person's page; `message_zh` tells the villager why."""

    def __init__(self, reason: str, message_zh: str, advice_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_zh = message_zh
        self.advice_zh = advice_zh


def resolve_id_number(*, identity: CardIdentity, chip_registry: Mapping[str, str]) -> str:
    """Turn what the card said into an ID number: as read, or through the chip registry (a bank card's
    account is the backend's to resolve: `look_up_card_holder`).

    Raises CardLookupError 'not_found' when a chip serial maps to nobody.
    """
    if identity.id_number:
        return identity.id_number
    if identity.chip_serial:
        found = chip_registry.get(identity.chip_serial)
        if found is None:
            log.info("chip serial not in the registry")
            raise CardLookupError(
                "not_found", N_("这台读卡器读不出身份证号"), N_("请使用社保卡，或请工作人员帮助")
            )
        return found
    raise CardLookupError("invalid_id", N_("这张卡上没有身份信息"), N_("请换一张卡，或请工作人员帮助"))


def look_up_card_holder(
    *,
    backend: BenefitsBackend,
    identity: CardIdentity,
    today: dt.date,
    chip_registry: Mapping[str, str] | None = None,
) -> LookupResult:
    """Return the owed-vs-paid picture for the card's holder.

    Raises CardLookupError with reason 'invalid_id' (the card's ID number fails
    validation), 'not_found' (nobody with that number, account or chip), or
    'backend' (the data could not be read).
    """
    if identity.account and not identity.id_number:
        return _look_up_account(backend, identity.account, today)
    try:
        number = resolve_id_number(identity=identity, chip_registry=chip_registry or {})
    except CardLookupError:
        raise
    except Exception:
        log.exception("resolving card %r failed", identity)
        raise CardLookupError("backend", N_("暂时查不到信息"), N_("请稍后再试，或请工作人员帮助")) from None
    try:
        id_number = parse_id_number(number)
    except IdNumberError as error:
        log.info("card rejected: %s (%s)", error.reason, identity)
        raise CardLookupError(
            "invalid_id", N_("这张卡读不出来"), N_("请换一张身份证或社保卡再试；如果还不行，请工作人员帮助")
        ) from None
    try:
        result = backend.look_up(id_number, today=today)
    except PersonNotFoundError:
        log.info("no person for card %s", id_number)
        return unlisted(id_number, today)
    except Exception:
        log.exception("lookup failed for card %s", id_number)
        raise CardLookupError("backend", N_("暂时查不到信息"), N_("请稍后再试，或请工作人员帮助")) from None
    log.info("looked up card %s: %d lines", id_number, len(result.reconciliation.lines))
    return result


def _look_up_account(backend: BenefitsBackend, account: str, today: dt.date) -> LookupResult:
    """A bank card: the backend finds the one person the ledger pays through its account."""
    try:
        return backend.look_up_account(account, today=today)
    except SharedAccountError:
        log.info("account %s is shared: asked for an ID card", mask_account(account))
        raise CardLookupError(
            "shared_account",
            N_("这张卡对应多人，请放身份证"),
            N_("这张银行卡的账户登记给了不止一个人，看不出是谁的卡：请放身份证或社保卡查询"),
        ) from None
    except PersonNotFoundError:
        log.info("no person for account %s", mask_account(account))
        raise CardLookupError(
            "not_found", N_("没有找到这张银行卡对应的补贴信息"), N_("请使用身份证或社保卡，或到村委会核实")
        ) from None
    except Exception:
        log.exception("lookup failed for account %s", mask_account(account))
        raise CardLookupError("backend", N_("暂时查不到信息"), N_("请稍后再试，或请工作人员帮助")) from None


def unlisted(id_number: IdNumber, today: dt.date) -> LookupResult:
    """A card read fine whose holder the roster does not know: not an error but a session of its own, in
    which the villager can report "我应该享受补贴，但没有记录" (the masked number and the keyed hash go with it)."""
    nobody = Reconciliation(programmes=[], hints=[], rule_version="", today=today)
    return LookupResult(
        CardHolder(id_number.masked(), "", "", None), nobody, id_number.value, on_roster=False
    )
