"""Watched sources: URLs and feeds, their schedule, validators, failures and claims.

Checking is claim-then-work: `claim` marks a batch of sources with an owner and a lease
in one statement, so two processes (two daemons, or a daemon and `monitor check`) never
fetch the same source at once; `record` writes results back and clears the claim. The
owner names its process (`monitor.holder`), so the claims of a process that died are
given back at the next claim instead of blocking their sources until the lease ends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from monitor.errors import ConfigError, NotFoundError
from monitor.holder import Holder
from monitor.storage import Connection, IntegrityError, query, transaction

Row = dict[str, Any]

# The columns a check may change; `record` writes exactly these.
RESULT_COLUMNS = (
    "etag",
    "last_modified",
    "body_hash",
    "consecutive_failures",
    "failing_since",
    "last_error",
    "last_outcome",
    "last_detail",
    "text_length",
    "last_check_at",
    "last_change_at",
    "next_check_at",
)


# What a user sets on a watch; `add` and `edit` write exactly these.
SETTING_COLUMNS = (
    "interval_s",
    "filters",
    "name",
    "tags",
    "request",
    "browser",
    "case_sensitive",
    "respect_robots",
    "fail_after",
)
# What a feed's articles take over from the feed (its filters apply to each article).
_INHERITED = tuple(column for column in SETTING_COLUMNS if column != "name")


def add(
    db: Connection,
    *,
    kind: str,
    locator: str,
    interval_s: int,
    now: datetime,
    respect_robots: bool = True,
    settings: Mapping[str, Any] | None = None,
) -> int:
    """A new source, due at once; ConfigError when that locator is already watched.

    `settings` holds other SETTING_COLUMNS (filters, name, tags…); the rest have defaults.
    """
    settings = {
        **(settings or {}),
        "interval_s": interval_s,
        "respect_robots": int(respect_robots),
    }
    columns = [c for c in SETTING_COLUMNS if c in settings]
    try:
        with transaction(db):
            cursor = db.execute(
                f"""INSERT INTO sources (kind, locator, {", ".join(columns)},
                       next_check_at, created_at)
                   VALUES (?, ?, {", ".join("?" for _ in columns)}, ?, ?) RETURNING id""",
                [kind, locator, *(settings[c] for c in columns), now.isoformat(), now.isoformat()],
            )
            (source_id,) = cursor.fetchone()
    except IntegrityError:
        existing = by_locator(db, locator)
        raise ConfigError(f"{locator} is already watched (source {existing['id']})") from None
    return int(source_id)


def edit(db: Connection, source_id: int, settings: Mapping[str, Any]) -> Row:
    """Change a source's settings in place (its documents and history stay); the new row.

    Settings a feed's articles inherit are passed on to them too.
    """
    get(db, source_id)
    columns = [c for c in SETTING_COLUMNS if c in settings]
    inherited = [c for c in columns if c in _INHERITED]
    with transaction(db):
        if columns:
            db.execute(
                f"UPDATE sources SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                [*(settings[c] for c in columns), source_id],
            )
        if inherited:
            db.execute(
                f"UPDATE sources SET {', '.join(f'{c} = ?' for c in inherited)} "
                "WHERE parent_id = ?",
                [*(settings[c] for c in inherited), source_id],
            )
    return get(db, source_id)


def add_children(db: Connection, parent: Row, urls: Iterable[str], *, now: datetime) -> list[int]:
    """Article sources found in a feed; ones already watched are left alone. New ids."""
    added = []
    for url in urls:
        cursor = db.execute(
            f"""INSERT INTO sources (kind, locator, {", ".join(_INHERITED)},
                   parent_id, next_check_at, created_at)
               VALUES ('url', ?, {", ".join("?" for _ in _INHERITED)}, ?, ?, ?)
               ON CONFLICT DO NOTHING RETURNING id""",
            [
                url,
                *(parent[c] for c in _INHERITED),
                parent["id"],
                now.isoformat(),
                now.isoformat(),
            ],
        )
        if (row := cursor.fetchone()) is not None:
            added.append(int(row[0]))
    return added


def by_locator(db: Connection, locator: str) -> Row:
    rows = list(query(db, "SELECT * FROM sources WHERE locator = ?", [locator]))
    if not rows:
        raise NotFoundError(f"no source {locator!r}")
    return rows[0]


def get(db: Connection, source_id: int) -> Row:
    rows = list(query(db, "SELECT * FROM sources WHERE id = ?", [source_id]))
    if not rows:
        raise NotFoundError(f"no source {source_id}")
    return rows[0]


def tags(db: Connection, source_id: int | None) -> list[str]:
    """A source's tags (none for a document that no source produced)."""
    row = db.execute("SELECT tags FROM sources WHERE id = ?", [source_id]).fetchone()
    return list(json.loads(row[0])) if row else []


def listing(db: Connection) -> list[Row]:
    """Every source, feeds followed by the articles they found."""
    return list(query(db, "SELECT * FROM sources ORDER BY COALESCE(parent_id, id), id"))


def display_state(row: Row) -> str:
    """The state people see, the same in `watch list` and the report: active, paused, or
    failing (active but failing since its last checks)."""
    return "failing" if row["failing_since"] and row["state"] == "active" else str(row["state"])


