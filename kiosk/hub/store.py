"""The hub's store: kiosks and their credentials, received complaints, used nonces, heartbeats.

SQLAlchemy Core, so the same code runs on a SQLite file and on PostgreSQL. All of
the hub's SQL lives here. `UNIQUE(kiosk_id, uuid)` makes complaint intake idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

metadata = sa.MetaData()

kiosks = sa.Table(
    "kiosks", metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
complaints = sa.Table(
    "complaints", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
    sa.Column("uuid", sa.String(36), nullable=False),
    sa.Column("tracking_no", sa.String(16), nullable=False),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("payload_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("kiosk_id", "uuid", name="complaints_kiosk_uuid"),
)
nonces = sa.Table(
    "nonces", metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)
replies = sa.Table(
    "replies", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
supervisors = sa.Table(
    "supervisors", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
)
audit = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),
    sa.Column("outcome", sa.String(64), nullable=False),
)
heartbeats = sa.Table(
    "heartbeats", metadata,
    sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
)


class IntakeConflictError(ValueError):
    """Raised when a kiosk sends an already-received UUID with a different payload."""


@dataclass(frozen=True)
class Received:
    uuid: str
    tracking_no: str
    received_at: dt.datetime
    first_time: bool


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Times are stored in UTC; SQLite returns them without their zone, PostgreSQL with it."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


def _row(row) -> dict | None:  # type: ignore[no-untyped-def]
    if row is None:
        return None
    return {key: _utc(value) if isinstance(value, dt.datetime) else value for key, value in dict(row).items()}


def engine_for(url: str) -> sa.Engine:
    """A SQLAlchemy engine for a `postgresql://…` URL or a SQLite file path."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    elif url.startswith(("postgresql://", "postgres://")):  # psycopg 3, not SQLAlchemy's psycopg2 default
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 5000")
    return engine


class HubStore:
    def __init__(self, url: str) -> None:
        from kiosk.hub import roster  # noqa: F401 - registers the roster's tables in `metadata`

        self.engine = engine_for(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        """Close the pool's connections (tests, and a clean shutdown)."""
        self.engine.dispose()

    def register_kiosk(self, kiosk_id: str, now: dt.datetime) -> str:
        """Create (or re-key) a kiosk's credential; return the secret to install on that kiosk."""
        secret = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            updated = conn.execute(sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id)
                                   .values(secret=secret, revoked_at=None)).rowcount
            if not updated:
                conn.execute(sa.insert(kiosks).values(kiosk_id=kiosk_id, secret=secret, created_at=now))
        return secret

    def revoke_kiosk(self, kiosk_id: str, now: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id)
                                .values(revoked_at=now)).rowcount == 1

    def kiosk(self, kiosk_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings().first()
        return _row(row)

    def use_nonce(self, kiosk_id: str, nonce: str, now: dt.datetime) -> bool:
        """Record a nonce; False if this kiosk used it before (a replay)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(nonces).values(kiosk_id=kiosk_id, nonce=nonce, seen_at=now))
            return True
        except IntegrityError:
            return False

    def receive_complaint(self, kiosk_id: str, payload: dict, now: dt.datetime) -> Received:
        """Store a complaint once per (kiosk, uuid); a replay gets the original answer.

        Raises IntakeConflictError if the uuid was received with a different payload.
        """
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = {"kiosk_id": kiosk_id, "uuid": payload["uuid"], "tracking_no": payload["tracking_no"],
               "person_key": payload["person_key"], "payload": text, "payload_sha256": digest, "received_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(complaints).values(**row))
            return Received(payload["uuid"], payload["tracking_no"], now, True)
        except IntegrityError:
            with self.engine.connect() as conn:
                existing = _row(conn.execute(sa.select(complaints).where(complaints.c.kiosk_id == kiosk_id)
                                             .where(complaints.c.uuid == payload["uuid"])).mappings().first())
            if existing is None:
                raise
            if existing["payload_sha256"] != digest:
                raise IntakeConflictError(payload["uuid"]) from None
            return Received(existing["uuid"], existing["tracking_no"], existing["received_at"], False)

    def withdraw_complaint(self, kiosk_id: str, uuid: str, at: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(sa.update(complaints).where(complaints.c.kiosk_id == kiosk_id)
                                .where(complaints.c.uuid == uuid).where(complaints.c.withdrawn_at.is_(None))
                                .values(withdrawn_at=at)).rowcount == 1

    def complaint(self, kiosk_id: str, uuid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(complaints).where(complaints.c.kiosk_id == kiosk_id)
                               .where(complaints.c.uuid == uuid)).mappings().first()
        return _row(row)

    def list_complaints(self, limit: int = 200) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(complaints).order_by(complaints.c.received_at.desc()).limit(limit)).mappings()
            return [_row(row) for row in rows]  # type: ignore[misc]

    def complaint_by_id(self, complaint_id: int) -> dict | None:
        with self.engine.connect() as conn:
            return _row(conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).mappings().first())

    def add_reply(self, complaint_id: int, text: str, author: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(replies).values(complaint_id=complaint_id, text=text, author=author, at=now))

    def replies_for(self, complaint_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(replies).where(replies.c.complaint_id == complaint_id)
                                .order_by(replies.c.id)).mappings()
            return [_row(row) for row in rows]  # type: ignore[misc]

    def add_supervisor(self, name: str, password_hash: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(sa.update(supervisors).where(supervisors.c.name == name)
                                .values(password_hash=password_hash, failures=0)).rowcount:
                conn.execute(sa.insert(supervisors).values(name=name, password_hash=password_hash, failures=0))

    def supervisor(self, name: str) -> dict | None:
        with self.engine.connect() as conn:
            return _row(conn.execute(sa.select(supervisors).where(supervisors.c.name == name)).mappings().first())

    def set_failures(self, name: str, failures: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(supervisors).where(supervisors.c.name == name).values(failures=failures))

    def record_audit(self, actor: str, action: str, subject: str, outcome: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(audit).values(at=now, actor=actor, action=action, subject=subject, outcome=outcome))

    def audit_entries(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(audit).order_by(audit.c.id)).mappings()]  # type: ignore[misc]

    def count_complaints(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(complaints)).scalar_one()

    def last_heartbeat(self, kiosk_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return _row(conn.execute(sa.select(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id)).mappings().first())

    def heartbeat(self, kiosk_id: str, status: dict, now: dt.datetime) -> None:
        text = json.dumps(status, sort_keys=True)
        with self.engine.begin() as conn:
            if not conn.execute(sa.update(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id)
                                .values(at=now, status=text)).rowcount:
                conn.execute(sa.insert(heartbeats).values(kiosk_id=kiosk_id, at=now, status=text))
