"""A person as a ledger holds them: the record the kiosk's store and the hub's roster both answer with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as stored; `id_number` must be masked before it reaches a screen or log."""

    id: int
    id_number: str
    name: str
    gender: str
    birth_on: dt.date
    village_code: str | None
    village_name: str | None
    household: str
    death_on: dt.date | None
