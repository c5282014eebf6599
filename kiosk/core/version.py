"""The software's version, as the installed package says (setup.cfg): what a kiosk reports in its heartbeat
and the hub compares with its own, so the fleet page can flag kiosks left on old software."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def software_version() -> str:
    try:
        return version("mingbai")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"
