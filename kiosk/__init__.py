"""Mingbai (明白): the entitlement kiosk application and its hub."""
