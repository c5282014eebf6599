"""The hub's database: every table it keeps, the engine for a URL, and bringing a database up to date.

SQLAlchemy Core, so the same code runs on a SQLite file and on PostgreSQL. Tables are
declared here, in one place, on one `MetaData`; the queries live with the module that
owns each concern (kiosks, intake, cases, accounts, stats, roster, publish, evidence).
Schema changes so far only add columns and indexes, which `create_schema` does in place.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlalchemy as sa

from kiosk.core.private_files import ensure_private_file

metadata = sa.MetaData()
log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# -- the counties' roster, filled by publishing each county's validated kiosk store (kiosk.hub.publish) --
# Every roster row carries its county's 6-digit division code: a county's publication replaces its own rows
# only. A person's id at the hub is the county code × 10⁹ + the id in the county's store, so counties
# never collide and the county is known from the id alone (COUNTY_SPAN). On PostgreSQL the ledger is
# partitioned by county: a lookup (its person's county is in its id) and a county's publication each
# touch one partition.
COUNTY_SPAN = 10**9


def county_of_person(person_id: int) -> str:
    """The county a hub person id belongs to (its partition of the ledger)."""
    return f"{person_id // COUNTY_SPAN:06d}"


PersonId = sa.BigInteger().with_variant(sa.Integer, "sqlite")  # SQLite's integers are 64-bit anyway


def county_column() -> sa.Column:
    return sa.Column("county", sa.String(6), nullable=False, server_default="", index=True)


villages = sa.Table(
    "villages",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("township", sa.Text, nullable=False),
    county_column(),
)
programmes = sa.Table(
    "programmes",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("period_kind", sa.String(16), nullable=False),
)
persons = sa.Table(
    "persons",
    metadata,
    sa.Column("id", PersonId, primary_key=True, autoincrement=False),
    sa.Column("id_number", sa.String(18), nullable=False, unique=True),
    sa.Column("person_key", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("gender", sa.String(1), nullable=False),
    sa.Column("birth_on", sa.Date, nullable=False),
    sa.Column("village_code", sa.String(32)),
    sa.Column("household", sa.Text, nullable=False),
    sa.Column("death_on", sa.Date),
    county_column(),
)
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account", sa.String(40), primary_key=True),
    sa.Column("person_id", PersonId, primary_key=True),
    county_column(),
)
enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("person_id", PersonId, nullable=False, index=True),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("category", sa.Text),
    sa.Column("quantity", sa.Text),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("end_on", sa.Date),
    sa.Column("approver", sa.Text, nullable=False, server_default=""),  # who approved it, where the data says
    county_column(),
)
payments = sa.Table(
    "payments",
    metadata,
    sa.Column("person_id", PersonId, nullable=False, index=True),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("account", sa.String(40), nullable=False),
    sa.Column("batch", sa.Text, nullable=False),
    sa.Column("operator", sa.Text, nullable=False, server_default=""),  # who paid it (经办人), where named
    sa.Column(
        "entered_by", sa.Text, nullable=False, server_default=""
    ),  # who entered it (录入人), where named
    sa.Column("county", sa.String(6), nullable=False, server_default=""),  # the partition key
    postgresql_partition_by="LIST (county)",
)
households = sa.Table(  # village + 户号, its head; filled by publishing like the rest of the roster
    "households",
    metadata,
    sa.Column("village_code", sa.String(32), primary_key=True),
    sa.Column("number", sa.String(64), primary_key=True),
    sa.Column("head_person_id", PersonId, nullable=False),
    county_column(),
)
household_incomes = sa.Table(
    "household_incomes",
    metadata,
    sa.Column("village_code", sa.String(32), primary_key=True),
    sa.Column("number", sa.String(64), primary_key=True),
    sa.Column("verified_on", sa.Date, primary_key=True),
    sa.Column("per_capita_fen", sa.BigInteger, nullable=False),
    county_column(),
)
sa.Index("persons_by_village_household", persons.c.village_code, persons.c.household)
policies = sa.Table(  # each county's own rules: two counties' 低保 standards differ
    "policies",
    metadata,
    sa.Column("county", sa.String(6), primary_key=True, server_default=""),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)
publications = sa.Table(
    "roster_publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("persons", sa.Integer, nullable=False),
    sa.Column("payments", sa.BigInteger, nullable=False),
    sa.Column("data_date", sa.Date),  # the published ledger's latest payment: what kiosks show as 数据更新至
    sa.Column("county", sa.String(6), nullable=False, server_default=""),  # the county it replaced
    sa.Column("kind", sa.String(16), nullable=False, server_default="full"),  # full | increment
)

regions = sa.Table(  # the administrative hierarchy, by official division code (kiosk.hub.regions)
    "regions",
    metadata,
    sa.Column("code", sa.String(12), primary_key=True),  # 12-digit code less its trailing zero groups
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),  # province | prefecture | county | township | village
    sa.Column("parent", sa.String(12), nullable=False, server_default="", index=True),
)


def region_column() -> sa.Column:
    """Where a row belongs: a region code ('' = the whole hub), see kiosk.hub.regions."""
    return sa.Column("region", sa.String(12), nullable=False, server_default="")


check_findings = sa.Table(  # the supervision checks run over the published roster, counted for the dashboard
    "check_findings",
    metadata,
    sa.Column("check_code", sa.String(32), nullable=False),
    sa.Column("village", sa.Text, nullable=False),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    county_column(),
    region_column(),  # the village's code, where the finding names one of the roster's villages
)


# -- kiosks, complaints and the back office ------------------------------------------------------------
kiosks = sa.Table(
    "kiosks",
    metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("secret", sa.Text, nullable=False),  # sealed (kiosk.hub.sealing)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("township", sa.String(64)),  # where it stands (`--register ID --township NAME`): staff scoping
    sa.Column("clock_skew_seconds", sa.Integer),  # its clock minus ours, when over a minute (fleet page)
    sa.Column("clock_seen_at", sa.DateTime(timezone=True)),
    region_column(),  # its township's (or village's) code: fleet rollups and scoping
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
    sa.Column("person_id", PersonId),
    sa.Column("department", sa.String(64)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("first_answer_at", sa.DateTime(timezone=True)),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(16)),
    sa.Column("recovered_fen", sa.BigInteger),  # money recovered, as the answer records it
    sa.Column(
        "at_stake_fen", sa.BigInteger
    ),  # the money it is about, from its evidence (patterns weigh by it)
    sa.Column("promised_batch", sa.String(64)),  # 属实已解决 promising a payment: its batch, or …
    sa.Column("promised_by", sa.Date),  # … the day it is paid by; pending_payment until the ledger shows it
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),  # when a publication's ledger showed it
    sa.Column("reopened", sa.Integer, nullable=False, server_default="0"),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    sa.Column("county", sa.String(6), nullable=False, server_default=""),  # the person's county, at intake
    region_column(),  # the person's village, else the kiosk's region, else the county
    sa.UniqueConstraint("kiosk_id", "uuid", name="complaints_kiosk_uuid"),
    sa.Index("complaints_by_received", "received_at"),
    sa.Index("complaints_by_county", "county", "received_at"),
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
    region_column(),  # what the account sees: its region and everything within it ('' = all)
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("totp_secret", sa.Text),  # sealed (kiosk.hub.sealing)
    sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),  # password attempts not yet right
    sa.Column(
        "totp_failures", sa.Integer, nullable=False, server_default="0"
    ),  # codes: only a right code resets
    sa.Column(
        "locked_until", sa.DateTime(timezone=True)
    ),  # sign-in paused until then (backoff, not for good)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
    sa.Column(
        "notice", sa.Text, nullable=False, server_default=""
    ),  # shown to the holder at their next pages
)
password_resets = (
    sa.Table(  # a one-time token the holder turns into a new password; some need a second person
        "password_resets",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_second_factor", sa.Boolean, nullable=False),  # the phone was lost: enrol TOTP again
        sa.Column("needs_approval", sa.Boolean, nullable=False),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
    )
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
lookup_days = (
    sa.Table(  # a kiosk's lookups per (China) day and in its current hour: its limits, and the fleet page
        "lookup_days",
        metadata,
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("lookups", sa.Integer, nullable=False),
        sa.Column("not_found", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),  # the hour `hour_lookups` counts
        sa.Column("hour_lookups", sa.Integer, nullable=False),
    )
)
lookup_log = sa.Table(  # every lookup and account resolution a kiosk asked for: who, when, whom, how it ended
    "lookup_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kiosk_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # id_number | token | account
    sa.Column("person_id", PersonId),
    sa.Column("outcome", sa.String(16), nullable=False),  # found | not_found | refused
)
resolve_tokens = (
    sa.Table(  # a bank card's account, resolved for one kiosk for a few minutes: never an ID number
        "resolve_tokens",
        metadata,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("person_id", PersonId, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
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

# -- clinic staff: accounts the administrator keeps, handed to kiosks by their pull; the lookups they made --
staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("title", sa.String(40), nullable=False, server_default=""),
    sa.Column("badge_kind", sa.String(8), nullable=False),  # id | chip
    sa.Column("badge_key", sa.String(64), nullable=False, unique=True),  # keyed hash, never the number
    sa.Column("pin_hash", sa.Text, nullable=False),  # argon2id
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # +1 on a PIN reset: kiosks unlock
    sa.Column("kiosks", sa.Text, nullable=False, server_default=""),  # kiosk ids, comma-separated
    sa.Column(
        "townships", sa.Text, nullable=False, server_default=""
    ),  # townships, comma-separated; both "": every kiosk in its region
    region_column(),  # the administrator's region that created it: its kiosks lie within it
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
)
staff_lookups = sa.Table(  # a resident looked up at a kiosk by an ID number a helper typed (never the number)
    "staff_lookups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("uuid", sa.String(36), nullable=False),
    sa.Column("staff_name", sa.String(40), nullable=False),
    sa.Column("staff_title", sa.String(40), nullable=False, server_default=""),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("masked_id", sa.String(18), nullable=False),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("kiosk_id", "uuid", name="staff_lookups_once"),
    sa.Index("staff_lookups_by_staff", "staff_name", "at"),
    sa.Index("staff_lookups_by_person", "person_key"),
)

heartbeats = sa.Table(
    "heartbeats",
    metadata,
    sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.kiosk_id"), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
)


def reconnecting(read: Callable[P, R]) -> Callable[P, R]:
    """Run `read` again, once, if its connection turned out dead (the database restarted): safe for reads and
    single idempotent statements, which is all it wraps."""

    @functools.wraps(read)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return read(*args, **kwargs)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("database connection lost; retrying on a fresh one")
            return read(*args, **kwargs)

    return wrapper


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Times are stored in UTC; SQLite returns them without their zone, PostgreSQL with it."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def as_dict(row: sa.RowMapping | None) -> dict | None:
    """A result row as a dict, its times in UTC."""
    if row is None:
        return None
    return {
        key: as_utc(value) if isinstance(value, dt.datetime) else value for key, value in dict(row).items()
    }


def engine_for(url: str) -> sa.Engine:
    """A SQLAlchemy engine for a `postgresql://…` URL or a SQLite file path."""
    if "://" not in url:
        ensure_private_file(Path(url))  # kiosk secrets, sessions, complaints: owner-only
        url = f"sqlite:///{url}"
    elif url.startswith(("postgresql://", "postgres://")):  # psycopg 3, not SQLAlchemy's psycopg2 default
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    # No ping before each use (a round trip that cost a quarter of a lookup's time): a connection the server
    # dropped fails once, SQLAlchemy then discards the whole pool, and the hot reads retry (`reconnecting`).
    # No server-side prepared statements either (psycopg prepares a query after its fifth use): they are
    # the one session state the hub would keep, and behind PgBouncer in transaction mode the next
    # transaction may run on another server connection that never saw them.
    connect_args = {"prepare_threshold": None} if url.startswith("postgresql+psycopg://") else {}
    engine = sa.create_engine(url, pool_pre_ping=False, pool_recycle=1800, connect_args=connect_args)
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
    with engine.begin() as conn:
        inspector = sa.inspect(conn)  # on this connection: a second one would wait on a pool of one
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


FIGURE_COLUMNS = (  # what the dashboard, fleet and report count: kept in the index beside the keys
    "region", "village_code", "programme", "category", "status", "department", "withdrawn_at",
    "closed_at", "due_at", "first_answer_at", "answered_at", "at_stake_fen", "recovered_fen",
)  # fmt: skip


def _add_figures_index(engine: sa.Engine) -> None:
    """A covering index for the figures (PostgreSQL): a region's counts are read from the index alone —
    50 MB at 400,000 complaints instead of the 570 MB table with its payloads — which took the
    prefecture's dashboard queries from ~1.3 s to ~0.8 s one after another."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE INDEX IF NOT EXISTS complaints_figures ON complaints (county, received_at) "
                f"INCLUDE ({', '.join(FIGURE_COLUMNS)})"
            )
        )


