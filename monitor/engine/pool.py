"""Many documents analysed at once, in worker processes: one per core, up to `MOST`.

A document's claims depend on its text alone, so each worker runs the whole engine on
whole documents and sends back only their claims. The workers are forked from this
process once its parser is loaded (they share it and pay no start-up) and end with the
batch, so nothing outlives the call. A batch with little to parse stays in this process:
a fork and the hand-over cost more than a few dozen sentences do.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.models import Claim

if TYPE_CHECKING:
    from monitor.engine import Engine

MOST = 4  # workers: each holds its own parse buffers and caches
MIN_SENTENCES = 150  # to parse in a batch before it goes to workers
_engine: Engine | None = None  # the engine the forked workers run


def workers() -> int:
    """How many workers a batch would use here (1: this process alone)."""
    return min(MOST, len(os.sched_getaffinity(0)))


def claims(engine: Engine, texts: Sequence[str]) -> list[list[Claim]]:
    """The claims of each text, in order, computed by forked workers."""
    global _engine
    engine.warm()  # loaded once here, shared by every worker
    _engine = engine
    count = workers()
    try:
        with multiprocessing.get_context("fork").Pool(count, initializer=_quiet) as pool:
            chunk = max(1, len(texts) // (count * 4))
            return pool.map(_claims, texts, chunksize=chunk)
    finally:
        _engine = None


def _quiet() -> None:
    """A worker leaves signals to its parent, which ends the pool on Ctrl-C or shutdown;
    a handler inherited from a daemon would otherwise keep it alive on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _claims(text: str) -> list[Claim]:
    assert _engine is not None
    return _engine.claims(text)
