"""Pictograms for people who cannot read, drawn as inline SVG: every status, category and tool.

Font glyphs and emoji were the icons before: ✖ and ⊘ look alike at a distance, and emoji render as
empty boxes on a kiosk without a colour-emoji font. Each pictogram here is a distinct shape, drawn in
`currentColor` (so it follows the theme and forced colours), hidden from screen readers, and always
beside its word. `icon(name)` is a Jinja global.
"""

from __future__ import annotations

from markupsafe import Markup

_STROKE = (
    'fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"'
)
_FILL = 'fill="currentColor"'

# name → SVG body on a 24×24 grid
_SHAPES: dict[str, str] = {
    "ok": f'<path {_STROKE} d="M4 12.5l5 5L20 6.5"/>',
    "short": f'<path {_FILL} d="M3.5 6h17L12 20z"/>',
    "over": f'<path {_FILL} d="M12 4l8.5 14h-17z"/>',
    "missing": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M8 8l8 8M16 8l-8 8"/>',
    "late": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M12 7v5l3.5 2.5"/>',
    "warning": f'<path {_STROKE} d="M12 3.5l9.5 16.5h-19z"/><path {_STROKE} d="M12 10v4.5"/>'
    f'<circle {_FILL} cx="12" cy="17.3" r="1.4"/>',
    "wait": f'<path {_STROKE} d="M7 3.5h10M7 20.5h10M8 3.5c0 5 8 5 8 8.5s-8 3.5-8 8.5M16 3.5c0 5-8 5-8 8.5s8 3.5 8 8.5"/>',
    "mail": f'<rect {_STROKE} x="3" y="5.5" width="18" height="13" rx="2"/><path {_STROKE} d="M3.5 7l8.5 6.5L20.5 7"/>',
    "back": f'<path {_STROKE} d="M15 4.5L7.5 12l7.5 7.5"/>',
    "forward": f'<path {_STROKE} d="M9 4.5l7.5 7.5L9 19.5"/>',
    "help": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M9.2 9.3a2.9 2.9 0 1 1 4.2 2.6c-.9.5-1.4 1-1.4 2.1"/>'
    f'<circle {_FILL} cx="12" cy="17.2" r="1.3"/>',
    "info": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M12 11v6"/><circle {_FILL} cx="12" cy="7.5" r="1.4"/>',
    "reply": f'<path {_STROKE} d="M4 5.5h16v10H10l-5 4v-4H4z"/>',
    "print": f'<path {_STROKE} d="M7 9V3.5h10V9M7 17H4.5V9h15v8H17"/><rect {_STROKE} x="7" y="14" width="10" height="6.5"/>',
    "hint": f'<path {_STROKE} d="M9 17.5h6M10 20.5h4M8.5 14.5a6 6 0 1 1 7 0c-.8.6-1 1.3-1 2.5h-5c0-1.2-.2-1.9-1-2.5z"/>',
    "speaker": f'<path {_FILL} d="M3.5 9h4l5-4.5v15l-5-4.5h-4z"/><path {_STROKE} d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12"/>',
    "headset": f'<path {_STROKE} d="M4.5 15v-3a7.5 7.5 0 0 1 15 0v3"/><rect {_FILL} x="3" y="13.5" width="4.5" height="7" rx="1.5"/>'
    f'<rect {_FILL} x="16.5" y="13.5" width="4.5" height="7" rx="1.5"/>',
    "withdrawn": f'<path {_STROKE} d="M8.5 5L4 9.5 8.5 14"/><path {_STROKE} d="M4.5 9.5H14a6 6 0 0 1 0 12h-3"/>',
    "not_equal": f'<path {_STROKE} d="M4 9h16M4 15h16M16 4L8 20"/>',
    "removed": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M5.8 18.2L18.2 5.8"/>',
    "person_warning": f'<circle {_STROKE} cx="9" cy="7.5" r="3.5"/><path {_STROKE} d="M2.5 20c0-4 3-6.5 6.5-6.5s6.5 2.5 6.5 6.5"/>'
    f'<path {_STROKE} d="M19 8v6"/><circle {_FILL} cx="19" cy="17.5" r="1.4"/>',
    "people": f'<circle {_STROKE} cx="8.5" cy="8" r="3.2"/><circle {_STROKE} cx="16.5" cy="9" r="2.6"/>'
    f'<path {_STROKE} d="M2.5 20c0-3.8 2.7-6.2 6-6.2s6 2.4 6 6.2M14.5 14.4c3.3-.6 7 1.3 7 5.6"/>',
    "person": f'<circle {_STROKE} cx="12" cy="7.5" r="4"/><path {_STROKE} d="M4 21c0-4.5 3.6-7.5 8-7.5s8 3 8 7.5"/>',
    "question": f'<path {_STROKE} d="M8 8.5a4 4 0 1 1 5.6 3.7c-1.1.5-1.6 1.2-1.6 2.5v.8"/><circle {_FILL} cx="12" cy="19.5" r="1.5"/>',
    "more": f'<circle {_FILL} cx="5" cy="12" r="2"/><circle {_FILL} cx="12" cy="12" r="2"/><circle {_FILL} cx="19" cy="12" r="2"/>',
    "contrast": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_FILL} d="M12 3a9 9 0 0 1 0 18z"/>',
    "text_size": f'<path {_STROKE} d="M3 19L8 6l5 13M4.8 14.5h6.4M15 19l3-7.5 3 7.5M15.8 17h4.4"/>',
    "language": f'<circle {_STROKE} cx="12" cy="12" r="9"/><path {_STROKE} d="M3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z"/>',
}

# what a status or complaint category is drawn as
STATUS_ICONS = {
    "paid_in_full": "ok",
    "paid_late": "late",
    "short": "short",
    "missing": "missing",
    "overpaid": "over",
    "paid_after_death": "warning",
    "paid_without_entitlement": "warning",
    "not_yet_due": "wait",
    "arrears_pending": "wait",
    "paid_to_head": "ok",
}
CATEGORY_ICONS = {
    "not_received": "missing",
    "wrong_amount": "not_equal",
    "removed": "removed",
    "impersonated": "person_warning",
    "should_qualify": "question",
    "other": "more",
}


def icon(name: str) -> Markup:
    """The pictogram `name` (a shape, a status value or a complaint category) as inline SVG."""
    shape = STATUS_ICONS.get(name) or CATEGORY_ICONS.get(name) or name
    body = _SHAPES.get(shape, _SHAPES["more"])
    return Markup(  # noqa: S704 - our own constant SVG, no user input
        f'<svg class="icon icon-{shape}" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" '
        f'focusable="false">{body}</svg>'
    )
