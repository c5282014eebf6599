"""What a hub app is made of, reached by its views through one typed accessor.

`create_hub_app` builds a `HubParts` and installs it on the app; views call `parts()`
instead of reaching into `app.extensions` by string, so a missing or misspelt part is
a type error rather than a KeyError at request time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from kiosk.config import HubConfig
from kiosk.core.clock import now_utc
from kiosk.hub.roster import RosterLookups
from kiosk.hub.store import HubStore

_KEY = "mingbai_hub"


@dataclass
class HubParts:
    config: HubConfig
    store: HubStore
    lookups: RosterLookups
    clock: Callable[[], dt.datetime] = field(default=now_utc)  # tests set a fixed clock
    credentials: dict[str, tuple[float, dict | None]] = field(
        default_factory=dict
    )  # kiosk id → (when read, row)

    def now(self) -> dt.datetime:
        return self.clock()


def install(app: Flask, hub: HubParts) -> None:
    app.extensions[_KEY] = hub


def parts(app: Flask | None = None) -> HubParts:
    """The parts of `app` (default: the app handling this request)."""
    found = (app or current_app).extensions[_KEY]
    assert isinstance(found, HubParts)  # noqa: S101 - installed by create_hub_app only
    return found
