"""The chip-serial registry: which ID card chip (00 36 00 00 08) belongs to whom.

A plain contactless reader cannot read an ID card's number, only its chip serial;
a county that registers serials (CSV: chip_serial,id_number) lets such readers work.
"""

from __future__ import annotations

import csv
from pathlib import Path

from device.idnumber import IdNumberError, parse_id_number


class RegistryError(ValueError):
    """Raised when the registry file is unreadable or has a bad row; names the file and row."""


def load_chip_registry(path: Path | None) -> dict[str, str]:
    """Load `chip_serial,id_number` rows (header optional); an absent path means an empty registry."""
    if path is None:
        return {}
    registry: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if not row or (number == 1 and row[0].strip().lower() == "chip_serial"):
                    continue
                if len(row) < 2:
                    raise RegistryError(f"{path}: row {number}: expected chip_serial,id_number")
                serial = row[0].strip().upper()
                if len(serial) != 16 or any(c not in "0123456789ABCDEF" for c in serial):
                    raise RegistryError(f"{path}: row {number}: chip serial {row[0]!r} is not 16 hex digits")
                try:
                    registry[serial] = parse_id_number(row[1]).value
                except IdNumberError as error:
                    raise RegistryError(f"{path}: row {number}: {error.message_zh}") from None
    except OSError as error:
        raise RegistryError(f"cannot read chip registry {path}: {error}") from None
    return registry
