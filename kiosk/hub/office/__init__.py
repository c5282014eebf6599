"""The supervisors' back office at /office: importing this package registers every page on `bp`.

The blueprint and its guard live in `common`; each page family (sign-in, casework, dashboards,
administration) is a module of its own that adds its routes to the one blueprint.
"""

from __future__ import annotations

from kiosk.hub.office import admin, auth, casework, dashboards, staff
from kiosk.hub.office.common import bp

__all__ = ["admin", "auth", "bp", "casework", "dashboards", "staff"]
