"""The hub's store: kiosks and their credentials, received complaints, used nonces, heartbeats.

SQLAlchemy Core, so the same code runs on a SQLite file and on PostgreSQL. All of
the hub's SQL lives here. `UNIQUE(kiosk_id, uuid)` makes complaint intake idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kiosk.core.complaint import category_words, show_tracking_number
from kiosk.hub import roster  # noqa: F401 - registers the roster's tables in `metadata`
from kiosk.hub.db import metadata, reconnecting

log = logging.getLogger(__name__)

kiosks = sa.Table(
    "kiosks",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
    sa.Column("uuid", sa.String(36), nullable=False),
    sa.Column("tracking_no", sa.String(16), nullable=False),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("payload_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    # Case handling (the back office): copied out of the payload at intake so the inbox can filter and sort.
    sa.Column("status", sa.String(16), nullable=False, server_default="received"),
    sa.Column("category", sa.String(32), nullable=False, server_default=""),
    sa.Column("programme", sa.String(32), nullable=False, server_default=""),
    sa.Column("period", sa.String(16), nullable=False, server_default=""),
    sa.Column("village_code", sa.String(32)),
    sa.Column("person_id", sa.Integer),
    sa.Column("department", sa.String(64)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("first_answer_at", sa.DateTime(timezone=True)),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(16)),
    sa.Column("reopened", sa.Integer, nullable=False, server_default="0"),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("kiosk_id", "uuid", name="complaints_kiosk_uuid"),
    sa.Index("complaints_by_received", "received_at"),
    sa.Index("complaints_by_status", "status", "received_at"),
    sa.Index("complaints_by_department", "department", "status"),
    sa.Index("complaints_by_village", "village_code"),
    sa.Index("complaints_by_person", "person_key"),
)
nonces = sa.Table(
    "nonces",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)
replies = sa.Table(  # what the villager reads at the kiosk: interim replies and the answer
    "replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default="answer"),
)
users = sa.Table(  # back-office accounts: administrator, supervisor, department handler, auditor
    "users",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("department", sa.String(64)),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
)
office_sessions = sa.Table(  # server-side sessions: the cookie holds a random id, the row holds the rest
    "office_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),  # 'password' (second factor owed) or 'full'
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
)
departments = sa.Table(
    "departments",
    metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)
complaint_events = sa.Table(  # the case history: every transition and note, by whom and when
    "complaint_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("complaint_id", sa.Integer, sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("from_status", sa.String(16), nullable=False),
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("department", sa.String(64)),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("request_id", sa.String(36), unique=True),  # a kiosk's reopen request, received once
)
heartbeat_hours = sa.Table(  # one row per kiosk and hour: enough for uptime and use, small for 10 k kiosks
    "heartbeat_hours",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("beats", sa.Integer, nullable=False),
    sa.Column("card_reads", sa.Integer, nullable=False),
    sa.Column("backlog", sa.Integer, nullable=False),
)
audit = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),
    sa.Column("outcome", sa.String(64), nullable=False),
)
sa.event.listen(
    audit,
    "after_create",
    sa.DDL(
        "CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is "
        "append-only'); END"
    ).execute_if(dialect="sqlite"),
)
sa.event.listen(
    audit,
    "after_create",
    sa.DDL(
        "CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is "
        "append-only'); END"
    ).execute_if(dialect="sqlite"),
)
sa.event.listen(
    audit,
    "after_create",
    sa.DDL(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'audit log is append-only'; END $$; "
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    ).execute_if(dialect="postgresql"),
)

heartbeats = sa.Table(
    "heartbeats",
    metadata,
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
    return value.replace(tzinfo=dt.UTC)


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
    # No ping before each use (a round trip that cost a quarter of a lookup's time): a connection the server
    # dropped fails once, SQLAlchemy then discards the whole pool, and the hot reads retry (`reconnecting`).
    engine = sa.create_engine(url, pool_pre_ping=False, pool_recycle=1800)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 5000")

    return engine


def _add_missing_columns(engine: sa.Engine) -> None:
    """Bring a hub database made by an earlier version up to date: changes so far only add columns and
    indexes, which both SQLite and PostgreSQL do in place."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=engine.dialect)
                    default = (
                        f" DEFAULT '{getattr(column.server_default, 'arg', '')}'"
                        if column.server_default is not None
                        else ""
                    )
                    not_null = " NOT NULL" if not column.nullable and default else ""
                    conn.execute(
                        sa.text(
                            f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{default}{not_null}"
                        )
                    )
            for index in table.indexes:
                index.create(conn, checkfirst=True)


