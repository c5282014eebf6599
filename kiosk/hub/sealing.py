"""Secrets the hub must read back, sealed with a key kept outside its database: kiosk credentials and TOTP seeds.

A copy of the database (a backup, a replica, a dump handed to the wrong person) then opens no kiosk's
credential and no supervisor's second factor. Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) seals each value; the key lives in a file of its own, created 0600 on first
use (`key_file` in the hub's config; every process of one hub needs the same file). Values written
before sealing existed are read as they are and sealed when next written.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "sealed:v1:"


class SealingError(RuntimeError):
    """The key file is missing, unreadable, or not the key these values were sealed with."""


class Sealer:
    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        self._fernet = Fernet(self._key())

    def _key(self) -> bytes:
        try:
            return self.key_file.read_bytes().strip()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise SealingError(f"cannot read the hub's key file {self.key_file}: {error.strerror}") from None
        self.key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            descriptor = os.open(self.key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # another hub process made it a moment ago
            return self.key_file.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key + b"\n")
        return key

    def seal(self, value: str) -> str:
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The plain value of a stored one (sealed, or from before sealing); None stays None."""
        if stored is None or not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SealingError(
                f"a sealed secret does not open with {self.key_file}: is this the hub's key file?"
            ) from None


def default_key_file(db_url: str) -> Path:
    """Beside a SQLite file (hub.db → hub.key); for PostgreSQL, in the hub user's data directory."""
    if "://" not in db_url:
        return Path(db_url).with_suffix(".key")
    return Path.home() / ".local" / "share" / "mingbai" / "hub.key"
