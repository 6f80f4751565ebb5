"""Many documents analysed at once, in worker processes: one per core, up to `MOST`.

A document's claims depend on its text alone, so each worker runs the whole engine on
whole documents and sends back only their claims. The workers are forked from this
process once its parser is loaded (they share it and pay no start-up) and end with their
batch. A batch runs while this process goes on (storing the batch before, fetching the
next), and only one runs at a time. A batch with little to parse stays in this process:
a fork and the hand-over cost more than a few dozen sentences do.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.pool import AsyncResult, Pool
from typing import TYPE_CHECKING

from monitor.models import Claim

if TYPE_CHECKING:
    from monitor.engine import Engine

MOST = 4  # workers: each holds its own parse buffers and caches
MIN_SENTENCES = 60  # to parse in a batch before it goes to workers (a fork costs ~35 ms)
CHUNK = 50  # documents a worker parses at once (their parses are held until read)
_engine: Engine | None = None  # the engine the forked workers run


def workers() -> int:
    """How many workers a batch would use here (1: this process alone)."""
    return min(MOST, len(os.sched_getaffinity(0)))


class Batch:
    """Texts being read by forked workers; `claims` waits for them and ends the workers."""

    def __init__(self, engine: Engine, texts: list[str]) -> None:
        global _engine
        engine.warm()  # loaded once here, shared by every worker
        _engine = engine
        count = workers()
        self.texts = texts
        self._pool: Pool | None = multiprocessing.get_context("fork").Pool(
            count, initializer=_quiet
        )
        size = min(CHUNK, max(1, len(texts) // (count * 4)))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        self._found: AsyncResult[list[list[list[Claim]]]] = self._pool.map_async(
            _claims, chunks, chunksize=1
        )

    def claims(self) -> dict[str, list[Claim]]:
        """Each text's claims, once every worker is done (and gone). Nothing if a text
        failed to read: each is then read when asked for, and the one at fault fails on its own."""
        try:
            found = [claims for chunk in self._found.get() for claims in chunk]
        except Exception:
            return {}
        finally:
            self.close()
        return dict(zip(self.texts, found, strict=True))

    def close(self) -> None:
        """End the workers, done or not."""
        global _engine
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool, _engine = None, None


def _quiet() -> None:
    """A worker leaves signals to its parent, which ends the pool on Ctrl-C or shutdown;
    a handler inherited from a daemon would otherwise keep it alive on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _claims(texts: list[str]) -> list[list[Claim]]:
    assert _engine is not None
    return _engine.read_many(texts)