def _case_fields(payload: dict) -> dict:
    """The columns the back office filters on, copied out of a complaint's payload at intake."""

    evidence = payload.get("evidence") or {}
    words = [
        show_tracking_number(payload["tracking_no"]),
        payload["tracking_no"],
        category_words(payload["category"]),
        payload.get("kiosk_id", ""),
        payload.get("masked_id", ""),
    ]
    words += [
        str(evidence.get(key, ""))
        for key in ("programme_name", "period_label", "status_label", "explanation", "verdict")
    ]
    return {
        "category": str(payload["category"])[:32],
        "programme": str(payload.get("programme", ""))[:32],
        "period": str(payload.get("period", ""))[:16],
        "search_text": " ".join(w for w in words if w),
    }


def _add_text_search_index(engine: sa.Engine) -> None:
    """A trigram index for the inbox's search (ILIKE '%…%' on 100k complaints: ~400 ms scanned, a few ms
    indexed). pg_trgm ships with PostgreSQL and is a trusted extension, so the database's owner may add it;
    where it cannot be added the search still works, scanning."""
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(
                sa.text(
                    "CREATE INDEX IF NOT EXISTS complaints_search_trgm ON complaints "
                    "USING gin (search_text gin_trgm_ops)"
                )
            )
    except sa.exc.DBAPIError as error:
        log.warning("no trigram index for the inbox search (%s): searching will scan", error.orig)


