"""Keeping the database healthy over months: health figures, retention, vacuum, backup."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.errors import StorageError
from monitor.storage import Connection, transaction


def health(db: Connection, path: Path | str | None, now: datetime) -> dict[str, Any]:
    """Figures for `monitor status`; `healthy` is False when something needs a person."""

    def one(sql: str) -> Any:
        return db.execute(sql).fetchone()[0]

    deliveries = dict(
        db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall()
    )
    failing = [
        {"id": r[0], "url": r[1], "failures": r[2], "error": r[3]}
        for r in db.execute(
            "SELECT id, locator, consecutive_failures, last_error FROM sources "
            "WHERE failing_since IS NOT NULL ORDER BY id"
        ).fetchall()
    ]
    from monitor.storage import sources

    claims = [
        {k: c[k] for k in ("holder", "sources", "since", "until", "stale")}
        for c in sources.claims(db, now)
    ]
    figures = {
        "documents": one("SELECT COUNT(*) FROM documents"),
        "versions": one("SELECT COUNT(*) FROM versions"),
        "shifts": one("SELECT COUNT(*) FROM shifts"),
        "sources": one("SELECT COUNT(*) FROM sources"),
        "failing_sources": failing,
        # A delivery being sent (or left by a killed worker until its lease ends) is backlog.
        "outbox_pending": deliveries.get("pending", 0) + deliveries.get("sending", 0),
        "outbox_failed": deliveries.get("failed", 0),
        "dead_letters": deliveries.get("dead", 0),
        "last_round": one("SELECT MAX(last_check_at) FROM sources"),
        "claims": claims,
        "database_bytes": _size(db, path),
        "integrity": "not checked",
        "checked_at": now.isoformat(),
    }
    stale = any(c["stale"] for c in claims)
    figures["healthy"] = not failing and not figures["dead_letters"] and not stale
    return figures


def integrity(db: Connection) -> str:
    """SQLite's quick_check; on PostgreSQL, "ok" unless the server counted checksum failures."""
    if db.dialect == "sqlite":
        return str(db.execute("PRAGMA quick_check").fetchone()[0])
    (failures,) = db.execute(
        "SELECT COALESCE(SUM(checksum_failures), 0) FROM pg_stat_database "
        "WHERE datname = current_database()"
    ).fetchone()
    return "ok" if not failures else f"{failures} checksum failures"


def _size(db: Connection, path: Path | str | None) -> int:
    if db.dialect == "postgresql":
        return int(db.execute("SELECT pg_database_size(current_database())").fetchone()[0])
    if path is None:
        return 0
    path = Path(path)
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def gc(db: Connection, keep: int) -> int:
    """Delete all but the `keep` newest versions of each document (never the current one)."""
    if keep < 1:
        raise StorageError("--keep must be at least 1: a document needs its current version")
    with transaction(db):
        cursor = db.execute(
            """DELETE FROM versions WHERE id IN (
                   SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id
                   WHERE v.id != d.current_version_id
                     AND (SELECT COUNT(*) FROM versions n
                          WHERE n.document_id = v.document_id AND n.id > v.id) >= ?)""",
            [keep],
        )
    return cursor.rowcount


def vacuum(db: Connection) -> None:
    """Give freed pages back to the file system and refresh the query planner's statistics."""
    if db.dialect == "postgresql":
        db.execute("VACUUM ANALYZE")
        return
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("ANALYZE")


def backup(db: Connection, target: Path) -> int:
    """Copy the live database into a new SQLite file; safe while daemons write. A SQLite
    database goes through SQLite's online backup API, a PostgreSQL one through `copy`
    (one consistent snapshot, checked against counts and hashes)."""
    if target.exists():
        raise StorageError(f"{target} exists; choose a new file for the backup")
    if not target.parent.is_dir():  # written only where the user pointed: no new folders
        raise StorageError(f"cannot write {target}: no folder {target.parent}")
    if db.dialect != "sqlite":
        from monitor.storage import connect, copy

        copied = connect(target)
        try:
            copy.copy(db, copied, force=False)
        except BaseException:
            copied.close()
            target.unlink(missing_ok=True)
            raise
        copied.close()
        return target.stat().st_size
    try:
        with sqlite3.connect(target) as into:
            db.raw.backup(into, pages=1024)
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        raise StorageError(f"backup to {target} failed: {exc}") from exc
    return target.stat().st_size
