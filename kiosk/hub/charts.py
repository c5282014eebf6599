"""Charts as inline SVG markup, drawn on the server: the same chart on the dashboard page and in the PDF
report, no JavaScript, and nothing the strict CSP would block (presentation attributes, no style).

Every chart is also a table in the page, for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#1f5fa8"
TEXT = "#111111"


def bars(
    pairs: Sequence[tuple[str, float]], *, title: str, unit: str = "件", width: int = 560, limit: int = 12
) -> str:
    """Horizontal bars, largest first as given; labels left, values right of each bar."""
    pairs = pairs[:limit]
    row, label_w, value_w = 26, 170, 90
    height = row * max(1, len(pairs)) + 34
    top = max((value for _, value in pairs), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="14">',
        f'<text x="0" y="18" font-weight="bold" fill="{TEXT}">{escape(title)}</text>',
    ]
    span = width - label_w - value_w
    for index, (label, value) in enumerate(pairs):
        y = 30 + index * row
        length = int(span * value / top) if value > 0 else 0
        shown = f"{value:g}{unit}" if isinstance(value, (int, float)) else str(value)
        out.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT}">{escape(label[:14])}</text>'
        )
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 8}" fill="{BAR}"/>')
        out.append(f'<text x="{label_w + length + 6}" y="{y + 16}" fill="{TEXT}">{escape(shown)}</text>')
    if not pairs:
        out.append(f'<text x="0" y="48" fill="{TEXT}">暂无数据</text>')
    out.append("</svg>")
    return "".join(out)


def columns(pairs: Sequence[tuple[str, float]], *, title: str, width: int = 560, height: int = 220) -> str:
    """Vertical columns over time (months), value above each column."""
    n = max(1, len(pairs))
    top = max((value for _, value in pairs), default=0) or 1
    slot = (width - 20) / n
    base = height - 28
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="12">',
        f'<text x="0" y="16" font-weight="bold" font-size="14" fill="{TEXT}">{escape(title)}</text>',
        f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{TEXT}"/>',
    ]
    for index, (label, value) in enumerate(pairs):
        x = 10 + index * slot
        tall = (base - 40) * value / top
        out.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{base - tall:.1f}" width="{slot * 0.7:.1f}" height="{tall:.1f}" '
            f'fill="{BAR}"/>'
        )
        out.append(
            f'<text x="{x + slot / 2:.1f}" y="{base - tall - 4:.1f}" text-anchor="middle" fill="{TEXT}">'
            f"{value:g}</text>"
        )
        out.append(
            f'<text x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" fill="{TEXT}">'
            f"{escape(label[-5:])}</text>"
        )
    out.append("</svg>")
    return "".join(out)
