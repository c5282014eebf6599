"""The remote BenefitsBackend: a kiosk with no county data asks the hub, signed like every kiosk request.

A lookup sends the ID number read from the card (the hub already holds it); a bank card's account is
first turned into a short-lived token by the hub. The answer is the same picture the embedded backend
would compute.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from device.idnumber import IdNumber, mask_account
from kiosk.backend import LookupResult, PersonNotFoundError, SharedAccountError
from kiosk.backend.disclosure import VillageDisclosure
from kiosk.backend.wire import from_json
from kiosk.link import paths
from kiosk.link.client import HubClient, HubUnreachableError


class HubUnavailableError(RuntimeError):
    """Raised when the hub cannot answer a lookup (down, refusing, or answering nonsense)."""


class RemoteBackend:
    def __init__(self, *, hub_url: str, kiosk_id: str, secret: str, timeout: float = 5.0) -> None:
        self.client = HubClient(hub_url, kiosk_id=kiosk_id, secret=secret, timeout=timeout)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The hub's answer as an object; None when it knows nobody (404)."""
        try:
            status, answer = self.client.post_json(paths.full(path), body)
        except HubUnreachableError as error:
            raise HubUnavailableError(str(error)) from None
        if status == 404:
            return None
        if status == 409 and path == paths.RESOLVE:
            raise SharedAccountError("several persons are paid through this account")
        if status != 200:
            raise HubUnavailableError(f"hub answered {status}")
        try:
            decoded = json.loads(answer)
        except ValueError as error:
            raise HubUnavailableError(f"malformed answer: {error}") from None
        if not isinstance(decoded, dict):
            raise HubUnavailableError("malformed answer: not an object")
        return decoded

    def look_up(self, id_number: IdNumber, *, today: dt.date) -> LookupResult:
        answer = self._post(paths.LOOKUP, {"id_number": id_number.value, "today": today.isoformat()})
        if answer is None:
            raise PersonNotFoundError(id_number.masked())
        try:
            return from_json(answer, id_number.value)
        except (KeyError, ValueError, TypeError) as error:
            raise HubUnavailableError(f"malformed lookup answer: {error}") from None

    def disclosure(self, village_codes: list[str], *, today: dt.date, secret: str = "") -> VillageDisclosure:
        """The villages' public lists as the hub computes them from its roster (`secret` is the hub's)."""
        from kiosk.backend.disclosure import from_json as lists_from_json

        answer = self._post(paths.DISCLOSURE, {"villages": village_codes, "today": today.isoformat()})
        if answer is None:
            raise HubUnavailableError("the hub holds no roster for these villages")
        try:
            return lists_from_json(answer)
        except (KeyError, ValueError, TypeError) as error:
            raise HubUnavailableError(f"malformed disclosure answer: {error}") from None

    def look_up_account(self, account: str, *, today: dt.date) -> LookupResult:
        """Two steps: the hub turns the account into a short-lived token (never an ID number), then the
        token into the picture, which carries the person's keyed hash for complaints."""
        resolved = self._post(paths.RESOLVE, {"account": account})
        token = resolved.get("token") if resolved else None
        if not isinstance(token, str) or not token:
            raise PersonNotFoundError(mask_account(account))
        answer = self._post(paths.LOOKUP, {"token": token, "today": today.isoformat()})
        if answer is None:
            raise PersonNotFoundError(mask_account(account))
        try:
            result = from_json(answer, "")
        except (KeyError, ValueError, TypeError) as error:
            raise HubUnavailableError(f"malformed lookup answer: {error}") from None
        if not result.person_key:  # without it a complaint could not be tied to its person
            raise HubUnavailableError("the hub's answer for a bank card carries no person_key")
        return result
