"""Signed kiosk → hub requests: each kiosk's own secret, a timestamp and a nonce, so requests can't be replayed.

Signature = HMAC-SHA256(secret, METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n SHA256(body)), hex. The hub
accepts a timestamp within `MAX_SKEW` of its clock and each nonce once per kiosk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

MAX_SKEW = 300  # seconds
HEADERS = ("X-Kiosk-Id", "X-Timestamp", "X-Nonce", "X-Signature")


def _message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


def sign(
    *,
    kiosk_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the headers that authenticate this request as `kiosk_id`."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = nonce or secrets.token_hex(16)
    signature = hmac.new(
        secret.encode(), _message(method, path, timestamp, nonce, body), hashlib.sha256
    ).hexdigest()
    return {"X-Kiosk-Id": kiosk_id, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}


class SignatureError(ValueError):
    """Raised when a request's authentication fails; `status` is the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_headers(headers: dict[str, str], now: float) -> tuple[str, str]:
    """The checks that need no body: all headers there, the timestamp fresh. Returns (timestamp, nonce).

    The hub runs these before it reads a body, so a stranger's request costs it no memory.
    Raises SignatureError(401).
    """
    if any(not headers.get(name) for name in HEADERS):
        raise SignatureError(401, "missing authentication headers")
    timestamp, nonce = headers["X-Timestamp"], headers["X-Nonce"]
    try:
        skew = abs(now - int(timestamp))
    except ValueError:
        raise SignatureError(401, "bad timestamp") from None
    if skew > MAX_SKEW:
        raise SignatureError(401, "timestamp outside the allowed window")
    return timestamp, nonce


def verify(
    *, headers: dict[str, str], secret: str, method: str, path: str, body: bytes, now: float
) -> tuple[str, str]:
    """Check timestamp and signature; return (timestamp, nonce) for the caller's nonce check.

    Raises SignatureError(401) for missing headers, a stale timestamp or a wrong signature.
    """
    timestamp, nonce = check_headers(headers, now)
    expected = hmac.new(
        secret.encode(), _message(method, path, timestamp, nonce, body), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, headers["X-Signature"]):
        raise SignatureError(401, "bad signature")
    return timestamp, nonce
