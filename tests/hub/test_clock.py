"""The hub notes how far a kiosk's clock is off from its requests' timestamps — even ones it refuses as
stale — and the fleet page says so, rather than the kiosk failing to deliver in silence."""

from __future__ import annotations

import time

from kiosk.hub import stats
from kiosk.link.signing import sign


def test_the_hub_notes_a_kiosks_skew_even_when_it_refuses_the_request(office):
    client = office.client()
    secret = office.store.register_kiosk("kiosk-9", office.clock.now)
    body = b'{"outbox_backlog": 0}'

    def beat(offset: float) -> int:
        headers = {
            "Content-Type": "application/json",
            **sign(
                kiosk_id="kiosk-9",
                secret=secret,
                method="POST",
                path="/api/v1/heartbeat",
                body=body,
                now=time.time() + offset,
            ),
        }
        return client.post("/api/v1/heartbeat", data=body, headers=headers).status_code

    assert beat(-600) == 401  # ten minutes behind: refused, as signing requires
    health = {k.kiosk_id: k for k in stats.fleet(office.store, office.clock.now)}
    assert health["kiosk-9"].clock_skew is not None and -605 <= health["kiosk-9"].clock_skew <= -595
    page = office.sign_in("admin").get("/office/fleet").get_data(as_text=True)
    row = page[page.index('data-kiosk="kiosk-9"') :][:1500]
    assert "时钟偏差 -6" in row and "请求会被拒绝" in row
    assert beat(0) == 200  # the clock is fixed: the note goes
    health = {k.kiosk_id: k for k in stats.fleet(office.store, office.clock.now)}
    assert health["kiosk-9"].clock_skew is None
