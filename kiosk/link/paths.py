"""The kiosk API's paths, imported by both ends: the hub's routes and the kiosk's HubClient.

Flask routes take the `*_RULE` forms; the kiosk fills the same shapes with `complaint_path`.
"""

from __future__ import annotations

PREFIX = "/api/v1"
COMPLAINTS = "/complaints"
COMPLAINT_RULE = "/complaints/<uuid>"
WITHDRAWAL_RULE = "/complaints/<uuid>/withdrawal"
REOPENING_RULE = "/complaints/<uuid>/reopening"
LOOKUP = "/lookup"
RESOLVE = "/resolve"
HEARTBEAT = "/heartbeat"
STAFF = "/staff"  # the staff accounts meant for this kiosk (pulled)
STAFF_LOOKUPS = "/staff-lookups"  # one lookup by typed ID number (delivered)
DISCLOSURE = "/disclosure"  # the public lists (公示) of the villages a kiosk serves
SNAPSHOT = "/snapshot"  # the signed snapshot of the kiosk's township (kiosk.link.snapshot)
OPENAPI = "/openapi.json"
MAX_BODY = 32 * 1024  # bytes: the largest kiosk request body the hub reads (a complaint is a few KiB)


def full(path: str) -> str:
    """The path as the kiosk sends it (and signs it): under the API's prefix."""
    return PREFIX + path


def complaint_path(rule: str, uuid: str) -> str:
    """One complaint's path from its rule, e.g. `complaint_path(WITHDRAWAL_RULE, u)`."""
    return full(rule.replace("<uuid>", uuid))
