"""The kiosk store's schema, as numbered migrations: each runs once, in order, in its own transaction.

PRAGMA user_version records how far a file has come; a file from a newer program is refused rather
than guessed at. A migration is never edited after release, only followed by a new one.
"""

from __future__ import annotations

SCHEMA_VERSION = 15

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE villages (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        township TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE programmes (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        department TEXT NOT NULL,
        period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'semester', 'year'))
    );
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        id_number TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
        name TEXT NOT NULL,
        gender TEXT NOT NULL CHECK (gender IN ('M', 'F')),
        birth_on TEXT NOT NULL,
        village_code TEXT REFERENCES villages(code),
        household TEXT NOT NULL DEFAULT '',
        death_on TEXT
    );
    CREATE INDEX persons_by_household ON persons(household);
    CREATE TABLE accounts (
        account TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        PRIMARY KEY (account, person_id)
    );
    CREATE TABLE enrolments (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        programme TEXT NOT NULL REFERENCES programmes(code),
        category TEXT,
        quantity TEXT,
        start_on TEXT NOT NULL,
        end_on TEXT,
        CHECK (end_on IS NULL OR end_on >= start_on)
    );
    CREATE INDEX enrolments_by_person ON enrolments(person_id);
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        programme TEXT NOT NULL REFERENCES programmes(code),
        period TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        paid_on TEXT NOT NULL,
        account TEXT NOT NULL DEFAULT '',
        batch TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX payments_by_person ON payments(person_id);
    CREATE TABLE demo_cards (
        position INTEGER PRIMARY KEY,
        id_number TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
    2: """
    ALTER TABLE demo_cards ADD COLUMN kind TEXT NOT NULL DEFAULT 'ssse';
    CREATE INDEX accounts_by_person ON accounts(person_id);
    """,
    3: """
    CREATE UNIQUE INDEX payments_natural ON payments(person_id, programme, period, batch, amount_fen, paid_on);
    CREATE UNIQUE INDEX enrolments_natural ON enrolments(person_id, programme, start_on);
    CREATE TABLE import_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_imported INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL,
        rows_skipped INTEGER NOT NULL,
        skipped TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE policies (
        code TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        source TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    """,
    4: """
    ALTER TABLE payments ADD COLUMN import_id INTEGER REFERENCES import_log(id);
    ALTER TABLE payments ADD COLUMN source_row INTEGER;
    """,
    5: """
    CREATE TABLE complaints (
        uuid TEXT PRIMARY KEY,
        tracking_no TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        person_key TEXT NOT NULL,
        masked_id TEXT NOT NULL,
        programme TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL,
        created_at TEXT NOT NULL,
        withdrawn_at TEXT
    );
    CREATE INDEX complaints_by_person ON complaints(person_key);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        complaint_uuid TEXT NOT NULL REFERENCES complaints(uuid),
        kind TEXT NOT NULL CHECK (kind IN ('submit', 'withdraw')),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        UNIQUE (complaint_uuid, kind)
    );
    CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);
    CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
        BEGIN SELECT RAISE(ABORT, 'complaints are never deleted'); END;
    """,
    6: """
    ALTER TABLE complaints ADD COLUMN hub_status TEXT NOT NULL DEFAULT '';
    ALTER TABLE complaints ADD COLUMN replies TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE complaints ADD COLUMN checked_at TEXT;
    """,
    7: """
    ALTER TABLE complaints ADD COLUMN hub_words TEXT NOT NULL DEFAULT '';
    ALTER TABLE complaints ADD COLUMN may_reopen INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE outbox_v7 (
        id INTEGER PRIMARY KEY,
        complaint_uuid TEXT NOT NULL REFERENCES complaints(uuid),
        kind TEXT NOT NULL CHECK (kind IN ('submit', 'withdraw', 'reopen')),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO outbox_v7 SELECT id, complaint_uuid, kind, payload, created_at, attempts, next_attempt_at,
        delivered_at, last_error FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v7 RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_once ON outbox(complaint_uuid, kind) WHERE kind IN ('submit', 'withdraw');
    CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);
    CREATE TABLE card_reads (day TEXT PRIMARY KEY, reads INTEGER NOT NULL);
    """,
    8: """
    ALTER TABLE complaints ADD COLUMN hub_outcome TEXT NOT NULL DEFAULT '';
    ALTER TABLE complaints ADD COLUMN hub_due_at TEXT;
    """,
    9: """
    CREATE TABLE staff (
        name TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        badge_kind TEXT NOT NULL CHECK (badge_kind IN ('id', 'chip')),
        badge_key TEXT NOT NULL UNIQUE,
        pin_hash TEXT NOT NULL,
        failed_pins INTEGER NOT NULL DEFAULT 0,
        locked_at TEXT,
        disabled_at TEXT,
        source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'hub')),
        created_at TEXT NOT NULL
    );
    """,
    10: """
    ALTER TABLE staff ADD COLUMN hub_version INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE staff_lookups (
        uuid TEXT PRIMARY KEY,
        staff_name TEXT NOT NULL,
        staff_title TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL CHECK (reason IN ('card_lost', 'card_broken', 'unreadable', 'for_elder')),
        masked_id TEXT NOT NULL,
        person_key TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('found', 'not_on_roster', 'refused')),
        at TEXT NOT NULL,
        noticed_at TEXT,
        delivered_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX staff_lookups_by_person ON staff_lookups(person_key, noticed_at);
    CREATE INDEX staff_lookups_by_staff ON staff_lookups(staff_name, at);
    CREATE INDEX staff_lookups_pending ON staff_lookups(delivered_at, next_attempt_at);
    """,
    11: """
    ALTER TABLE accounts ADD COLUMN registered INTEGER NOT NULL DEFAULT 0;
    """,
    12: """
    CREATE TABLE households (
        village_code TEXT NOT NULL REFERENCES villages(code),
        number TEXT NOT NULL,
        head_person_id INTEGER NOT NULL REFERENCES persons(id),
        PRIMARY KEY (village_code, number)
    );
    CREATE TABLE household_incomes (
        village_code TEXT NOT NULL,
        number TEXT NOT NULL,
        verified_on TEXT NOT NULL,
        per_capita_fen INTEGER NOT NULL CHECK (per_capita_fen >= 0),
        PRIMARY KEY (village_code, number, verified_on),
        FOREIGN KEY (village_code, number) REFERENCES households(village_code, number)
    );
    CREATE INDEX persons_by_village_household ON persons(village_code, household);
    """,
    13: """
    CREATE TABLE registers (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('death', 'official', 'kin', 'vehicle', 'property', 'business',
            'enterprise_pension')),
        id_number TEXT NOT NULL,
        name TEXT NOT NULL,
        on_date TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        amount TEXT NOT NULL DEFAULT '',
        related_id_number TEXT NOT NULL DEFAULT '',
        relationship TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        import_id INTEGER REFERENCES import_log(id),
        UNIQUE (kind, id_number, on_date, detail, related_id_number)
    );
    CREATE INDEX registers_by_person ON registers(id_number, kind);
    CREATE INDEX registers_by_related ON registers(related_id_number, kind);
    """,
    14: """
    ALTER TABLE enrolments ADD COLUMN approver TEXT NOT NULL DEFAULT '';
    ALTER TABLE payments ADD COLUMN operator TEXT NOT NULL DEFAULT '';
    """,
    15: """
    ALTER TABLE payments ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
    """,
}