class HubStore:
    def __init__(self, url: str) -> None:

        self.engine = engine_for(url)
        metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        if self.engine.dialect.name == "postgresql":
            _add_text_search_index(self.engine)

    def close(self) -> None:
        """Close the pool's connections (tests, and a clean shutdown)."""
        self.engine.dispose()

    def register_kiosk(self, kiosk_id: str, now: dt.datetime) -> str:
        """Create (or re-key) a kiosk's credential; return the secret to install on that kiosk."""
        secret = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(secret=secret, revoked_at=None)
            ).rowcount
            if not updated:
                conn.execute(sa.insert(kiosks).values(kiosk_id=kiosk_id, secret=secret, created_at=now))
        return secret

    def revoke_kiosk(self, kiosk_id: str, now: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(revoked_at=now)
                ).rowcount
                == 1
            )

    @reconnecting
    def kiosk(self, kiosk_id: str) -> dict | None:
        with self.engine.execution_options(
            isolation_level="AUTOCOMMIT"
        ).connect() as conn:  # one read, no BEGIN
            row = conn.execute(sa.select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings().first()
        return _row(row)

    @reconnecting
    def use_nonce(self, kiosk_id: str, nonce: str, now: dt.datetime) -> bool:
        """Record a nonce; False if this kiosk used it before (a replay)."""
        try:  # a single INSERT is atomic by itself: autocommit spares the BEGIN and COMMIT round trips
            with self.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(sa.insert(nonces).values(kiosk_id=kiosk_id, nonce=nonce, seen_at=now))
            return True
        except IntegrityError:
            return False

    def forget_nonces(self, now: dt.datetime) -> int:
        """Drop nonces too old to matter: a request signed that long ago fails the timestamp check anyway."""
        from kiosk.link.signing import MAX_SKEW

        with self.engine.begin() as conn:
            return conn.execute(
                sa.delete(nonces).where(nonces.c.seen_at < now - dt.timedelta(seconds=2 * MAX_SKEW + 60))
            ).rowcount

    def receive_complaint(self, kiosk_id: str, payload: dict, now: dt.datetime) -> Received:
        """Store a complaint once per (kiosk, uuid); a replay gets the original answer.

        Raises IntakeConflictError if the uuid was received with a different payload.
        """
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = {
            "kiosk_id": kiosk_id,
            "uuid": payload["uuid"],
            "tracking_no": payload["tracking_no"],
            "person_key": payload["person_key"],
            "payload": text,
            "payload_sha256": digest,
            "received_at": now,
            **_case_fields(payload),
        }
        try:
            with self.engine.begin() as conn:
                found = conn.execute(
                    sa.text("SELECT id, village_code FROM persons WHERE person_key = :key"),
                    {"key": payload["person_key"]},
                ).first()
                if found is not None:  # the roster knows this person: the inbox can group by village
                    row.update(person_id=found[0], village_code=found[1])
                conn.execute(sa.insert(complaints).values(**row))
            return Received(payload["uuid"], payload["tracking_no"], now, True)
        except IntegrityError:
            with self.engine.connect() as conn:
                existing = _row(
                    conn.execute(
                        sa.select(complaints)
                        .where(complaints.c.kiosk_id == kiosk_id)
                        .where(complaints.c.uuid == payload["uuid"])
                    )
                    .mappings()
                    .first()
                )
            if existing is None:
                raise
            if existing["payload_sha256"] != digest:
                raise IntakeConflictError(payload["uuid"]) from None
            return Received(existing["uuid"], existing["tracking_no"], existing["received_at"], False)

    def withdraw_complaint(self, kiosk_id: str, uuid: str, at: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    sa.update(complaints)
                    .where(complaints.c.kiosk_id == kiosk_id)
                    .where(complaints.c.uuid == uuid)
                    .where(complaints.c.withdrawn_at.is_(None))
                    .values(withdrawn_at=at)
                ).rowcount
                == 1
            )

    def complaint(self, kiosk_id: str, uuid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(complaints)
                    .where(complaints.c.kiosk_id == kiosk_id)
                    .where(complaints.c.uuid == uuid)
                )
                .mappings()
                .first()
            )
        return _row(row)

    def complaint_by_id(self, complaint_id: int) -> dict | None:
        with self.engine.connect() as conn:
            return _row(
                conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).mappings().first()
            )

    def record_audit(self, actor: str, action: str, subject: str, outcome: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(audit).values(at=now, actor=actor, action=action, subject=subject, outcome=outcome)
            )

    def audit_page(self, offset: int, limit: int, actor: str = "") -> tuple[list[dict], int]:
        """Newest first, optionally one actor's; and how many entries there are in all."""
        where = [audit.c.actor == actor] if actor else []
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit).where(*where)).scalar_one()
            rows = conn.execute(
                sa.select(audit).where(*where).order_by(audit.c.id.desc()).offset(offset).limit(limit)
            ).mappings()
            return [_row(r) for r in rows], total  # type: ignore[misc]

    def audit_entries(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(audit).order_by(audit.c.id)).mappings()]  # type: ignore[misc]

    def count_complaints(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(complaints)).scalar_one()

    def last_heartbeat(self, kiosk_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return _row(
                conn.execute(sa.select(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id))
                .mappings()
                .first()
            )

    def heartbeat(self, kiosk_id: str, status: dict, now: dt.datetime) -> None:
        """Keep the kiosk's latest status, and count the beat in its hour (for uptime and card reads a day)."""
        text = json.dumps(status, sort_keys=True)
        hour = now.replace(minute=0, second=0, microsecond=0)
        reads = _count(status.get("card_reads_today"))
        backlog = _count(status.get("outbox_backlog"))
        with self.engine.begin() as conn:
            if not conn.execute(
                sa.update(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id).values(at=now, status=text)
            ).rowcount:
                conn.execute(sa.insert(heartbeats).values(kiosk_id=kiosk_id, at=now, status=text))
            h = heartbeat_hours.c
            if not conn.execute(
                sa.update(heartbeat_hours)
                .where(h.kiosk_id == kiosk_id, h.hour == hour)
                .values(
                    beats=h.beats + 1,
                    card_reads=sa.func.max(h.card_reads, reads)
                    if conn.dialect.name == "sqlite"
                    else sa.func.greatest(h.card_reads, reads),
                    backlog=backlog,
                )
            ).rowcount:
                conn.execute(
                    sa.insert(heartbeat_hours).values(
                        kiosk_id=kiosk_id, hour=hour, beats=1, card_reads=reads, backlog=backlog
                    )
                )


def _count(value: object) -> int:
    """A non-negative count reported by a kiosk; anything else counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else 0
