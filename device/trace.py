"""Masked traces of card exchanges, for a technician to send when a real card misbehaves.

Commands are kept whole (they carry no personal data); responses keep their shape,
tags, lengths and status words, but every value is masked except tags known to be
impersonal (application ids, labels, data object lists, file locators).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from device.apdu import CardConnection
from device.sam import decode_response
from device.tlv import TlvError, parse_tlv

IMPERSONAL_TAGS = {
    0x4F,
    0x50,
    0x80,
    0x84,
    0x87,
    0x82,
    0x94,  # 80: GPO format 1 (AIP + AFL) 0x9F38, 0x5F2D, 0x9F11, 0x9F12, 0x9F62, 0x88, 0x9F4D,
}


def mask_value(data: bytes) -> str:
    """Describe response data with every personal value masked.

    >>> mask_value(bytes.fromhex("6F0C8407A0000003330101A501AA"))
    '6F[84=A0000003330101 A5[**1 bytes, not TLV**]]'
    >>> mask_value(bytes.fromhex("5A086217990100000001"))
    '5A=**8 bytes**'
    """
    if not data:
        return ""
    try:
        items = parse_tlv(data)
    except TlvError:
        return f"**{len(data)} bytes, not TLV**"
    parts = []
    for item in items:
        tag = f"{item.tag:X}"
        if item.tag in IMPERSONAL_TAGS:
            parts.append(f"{tag}={item.value.hex().upper()}")
        elif item.constructed:
            parts.append(f"{tag}[{mask_value(item.value)}]")
        else:
            parts.append(f"{tag}=**{len(item.value)} byte{'s' if len(item.value) != 1 else ''}**")
    return " ".join(parts)


@dataclass
class Trace:
    """Lines of a masked trace, with the time of each exchange."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def add(self, direction: str, text: str) -> None:
        self.lines.append(f"{(time.perf_counter() - self.started) * 1000:8.1f} ms  {direction} {text}")


class TracingConnection:
    """Wrap a CardConnection and record every exchange, masked."""

    def __init__(self, inner: CardConnection, trace: Trace) -> None:
        self.inner = inner
        self.trace = trace

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.trace.add(">>", apdu.hex().upper())
        try:
            data, sw = self.inner.transmit(apdu)
        except Exception as error:
            self.trace.add("!!", f"{type(error).__name__}: {error}")
            raise
        self.trace.add("<<", f"{mask_value(data)} SW={sw:04X}".strip())
        return data, sw


def mask_sam_frame(frame: bytes) -> str:
    """Describe a SAM response frame: SW3 and data length, never the text or photo."""
    try:
        response = decode_response(frame)
    except Exception as error:  # noqa: BLE001 - a trace describes broken frames too
        return f"**{len(frame)} bytes: {error}**"
    return f"SW3={response.sw3:02X} data=**{len(response.data)} bytes**"
