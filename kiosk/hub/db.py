"""The hub database's shared parts: the one SQLAlchemy `MetaData` every hub table is declared on, and
the retry a read gets when PostgreSQL dropped its connection.

Kept apart from `kiosk.hub.store` so that the roster's tables (kiosk.hub.roster) and the
store's can both be declared on one metadata without the two modules importing each other.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa

metadata = sa.MetaData()
log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def reconnecting(read: Callable[P, R]) -> Callable[P, R]:
    """Run `read` again, once, if its connection turned out dead (the database restarted): safe for reads and
    single idempotent statements, which is all it wraps."""

    @functools.wraps(read)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return read(*args, **kwargs)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("database connection lost; retrying on a fresh one")
            return read(*args, **kwargs)

    return wrapper
