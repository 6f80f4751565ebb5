"""The schema, only ever created or changed here, as one ordered list of migrations.

Each migration runs on SQLite and on PostgreSQL (column types are translated by
`dialect.postgres_ddl`; full-text search differs and is spelled per engine). Applied
steps are recorded in `schema_migrations`; `migrate` takes a database-wide lock first and
applies each pending step in its own transaction, so two daemons starting at once cannot
both migrate. A SQLite file whose steps were recorded by sqlite-utils (`_sqlite_migrations`,
the format before this table) is recognised as it is.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from monitor.storage.dialect import Connection

LEGACY_SET = "narrative-monitor"
MIGRATION_LOCK = 0x6E6D_0001  # advisory lock key: "nm" + 1


def m001_documents(db: Connection) -> None:
    # PostgreSQL checks a reference when it is made: documents -> sources waits for m003.
    source = "REFERENCES sources(id) ON DELETE SET NULL" if db.dialect == "sqlite" else ""
    db.script(
        f"""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            locator TEXT NOT NULL UNIQUE,
            source_id INTEGER {source},
            url TEXT,
            title TEXT,
            outlet TEXT,
            published_at TEXT,
            date_source TEXT,
            first_seen_at TEXT NOT NULL,
            is_baseline INTEGER NOT NULL DEFAULT 0,
            current_version_id INTEGER
        );
        CREATE INDEX documents_published ON documents(published_at);
        CREATE INDEX documents_source ON documents(source_id);

        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            fetched_at TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            text TEXT NOT NULL,
            raw BLOB,
            pipeline_version TEXT NOT NULL,
            UNIQUE (document_id, text_hash)
        );

        CREATE TABLE text_changes (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            from_version INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            to_version INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            added INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            changed INTEGER NOT NULL,
            moved INTEGER NOT NULL,
            significance REAL NOT NULL,
            summary TEXT NOT NULL,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX text_changes_document ON text_changes(document_id);

        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        """
    )
    if db.dialect == "sqlite":  # PostgreSQL's index comes with the current text, in m005
        db.script(
            """
        CREATE VIRTUAL TABLE versions_fts USING fts5(
            text, content='versions', content_rowid='id'
        );
        CREATE TRIGGER versions_ai AFTER INSERT ON versions BEGIN
            INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER versions_ad AFTER DELETE ON versions BEGIN
            INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;

            """
        )


def m002_positions(db: Connection) -> None:
    db.script(
        """
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            issue TEXT NOT NULL,
            stance TEXT NOT NULL,
            score REAL NOT NULL,
            confidence REAL NOT NULL,
            sentence TEXT NOT NULL,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            attribution TEXT NOT NULL,
            cue TEXT NOT NULL
        );
        CREATE INDEX claims_version ON claims(version_id);
        CREATE INDEX claims_actor_issue ON claims(actor, issue);

        CREATE TABLE positions (
            id INTEGER PRIMARY KEY,
            actor TEXT NOT NULL,
            issue TEXT NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            published_at TEXT NOT NULL,
            stance TEXT NOT NULL,
            score REAL NOT NULL,
            confidence REAL NOT NULL,
            evidence TEXT NOT NULL,
            UNIQUE (actor, issue, document_id)
        );
        CREATE INDEX positions_timeline ON positions(actor, issue, published_at);
        CREATE INDEX positions_document ON positions(document_id);

        CREATE TABLE shifts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            actor TEXT NOT NULL,
            issue TEXT NOT NULL,
            from_stance TEXT NOT NULL,
            to_stance TEXT NOT NULL,
            from_document INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            to_document INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            from_date TEXT NOT NULL,
            to_date TEXT NOT NULL,
            from_evidence TEXT NOT NULL,
            to_evidence TEXT NOT NULL,
            status TEXT NOT NULL,
            confidence REAL NOT NULL,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX shifts_actor_issue ON shifts(actor, issue, to_date);
        CREATE INDEX shifts_to_date ON shifts(to_date);
        """
    )


def m003_sources(db: Connection) -> None:
    db.script(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            locator TEXT NOT NULL UNIQUE,
            interval_s INTEGER NOT NULL,
            selector TEXT,
            respect_robots INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL DEFAULT 'active',
            parent_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failing_since TEXT,
            last_error TEXT,
            last_outcome TEXT,
            last_detail TEXT,
            text_length INTEGER,
            last_check_at TEXT,
            last_change_at TEXT,
            next_check_at TEXT NOT NULL,
            claimed_by TEXT,
            claimed_until TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX sources_due ON sources(state, next_check_at);
        CREATE INDEX sources_parent ON sources(parent_id);
        """
    )
    if db.dialect == "postgresql":
        db.script(
            "ALTER TABLE documents ADD FOREIGN KEY (source_id) "
            "REFERENCES sources(id) ON DELETE SET NULL"
        )


