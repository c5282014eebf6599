"""The hub: the central server kiosks deliver complaints to (and, later, query and answer from).

A separate Flask app from the kiosk's, over its own store (SQLAlchemy Core: a SQLite
file for a small county, PostgreSQL beyond one machine).
"""
