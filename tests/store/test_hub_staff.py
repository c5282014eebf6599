"""The kiosk's copy of the hub's staff accounts: what a pull adds, changes, disables, and never overwrites."""

from __future__ import annotations

from kiosk.store import HubStaff, StaffAccount

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def hub(name: str, badge: str, version: int = 1, title: str = "卫生院工作人员") -> HubStaff:
    return HubStaff(name, title, "chip", badge, HASH, version)


def local(store, name: str, badge: str) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as tx:
        store.add_staff(
            tx, StaffAccount(name, "村医", "chip", badge, HASH, 0, None, None, "local", "2026-01-01")
        )


def sync(store, accounts: list[HubStaff]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with store.transaction() as tx:
        return store.sync_hub_staff(tx, accounts, "2026-12-01T00:00:00+00:00")


def test_a_pull_adds_changes_and_disables(store):
    assert sync(store, [hub("王芳", "k1"), hub("李明", "k2")]) == (2, 0)
    assert sync(store, [hub("王芳", "k1"), hub("李明", "k2")]) == (0, 0), "nothing changed: nothing written"
    assert sync(store, [hub("王芳", "k1", version=2)]) == (1, 1)
    accounts = {a.name: a for a in store.staff_accounts()}
    assert accounts["王芳"].hub_version == 2 and accounts["李明"].disabled_at is not None
    assert sync(store, []) == (0, 1), "an empty list disables every hub account"


def test_a_badge_a_local_account_holds_is_never_taken_over(store):
    local(store, "张医生", "k9")
    sync(store, [hub("王芳", "k1")])
    assert sync(store, [hub("王芳", "k9", version=2), hub("赵云", "k9")]) == (0, 0)
    accounts = {a.name: a for a in store.staff_accounts()}
    assert (
        accounts["张医生"].source == "local" and accounts["王芳"].badge_key == "k1" and "赵云" not in accounts
    )
