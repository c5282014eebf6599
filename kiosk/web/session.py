"""The card session's cookie: the one thing every villager screen reads to know whose data it may show."""

from __future__ import annotations

COOKIE = "card_session"
