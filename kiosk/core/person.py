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


def mask_name(name: str) -> str:
    """Keep the surname and the last character; mask the middle (张*明, 李*).

    >>> mask_name("张三明"), mask_name("李四"), mask_name("欧阳娜娜")
    ('张*明', '李*', '欧**娜')
    """
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