def m004_alerts(db: Connection) -> None:
    # A delivery is one event for one channel; its key stays the same across retries so a
    # receiver can drop repeats. `batch_key` names the message it goes out in (a digest
    # groups several); `claim`/`lease_until` mark a worker sending it, and an expired lease
    # means that worker died, so the delivery is sent again with the same keys.
    db.script(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        CREATE TABLE channels (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL,
            kind TEXT NOT NULL,
            filters TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT 'active',
            digest_s INTEGER,
            next_digest_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX channels_target ON channels(target);

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            idempotency_key TEXT NOT NULL UNIQUE,
            batch_key TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claim TEXT,
            lease_until TEXT,
            last_error TEXT,
            delivered_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (event_id, channel_id)
        );
        CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
        CREATE INDEX deliveries_channel ON deliveries(channel_id, status);
        """
    )


def m005_compressed_versions(db: Connection) -> None:
    """Version text is stored zlib-compressed; the full-text index holds each document's
    current text only, maintained by `documents.set_current` (FTS5 without content on
    SQLite, a tsvector with a GIN index on PostgreSQL)."""
    if db.dialect == "sqlite":
        db.script(
            """
            DROP TRIGGER versions_ai;
            DROP TRIGGER versions_ad;
            DROP TABLE versions_fts;
            CREATE VIRTUAL TABLE documents_fts USING fts5(text, content='');
            """
        )
    else:
        db.script(
            """
            CREATE TABLE documents_fts (
                document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
                text tsvector NOT NULL
            );
            CREATE INDEX documents_fts_text ON documents_fts USING GIN (text);
            """
        )
    db.script("ALTER TABLE versions ADD COLUMN text_z BLOB")
    rows = db.execute("SELECT id, text FROM versions").fetchall()
    db.executemany(
        "UPDATE versions SET text_z = ? WHERE id = ?",
        [(zlib.compress(text.encode("utf-8")), version_id) for version_id, text in rows],
    )
    db.script("ALTER TABLE versions DROP COLUMN text")
    current = db.execute(
        "SELECT d.id, v.text_z FROM documents d JOIN versions v ON v.id = d.current_version_id"
    ).fetchall()
    from monitor.storage.search import index

    for document_id, blob in current:
        index(db, document_id, zlib.decompress(blob).decode("utf-8"))


def m006_claim_times(db: Connection) -> None:
    """When a source was claimed, so a round that skips it can say since when."""
    db.script("ALTER TABLE sources ADD COLUMN claimed_at TEXT")


def m007_version_numbers(db: Connection) -> None:
    """Each version keeps the number users see (`DOC@N`, alerts) for good: `gc` deletes old
    versions but never renumbers the rest. Existing versions are numbered in order."""
    db.script(
        """
        ALTER TABLE versions ADD COLUMN number INTEGER;
        UPDATE versions SET number = (
            SELECT COUNT(*) FROM versions earlier
            WHERE earlier.document_id = versions.document_id AND earlier.id <= versions.id
        );
        CREATE UNIQUE INDEX versions_number ON versions(document_id, number);
        """
    )


def m008_watch_settings(db: Connection) -> None:
    """Per-watch filters (an ordered JSON list; the CSS selector becomes its first step),
    name, tags, request headers, browser rendering, case sensitivity and failure threshold."""
    db.script(
        """
        ALTER TABLE sources ADD COLUMN filters TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sources ADD COLUMN name TEXT;
        ALTER TABLE sources ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sources ADD COLUMN request TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sources ADD COLUMN browser INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN case_sensitive INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN fail_after INTEGER;
        """
    )
    db.execute(
        f"UPDATE sources SET filters = {db.json_list_of_object('css', 'selector')} "
        "WHERE selector IS NOT NULL AND selector != ''"
    )
    db.script("ALTER TABLE sources DROP COLUMN selector")


def m009_host_politeness(db: Connection) -> None:
    # Shared by every daemon on the database: when a host may next be asked (epoch seconds)
    # and its request slots, each held by one fetch until it ends or its expiry passes.
    db.script(
        """
        CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            next_start_at REAL NOT NULL
        );
        CREATE TABLE host_slots (
            host TEXT NOT NULL,
            slot INTEGER NOT NULL,
            holder TEXT,
            held_until REAL,
            PRIMARY KEY (host, slot)
        );
        """
    )


def m010_lookup_indexes(db: Connection) -> None:
    """Indexes for two lookups every round makes, which otherwise read whole tables: a new
    document's text among all versions (is it a copy of another?), and who holds claims
    (to give back a dead holder's)."""
    db.script(
        """
        CREATE INDEX versions_text_hash ON versions(text_hash);
        CREATE INDEX sources_claimed_by ON sources(claimed_by) WHERE claimed_by IS NOT NULL;
        """
    )


# When something happened, per table: `timestamptz` on PostgreSQL, ISO-8601 text on SQLite.
TIMESTAMPS = {
    "sources": (
        "failing_since",
        "last_check_at",
        "last_change_at",
        "next_check_at",
        "claimed_until",
        "claimed_at",
        "created_at",
    ),
    "documents": ("first_seen_at",),
    "versions": ("fetched_at",),
    "text_changes": ("detected_at",),
    "shifts": ("detected_at",),
    "events": ("created_at",),
    "channels": ("next_digest_at", "created_at"),
    "deliveries": ("next_attempt_at", "lease_until", "delivered_at", "created_at"),
}


def m011_timestamps(db: Connection) -> None:
    """On PostgreSQL, timestamps become `timestamptz` (compared and indexed as moments, not
    text); the dialect still hands callers the same ISO text. SQLite keeps the text."""
    if db.dialect != "postgresql":
        return
    for table, columns in TIMESTAMPS.items():
        changes = ", ".join(
            f"ALTER COLUMN {column} TYPE timestamptz USING {column}::timestamptz"
            for column in columns
        )
        db.script(f"ALTER TABLE {table} {changes}")


MIGRATIONS = (
    m001_documents,
    m002_positions,
    m003_sources,
    m004_alerts,
    m005_compressed_versions,
    m006_claim_times,
    m007_version_numbers,
    m008_watch_settings,
    m009_host_politeness,
    m010_lookup_indexes,
    m011_timestamps,
)


def applied(db: Connection) -> set[str]:
    """The names of the steps this database has had (none for a new one)."""
    names: set[str] = set()
    if db.table_exists("schema_migrations"):
        names |= {name for (name,) in db.execute("SELECT name FROM schema_migrations")}
    if db.dialect == "sqlite" and db.table_exists("_sqlite_migrations"):
        names |= {
            name
            for (name,) in db.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [LEGACY_SET]
            )
        }
    return names


def pending(db: Connection) -> bool:
    """Whether any migration has still to be applied (one query on an up-to-date database)."""
    try:
        names = applied(db)
    except Exception:  # e.g. a table half-made by a foreign program: migrate reports it
        return True
    return any(step.__name__ not in names for step in MIGRATIONS)


def migrate(db: Connection, stop_before: str | None = None) -> list[str]:
    """Apply the pending migrations in order, each in its own transaction, under a lock
    that a second process starting at the same moment waits for. Returns what it applied."""
    done = []
    with db.exclusive(MIGRATION_LOCK):
        for step in MIGRATIONS:
            if step.__name__ == stop_before:
                break
            with db.transaction():
                db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
                if step.__name__ in applied(db):  # done by whoever held the lock before us
                    continue
                step(db)
                db.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    [step.__name__, datetime.now(UTC).isoformat()],
                )
            done.append(step.__name__)
    return done
