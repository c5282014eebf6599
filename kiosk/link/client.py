"""HubClient: the kiosk's one way of talking to the hub — signed, bounded in time, no surprises.

Every request carries the kiosk's HMAC signature (`kiosk.link.signing`) over method,
path, timestamp, nonce and body. Callers get the status and the body back, or a
`HubUnreachableError` when nothing usable came back (down, timeout, cut mid-answer);
HTTP error statuses are answers, not exceptions, so each caller decides what a 404
or a 422 means to it.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kiosk.link.signing import sign


class HubUnreachableError(OSError):
    """Nothing usable came back from the hub."""


class HubClient:
    def __init__(self, hub_url: str, *, kiosk_id: str, secret: str, timeout: float = 5.0) -> None:
        scheme = urllib.parse.urlsplit(hub_url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"hub_url must be an http(s) URL, not {hub_url!r}")
        self.hub_url = hub_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.secret = secret
        self.timeout = timeout
        self.clock_skew: float | None = None  # the hub's clock minus ours, from its last answer's Date header

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one signed request to `path` (under /api/v1 already); return (status, body)."""
        headers = sign(kiosk_id=self.kiosk_id, secret=self.secret, method=method, path=path, body=body)
        if method == "POST":
            headers["Content-Type"] = "application/json"
        # The scheme was checked in __init__: only http(s) reaches urlopen.
        request = urllib.request.Request(  # noqa: S310
            self.hub_url + path,
            data=body if method == "POST" else None,
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                self._note_clock(response.headers.get("Date"))
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                self._note_clock(error.headers.get("Date"))
                return error.code, error.read()
        except (OSError, http.client.HTTPException) as error:
            raise HubUnreachableError(f"{type(error).__name__}: {error}") from None

    def _note_clock(self, date: str | None) -> None:
        """The hub's Date against our clock: signed requests fail beyond MAX_SKEW, so a kiosk must know."""
        if not date:
            return
        try:
            theirs = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        self.clock_skew = theirs - time.time()

    def post_json(self, path: str, payload: Any) -> tuple[int, bytes]:
        return self.request("POST", path, json.dumps(payload).encode())
