"""Driving the kiosk app through Flask's test client the way its browser does."""

from __future__ import annotations

from typing import Any

DEMO = {"X-Kiosk-Demo": "1"}


def settled_state(client: Any, timeout: float = 10.0) -> dict[str, Any]:
    """The terminal's state once the card's lookup (on its own thread) is over: long-polls past "reading"."""
    state = client.get("/terminal/state").get_json()
    while state["state"] == "reading":
        state = client.get(f"/terminal/state?since={state['seq']}").get_json()
    return state


def place_card(client: Any, position: int) -> dict[str, Any]:
    """Place demo card `position` through the demo panel and wait for its lookup; return the state."""
    answer = client.post(f"/demo/place/{position}", headers=DEMO)
    assert answer.status_code == 204, answer.status_code
    return settled_state(client)
