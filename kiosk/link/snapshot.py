"""The signed snapshot file: one township's (or county's) data from the hub, for a kiosk without a reliable
network, delivered over the API or carried on a USB stick — the same bytes either way.

A file is four parts, in this order:

    MINGBAI-SNAPSHOT/1\\n
    <manifest: one line of JSON>\\n
    <Ed25519 signature of the manifest line, base64>\\n
    <payload: a gzip-compressed SQLite store holding the township's roster and ledger>

The manifest names the township, the ledger's date, when and from which publication the file was made,
and the payload's length and SHA-256. The hub signs the manifest with its snapshot key; a kiosk holds the
hub's public key (`hub_public_key`), so a file signed by anyone else, cut short in copying, or altered in
one byte is refused before anything is opened. Reading and checking only: applying it is
`kiosk.services.snapshot`, building it `kiosk.hub.snapshots`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAGIC = b"MINGBAI-SNAPSHOT/1\n"
MAX_MANIFEST = 4096  # bytes: a manifest is a few hundred
SUFFIX = ".mbsnap"


class SnapshotError(ValueError):
    """A file that is not a snapshot this kiosk may take, with the reason in plain words."""


@dataclass(frozen=True)
class Manifest:
    township: str  # as the villages table names it (and the kiosk's `township` setting)
    data_date: dt.date  # the ledger's latest payment: what the screens show as 数据更新至
    created_at: str  # when the hub made the file (ISO, UTC)
    publication: int  # the hub's publication it was cut from
    persons: int
    payments: int
    payload_bytes: int
    payload_sha256: str

    def to_json(self) -> dict:
        return {**self.__dict__, "data_date": self.data_date.isoformat()}

    @classmethod
    def from_json(cls, raw: object) -> Manifest:
        if not isinstance(raw, dict):
            raise SnapshotError("the snapshot's manifest is not an object")
        try:
            return cls(
                township=str(raw["township"]),
                data_date=dt.date.fromisoformat(str(raw["data_date"])),
                created_at=str(raw["created_at"]),
                publication=int(raw["publication"]),
                persons=int(raw["persons"]),
                payments=int(raw["payments"]),
                payload_bytes=int(raw["payload_bytes"]),
                payload_sha256=str(raw["payload_sha256"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(f"the snapshot's manifest is incomplete ({error})") from None


def pack(manifest_fields: dict, payload: bytes, key: Ed25519PrivateKey) -> bytes:
    """The whole file for `payload`: the manifest gains the payload's length and hash, then is signed."""
    manifest = {
        **manifest_fields,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    line = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    signature = base64.b64encode(key.sign(line))
    return MAGIC + line + b"\n" + signature + b"\n" + payload


def unpack(data: bytes, public_key: Ed25519PublicKey) -> tuple[Manifest, bytes]:
    """The manifest and payload of a file signed by `public_key`, whole; SnapshotError says what is wrong."""
    if not data.startswith(MAGIC):
        raise SnapshotError("not a Mingbai snapshot file")
    head = data[len(MAGIC) : len(MAGIC) + MAX_MANIFEST + 200]
    parts = head.split(b"\n", 2)
    if len(parts) < 3:
        raise SnapshotError("the file is cut short before its payload (copied only in part?)")
    line, signature_text = parts[0], parts[1]
    try:
        signature = base64.b64decode(signature_text, validate=True)
        public_key.verify(signature, line)
    except (binascii.Error, InvalidSignature):
        raise SnapshotError(
            "the signature is not the county hub's: the file was altered or made elsewhere"
        ) from None
    try:
        manifest = Manifest.from_json(json.loads(line))
    except json.JSONDecodeError:
        raise SnapshotError("the snapshot's manifest is not JSON") from None
    payload = data[len(MAGIC) + len(line) + 1 + len(signature_text) + 1 :]
    if len(payload) != manifest.payload_bytes:
        raise SnapshotError(
            f"the file is incomplete: {len(payload):,} of {manifest.payload_bytes:,} bytes "
            "(copied only in part?)"
        )
    if hashlib.sha256(payload).hexdigest() != manifest.payload_sha256:
        raise SnapshotError("the file's contents do not match its signature: it is damaged")
    return manifest, payload


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half as the kiosk's `hub_public_key` setting takes it: 32 bytes, base64."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise SnapshotError(
            "hub_public_key is not a public key (32 bytes in base64, from `kiosk hub --snapshot-key`)"
        ) from None


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The hub's snapshot key, made (0600) at its first use; every hub process must share the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # another hub process made it a moment ago
            return signing_key(path)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return key
    loaded = serialization.load_pem_private_key(raw, password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SnapshotError(f"{path} is not an Ed25519 key")
    return loaded
