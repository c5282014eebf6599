"""The remote BenefitsBackend: a kiosk with no county data asks the hub, signed like every kiosk request.

A lookup sends the ID number read from the card (the hub already holds it); the
answer is the same picture the embedded backend would compute.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import urllib.error
import urllib.request

from device.idnumber import IdNumber
from kiosk.backend import LookupResult, PersonNotFoundError
from kiosk.backend.wire import from_json
from kiosk.link.signing import sign


class HubUnavailableError(RuntimeError):
    """Raised when the hub cannot answer a lookup (down, refusing, or answering nonsense)."""


class RemoteBackend:
    def __init__(self, *, hub_url: str, kiosk_id: str, secret: str, timeout: float = 5.0) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.secret = secret
        self.timeout = timeout

    def _post(self, path: str, body: dict) -> tuple[int, dict]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json",
                   **sign(kiosk_id=self.kiosk_id, secret=self.secret, method="POST", path=path, body=data)}
        request = urllib.request.Request(self.hub_url + path, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return 404, {}
            raise HubUnavailableError(f"hub answered {error.code}") from None
        except (OSError, ValueError, http.client.HTTPException) as error:
            raise HubUnavailableError(str(error)) from None

    def look_up(self, id_number: IdNumber, *, today: dt.date) -> LookupResult:
        status, answer = self._post("/api/v1/lookup", {"id_number": id_number.value, "today": today.isoformat()})
        if status == 404:
            raise PersonNotFoundError(id_number.masked())
        try:
            return from_json(answer, id_number.value)
        except (KeyError, ValueError, TypeError) as error:
            raise HubUnavailableError(f"malformed lookup answer: {error}") from None

    def find_id_number_by_account(self, account: str) -> str | None:
        status, answer = self._post("/api/v1/resolve", {"account": account})
        return None if status == 404 else answer.get("id_number")
