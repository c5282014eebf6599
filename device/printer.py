"""Receipt printers (ESC/POS through python-escpos): a complaint slip with its tracking number and QR code.

`open_printer("")` is None: the kiosk works without a printer. "dummy" keeps the
bytes in memory and "file:PATH" writes them to a file (tests, and printers that
appear as /dev/usb/lp0); "usb:VID:PID" and "serial:DEVICE" drive real printers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)


class PrinterError(RuntimeError):
    """Raised when the configured printer cannot be opened or fails while printing."""


def open_printer(spec: str):  # type: ignore[no-untyped-def]
    """Return an escpos printer for `spec`, or None when no printer is configured."""
    if not spec:
        return None
    from escpos import printer

    kind, _, where = spec.partition(":")
    try:
        if kind == "dummy":
            return printer.Dummy()
        if kind == "file":
            return printer.File(where)
        if kind == "usb":
            vendor, _, product = where.partition(":")
            return printer.Usb(int(vendor, 16), int(product, 16))
        if kind == "serial":
            return printer.Serial(where)
    except Exception as error:  # noqa: BLE001 - escpos raises its own and the OS's errors
        raise PrinterError(f"cannot open printer {spec!r}: {error}") from None
    raise PrinterError(f"unknown printer {spec!r}: use dummy, file:PATH, usb:VID:PID or serial:DEVICE")


def print_slip(device, lines: Sequence[str], qr_text: str) -> None:  # type: ignore[no-untyped-def]
    """Print the lines (GB18030, as Chinese ESC/POS printers expect), a QR code, and cut."""
    try:
        for line in lines:
            device._raw(line.encode("gb18030", "replace") + b"\n")
        device.qr(qr_text, size=6, native=True)
        device.cut()
        if hasattr(device, "flush"):
            device.flush()
    except Exception as error:  # noqa: BLE001 - a jammed printer must not lose the complaint
        raise PrinterError(f"printing failed: {error}") from None