WIDENED = (  # person ids became county × 10⁹ + local id: 64-bit on PostgreSQL
    ("persons", "id"),
    ("accounts", "person_id"),
    ("enrolments", "person_id"),
    ("households", "head_person_id"),
    ("complaints", "person_id"),
    ("lookup_log", "person_id"),
    ("resolve_tokens", "person_id"),
)


def _partition_the_ledger(engine: sa.Engine) -> None:
    """A hub from before partitions: its ledger table is moved aside, to be copied into the partitioned one
    (as county '', the default partition, which the next publication of the county replaces)."""
    with engine.begin() as conn:
        kind = conn.execute(
            sa.text(
                "SELECT relkind FROM pg_class WHERE relname = 'payments' AND relnamespace = 'public'::regnamespace"
            )
        ).scalar()
        if kind == "r":
            conn.execute(sa.text("ALTER TABLE payments RENAME TO payments_unpartitioned"))
            conn.execute(
                sa.text(
                    "ALTER INDEX IF EXISTS ix_payments_person_id RENAME TO ix_payments_unpartitioned_person_id"
                )
            )


def _after_partitions(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS payments_default PARTITION OF payments DEFAULT"))
        old = conn.execute(sa.text("SELECT to_regclass('public.payments_unpartitioned')")).scalar()
        if old is not None:
            present = set(
                conn.execute(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = 'payments_unpartitioned'"
                    )
                ).scalars()
            )
            names = ", ".join(c.name for c in payments.columns if c.name in present and c.name != "county")
            copy = f"INSERT INTO payments ({names}) SELECT {names} FROM payments_unpartitioned"  # noqa: S608 (fixed names)
            conn.execute(sa.text(copy))
            conn.execute(sa.text("DROP TABLE payments_unpartitioned"))
        for table, column in WIDENED:
            kind = conn.execute(
                sa.text(
                    "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = :t AND column_name = :c"
                ),
                {"t": table, "c": column},
            ).scalar()
            if kind == "integer":
                conn.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint"))
        kind = conn.execute(
            sa.text(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = 'payments' AND column_name = 'person_id'"
            )
        ).scalar()
        if kind == "integer":
            conn.execute(sa.text("ALTER TABLE payments ALTER COLUMN person_id TYPE bigint"))


