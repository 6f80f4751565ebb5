"""`monitor run`: a thin scheduler shell around `watch.check_round` and alert delivery.

All schedule state lives in the database (each source's `next_check_at`), so a restart
simply resumes. One periodic job picks whatever is due, which scales to thousands of
sources without one scheduler job each. A lock file keeps a second daemon away from the
same database; source claims keep `monitor check` from fetching what a round holds.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO

from apscheduler.schedulers.blocking import BlockingScheduler

from monitor import fetch, pipeline, profile, watch
from monitor.alerts import deliver
from monitor.config import Settings
from monitor.errors import MonitorError, StorageError
from monitor.positions import Engine
from monitor.storage import connect, exists
from monitor.storage.dialect import is_postgres

log = logging.getLogger("monitor.daemon")
MISFIRE_GRACE_S = 300  # a round delayed by up to five minutes still runs, once
ALERT_FLUSH_S = 60


@contextmanager
def single_instance(db_path: Path | str) -> Iterator[None]:
    """Hold `<db>.lock` for as long as the daemon runs; refuse if someone else holds it.

    Only for a SQLite file: on PostgreSQL any number of daemons share the work, each
    holding what it claimed.
    """
    if is_postgres(db_path):
        yield
        return
    lock_path = Path(f"{db_path}.lock")
    try:
        handle: IO[str] = lock_path.open("a+")
    except OSError as exc:  # e.g. left by a daemon started as root, or a folder not ours
        raise StorageError(f"cannot open the lock file {lock_path}: {exc}") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StorageError(
            f"another monitor daemon (pid {holder}) is running on {db_path}"
        ) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


class Daemon:
    """The scheduler, its two jobs, and a stop flag that signals set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self.busy = threading.Lock()  # held while a round runs, so shutdown can wait for it
        self.sending = threading.Lock()  # the same for an alert flush
        self.scheduler = BlockingScheduler(timezone=UTC)
        self.robots = fetch.Robots(settings.user_agent)

    def run(self) -> None:
        with single_instance(self.settings.db), fetch.make_client(self.settings) as client:
            self.client = client
            if not exists(self.settings.db):
                log.info(json.dumps({"event": "created", "db": str(self.settings.db)}))
            self.db = connect(self.settings.db)
            self.alerts_db = connect(self.settings.db)
            self.engine = Engine(profile.load(self.settings.profile))
            pipeline.recompute(self.db, self.engine, datetime.now(UTC))
            self._schedule()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
            log.info(json.dumps({"event": "start", "pid": os.getpid(), "db": self.db.name}))
            self.scheduler.start()
            with self.busy, self.sending:  # let in-flight work record what it did
                self.db.close()
                self.alerts_db.close()
            log.info(json.dumps({"event": "stop", "pid": os.getpid()}))

    def _schedule(self) -> None:
        every = self.settings.tick_interval
        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE_S}
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=every,
            jitter=every / 10,
            next_run_time=datetime.now(UTC),
            id="check",
            **common,
        )
        self.scheduler.add_job(
            self.flush_alerts,
            "interval",
            seconds=ALERT_FLUSH_S,
            jitter=5,
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
            id="alerts",
            **common,
        )

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info(json.dumps({"event": "signal", "signal": signal.Signals(signum).name}))
        self.stop.set()
        if self.scheduler.running:
            # Not from the handler itself: it interrupts the scheduler's own loop, and a
            # shutdown there races the job bookkeeping (JobLookupError). A thread waits for
            # the loop to let go of its job store lock.
            threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": False}).start()

    def tick(self) -> None:
        """One round over the due sources; a failure is logged and the next tick tries again."""
        with self.busy:
            if self.stop.is_set():
                return
            try:
                watch.check_round(
                    self.db,
                    self.client,
                    self.settings,
                    now=datetime.now(UTC),
                    stop=self.stop,
                    robots=self.robots,
                    report=_log_check,
                    engine=lambda: self.engine,
                )
            except (MonitorError, sqlite3.Error) as exc:
                log.error(json.dumps({"event": "round-failed", "error": str(exc)}))

    def flush_alerts(self) -> None:
        """Deliver pending alerts; a failure is logged and the next minute tries again."""
        with self.sending:
            if self.stop.is_set():
                return
            try:
                report = deliver.flush(self.alerts_db, datetime.now(UTC), self.settings)
            except (MonitorError, sqlite3.Error) as exc:
                log.error(json.dumps({"event": "alerts-failed", "error": str(exc)}))
                return
        if report.sent:
            log.info(json.dumps({"event": "alerts", **report.as_dict()}, default=str))


def _log_check(result: watch.CheckResult) -> None:
    line = {
        "event": "check",
        **result.as_dict(),
        "tries": result.tries,
        "ms": round(result.elapsed_s * 1000),
    }
    log.info(json.dumps(line, ensure_ascii=False))


def run(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT; in-flight fetches finish, queued ones are released."""
    Daemon(settings).run()
