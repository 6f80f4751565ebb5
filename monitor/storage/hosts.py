"""Per-host politeness that holds across every daemon on one database.

`reserve` books a host's next start time in one statement (start = the later of now and
the booked time; the booked time moves on by `delay`), so requests from all daemons
together start at least `delay` apart. `take` holds one of a host's `limit` slots, named
by its holder and with an expiry that the live holder renews with its claims (a daemon
that dies frees its slots at once when it is known dead, else when they expire); `free`
gives slots back. Times are epoch seconds: daemons on several machines need clocks kept
in step (NTP), as claim expiries do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from monitor.holder import Holder
from monitor.storage import Connection


def reserve(db: Connection, host: str, delay: float, now: float) -> float:
    """The moment this request to `host` may start (now, or later when others booked it)."""
    (booked,) = db.execute(
        """INSERT INTO hosts (host, next_start_at) VALUES (?, ?)
           ON CONFLICT (host) DO UPDATE SET next_start_at =
               CASE WHEN hosts.next_start_at > ? THEN hosts.next_start_at ELSE ? END + ?
           RETURNING next_start_at""",
        [host, now + delay, now, now, delay],
    ).fetchone()
    return float(booked) - delay


def prepare(db: Connection, names: Collection[str], limit: int) -> None:
    """Make sure each host has its `limit` slots, and give back those of holders known to
    have died (once per host and round is enough; a round does a batch of hosts at once)."""
    if not names:
        return
    db.executemany(
        "INSERT INTO host_slots (host, slot) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(host, slot) for host in names for slot in range(1, limit + 1)],
    )
    held = db.execute(
        "SELECT DISTINCT host, holder FROM host_slots "
        f"WHERE holder IS NOT NULL AND host IN ({', '.join('?' for _ in names)})",
        list(names),
    ).fetchall()
    dead = [(host, name) for host, name in held if (who := Holder.parse(name)) and who.is_dead()]
    db.executemany(
        "UPDATE host_slots SET holder = NULL, held_until = NULL WHERE host = ? AND holder = ?",
        dead,
    )


def take(
    db: Connection, host: str, limit: int, holder: str, now: float, until: float
) -> int | None:
    """One free slot of `host` (of `limit`), held by `holder` until `until`; None when all
    are held."""
    row = db.execute(
        f"""UPDATE host_slots SET holder = ?, held_until = ?
            WHERE host = ? AND slot = (
                SELECT slot FROM host_slots
                 WHERE host = ? AND slot <= ? AND (holder IS NULL OR held_until < ?)
                 ORDER BY slot LIMIT 1{db.skip_locked})
            RETURNING slot""",
        [holder, until, host, host, limit, now],
    ).fetchone()
    return int(row[0]) if row is not None else None


def extend(db: Connection, host: str, slot: int, holder: str, until: float) -> bool:
    """Hold a slot `holder` still holds until `until`; False when it no longer holds it."""
    row = db.execute(
        "UPDATE host_slots SET held_until = ? WHERE host = ? AND slot = ? AND holder = ? "
        "RETURNING slot",
        [until, host, slot, holder],
    ).fetchone()
    return row is not None


def free(db: Connection, holder: str, slots: Iterable[tuple[str, int]]) -> None:
    """Give back these (host, slot) pairs, where `holder` still holds them."""
    db.executemany(
        "UPDATE host_slots SET holder = NULL, held_until = NULL "
        "WHERE host = ? AND slot = ? AND holder = ?",
        [(host, slot, holder) for host, slot in slots],
    )


def free_all(db: Connection, holder: str) -> None:
    """Give back every slot `holder` holds (its round has ended)."""
    db.execute("UPDATE host_slots SET holder = NULL, held_until = NULL WHERE holder = ?", [holder])


def renew(db: Connection, holder: str, until: float) -> None:
    db.execute("UPDATE host_slots SET held_until = ? WHERE holder = ?", [until, holder])