def county_partition(conn: sa.Connection, county: str) -> None:
    """The county's own partition of the ledger (PostgreSQL), made at its first publication."""
    if conn.dialect.name != "postgresql":
        return
    if not (len(county) == 6 and county.isdigit()):
        raise ValueError(f"a county is its 6-digit division code, not {county!r}")
    conn.execute(
        sa.text(
            f"CREATE TABLE IF NOT EXISTS payments_{county} PARTITION OF payments FOR VALUES IN ('{county}')"
        )
    )


def _policies_by_county(engine: sa.Engine) -> None:
    """A hub from before counties keyed its policy files by programme alone: that table is derived (each
    publication rewrites it), so it is made again, keyed by county, and refilled by the next publication."""
    inspector = sa.inspect(engine)
    if "policies" in inspector.get_table_names() and "county" not in {
        column["name"] for column in inspector.get_columns("policies")
    }:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE policies"))


def create_schema(engine: sa.Engine) -> None:
    """Create what is missing: tables, columns added since, indexes (and the inbox's trigram index); on
    PostgreSQL the ledger's partitions, and a ledger from before them moved in."""
    if engine.dialect.name == "postgresql":
        _partition_the_ledger(engine)
    _policies_by_county(engine)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    if engine.dialect.name == "postgresql":
        _after_partitions(engine)
    if engine.dialect.name == "postgresql":  # sealed secrets are longer than the columns once were
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE kiosks ALTER COLUMN secret TYPE text"))
            conn.execute(sa.text("ALTER TABLE users ALTER COLUMN totp_secret TYPE text"))
    if engine.dialect.name == "postgresql":
        _add_text_search_index(engine)
        _add_figures_index(engine)