def remove(db: Connection, source_id: int) -> None:
    """Forget a source (and a feed's articles); the documents it produced stay."""
    get(db, source_id)
    with transaction(db):
        db.execute("DELETE FROM sources WHERE id = ?", [source_id])


def set_state(db: Connection, source_id: int, state: str) -> None:
    get(db, source_id)
    with transaction(db):
        db.execute(
            "UPDATE sources SET state = ? WHERE id = ? OR parent_id = ?",
            [state, source_id, source_id],
        )


def select(
    db: Connection, *, now: datetime, source_id: int | None = None, due_only: bool, limit: int
) -> list[Row]:
    """What a round would check, without claiming it (for dry runs)."""
    where, params = _where(now, source_id, due_only)
    return list(
        query(
            db,
            f"SELECT * FROM sources WHERE {where} ORDER BY next_check_at LIMIT ?",
            [*params, limit],
        )
    )


def claim(
    db: Connection,
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
    source_id: int | None = None,
    due_only: bool,
    limit: int,
) -> list[Row]:
    """Claim up to `limit` sources that nobody else holds, in one atomic statement.

    With `due_only` only sources whose next check has come; otherwise every active one
    (a manual round). A source named by id is claimed whatever its state or schedule.
    """
    where, params = _where(now, source_id, due_only)
    with transaction(db):
        _release_dead(db)
        rows = db.execute(
            f"""UPDATE sources SET claimed_by = ?, claimed_until = ?, claimed_at = ?
                WHERE id IN (SELECT id FROM sources WHERE {where}
                             ORDER BY next_check_at LIMIT ?{db.skip_locked})
                RETURNING *""",
            [owner, lease_until.isoformat(), now.isoformat(), *params, limit],
        )
        columns = [c[0] for c in rows.description]
        return [dict(zip(columns, row, strict=True)) for row in rows.fetchall()]


def _release_dead(db: Connection) -> None:
    """Give back every claim whose holder is known to have died."""
    owners = db.execute(
        "SELECT DISTINCT claimed_by FROM sources WHERE claimed_by IS NOT NULL"
    ).fetchall()
    dead = [[o] for (o,) in owners if _holder_dead(o)]
    db.executemany(
        "UPDATE sources SET claimed_by = NULL, claimed_until = NULL, claimed_at = NULL "
        "WHERE claimed_by = ?",
        dead,
    )


def _holder_dead(owner: str) -> bool:
    holder = Holder.parse(owner)
    return holder is not None and holder.is_dead()


def claims(db: Connection, now: datetime) -> list[Row]:
    """Who holds sources now: one row per holder with its count, since when, until when,
    and whether the claim is stale (its holder died, or its lease ran out)."""
    rows = query(
        db,
        """SELECT claimed_by AS owner, COUNT(*) AS sources, MIN(claimed_at) AS since,
                  MAX(claimed_until) AS until
             FROM sources WHERE claimed_by IS NOT NULL
            GROUP BY claimed_by ORDER BY MIN(claimed_at)""",
    )
    found = []
    for row in rows:
        holder = Holder.parse(row["owner"])
        row["holder"] = holder.describe() if holder else row["owner"]
        row["stale"] = _holder_dead(row["owner"]) or row["until"] < now.isoformat()
        found.append(row)
    return found


def _where(now: datetime, source_id: int | None, due_only: bool) -> tuple[str, list[Any]]:
    free = "(claimed_until IS NULL OR claimed_until < ?)"
    if source_id is not None:
        return f"id = ? AND {free}", [source_id, now.isoformat()]
    if due_only:
        return f"state = 'active' AND next_check_at <= ? AND {free}", [now.isoformat()] * 2
    return f"state = 'active' AND {free}", [now.isoformat()]


def record(db: Connection, owner: str, results: Sequence[Row]) -> None:
    """Write check results (`id` + RESULT_COLUMNS each) and release their claims.

    Call inside the caller's transaction: one commit for a whole batch of results.
    """
    assignments = ", ".join(f"{column} = ?" for column in RESULT_COLUMNS)
    db.executemany(
        f"""UPDATE sources SET {assignments}, claimed_by = NULL, claimed_until = NULL,
                   claimed_at = NULL
            WHERE id = ? AND claimed_by = ?""",
        [[*(r[c] for c in RESULT_COLUMNS), r["id"], owner] for r in results],
    )


def renew(db: Connection, owner: str, lease_until: datetime) -> int:
    """Extend every claim `owner` still holds (a live round keeps what it is checking)."""
    cursor = db.execute(
        "UPDATE sources SET claimed_until = ? WHERE claimed_by = ?",
        [lease_until.isoformat(), owner],
    )
    return cursor.rowcount


def release(db: Connection, owner: str, ids: Sequence[int]) -> None:
    """Give back claimed sources that were not checked (a round stopped early)."""
    with transaction(db):
        db.executemany(
            "UPDATE sources SET claimed_by = NULL, claimed_until = NULL, claimed_at = NULL "
            "WHERE id = ? AND claimed_by = ?",
            [[source_id, owner] for source_id in ids],
        )
