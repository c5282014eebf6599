"""A clinic worker at the kiosk, driven through Flask's test client: their badge (demo card ⑯) on the
reader, their PIN, and the staff forms' token."""

from __future__ import annotations

import re
from typing import Any

from kiosk.services.demo import DEMO_STAFF_PIN
from tests.helpers.kiosk_client import DEMO, settled_state

STAFF_BADGE = 16


def form_token(client: Any) -> str:
    found = re.search(r'name="form" value="([^"]+)"', client.get("/").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def badge_on(client: Any) -> dict[str, Any]:
    client.post(f"/demo/place/{STAFF_BADGE}", headers=DEMO)
    return settled_state(client)


def sign_in(client: Any, pin: str = DEMO_STAFF_PIN) -> Any:
    return client.post("/staff/pin", data={"form": form_token(client), "pin": pin})


def signed_in(app: Any) -> Any:
    """A test client whose kiosk has the demo helper signed in, badge taken away."""
    client = app.test_client()
    badge_on(client)
    sign_in(client)
    client.post("/demo/take", headers=DEMO)
    return client
