"""The software's version, as the installed package says (setup.cfg): what a kiosk reports in its heartbeat
and the hub compares with its own, so the fleet page can flag kiosks left on old software."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version


@functools.cache  # reading the package's metadata takes 0.6 ms: the fleet page asks once per kiosk
def software_version() -> str:
    """The installed version (an upgrade restarts the process, so it is read once)."""
    try:
        return version("mingbai")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"
