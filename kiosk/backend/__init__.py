"""The BenefitsBackend protocol the kiosk queries, and its embedded (SQLite) implementation.

The remote implementation (the hub's HTTP API) sits beside it in kiosk/backend/remote.py; the services
only ever see the protocol. The hub runs this same embedded backend over its own roster tables, so a
kiosk's screen is computed by one piece of code wherever the data lives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from device.idnumber import IdNumber, IdNumberError, mask_account, parse_id_number
from kiosk.core.person import PersonRecord, mask_name

if TYPE_CHECKING:
    from kiosk.backend.disclosure import VillageDisclosure
from kiosk.rules import PersonFacts, Rulebook
from kiosk.rules.reconcile import Payment, Reconciliation, reconcile


class PersonNotFoundError(LookupError):
    """Raised when no person with the given ID number is known to the backend."""


class SharedAccountError(PersonNotFoundError):
    """Raised for a bank card whose account the ledger pays several persons through: whose card it is
    cannot be told from the card, so the holder is asked for their ID card instead."""


@dataclass(frozen=True, slots=True)
class CardHolder:
    """What the screens may show of the person: masked identifiers only."""

    masked_id: str
    name: str  # masked already (王*明): what a resident confirms in front of a helper
    village: str
    deceased_on: dt.date | None


@dataclass(frozen=True, slots=True)
class LookupResult:
    """A card holder's picture for one session. `id_number` stays in memory for the session, to derive the
    person's keyed hash; it is never rendered or logged."""

    holder: CardHolder
    reconciliation: Reconciliation
    id_number: str = ""
    person_key: str = ""  # the hub's keyed hash, when the kiosk never learns the number (a bank card, remote)
    on_roster: bool = True  # False: a valid card whose holder the roster does not know (they may complain)
    data_date: dt.date | None = None  # how current the ledger is: its latest payment (数据更新至)

    def __repr__(self) -> str:
        return f"LookupResult({self.holder.masked_id!r})"


class BenefitsBackend(Protocol):
    def look_up(self, id_number: IdNumber, *, today: dt.date) -> LookupResult:
        """Return the person's owed-vs-paid picture; raise PersonNotFoundError if unknown."""
        ...

    def look_up_account(self, account: str, *, today: dt.date) -> LookupResult:
        """The picture of the one person the ledger pays through `account`; raise PersonNotFoundError if no
        one or several. A remote backend never learns that person's ID number."""
        ...


class Ledger(Protocol):
    """The reads the backend needs: the kiosk's SQLite Store and the hub's Roster both provide them."""

    def load_person(
        self, id_number: str, *, household: bool = True
    ) -> tuple[PersonRecord, PersonFacts, list[Payment]] | None:
        """The person, their facts and their payments, read together (one connection at the hub); with
        `household`, the household their facts carry (only rules that use households need it)."""
        ...

    def find_id_number_by_account(self, account: str) -> str | None: ...

    def account_holders(self, account: str) -> int:
        """How many persons the ledger pays through `account` (counting stops at 2)."""
        ...

    def data_date(self) -> dt.date | None:
        """The ledger's date: its latest payment."""
        ...


class EmbeddedBackend:
    """Answer lookups from a ledger held on this machine: the kiosk's SQLite store, or the hub's roster."""

    def __init__(self, store: Ledger, rulebook: Rulebook, *, history_years: int = 2) -> None:
        self.store = store
        self.rulebook = rulebook
        self.history_years = history_years

    def find_id_number_by_account(self, account: str) -> str | None:
        """The ID number of the one person paid through `account` (the hub resolves bank cards with it)."""
        return self.store.find_id_number_by_account(account)

    def look_up_account(self, account: str, *, today: dt.date) -> LookupResult:
        number = self.store.find_id_number_by_account(account)
        if number is None:
            if self.store.account_holders(account) > 1:
                raise SharedAccountError(mask_account(account))
            raise PersonNotFoundError(mask_account(account))
        try:
            id_number = parse_id_number(number)
        except IdNumberError:  # a ledger row with a malformed number: nobody a card can stand for
            raise PersonNotFoundError(mask_account(account)) from None
        return self.look_up(id_number, today=today)

    def look_up(self, id_number: IdNumber, *, today: dt.date) -> LookupResult:
        found = self.store.load_person(id_number.value, household=self.rulebook.uses_households)
        if found is None:
            raise PersonNotFoundError(id_number.masked())
        person, facts, payments = found
        since_on = dt.date(today.year - self.history_years, 1, 1)
        result = reconcile(self.rulebook, facts, payments, since_on=since_on, today=today)
        holder = CardHolder(
            id_number.masked(), mask_name(person.name), person.village_name or "", person.death_on
        )
        return LookupResult(holder, result, id_number.value, data_date=self.store.data_date())

    def disclosure(self, village_codes: list[str], *, today: dt.date, secret: str) -> VillageDisclosure:
        """The public lists (公示) of these villages, from this ledger (kiosk.backend.disclosure)."""
        from kiosk.backend.disclosure import disclose

        return disclose(self.store, self.rulebook, village_codes, today=today, secret=secret)  # type: ignore[arg-type]
