"""A head start: the first shards are processed while Prefect starts.

`sieve run` waits about two seconds for Prefect's API server to boot and create
the flow run, and the worker processes are ready before that (their forkserver
warms up meanwhile, runtime/pool.py). Rather than idle, each worker processes one
shard in advance (`tasks.output.shard.prepare_shard`): its records are made, but not
stamped with the run, whose ids do not exist yet, nor written. The flow's task
for that shard then stamps and writes them (`tasks.output.shard.write_prepared`), in
its own process. The records are the same either way, and every shard still
has its task run; only the first tasks' durations leave out the work done in
advance. The run summary's `seconds` count from the head start, and its
`head_start` says how many shards were begun and how long before the flow run.

Only local inputs get one, planned exactly as the flow plans them; a shard the
flow plans differently (a file added in between) is processed as usual, and an
unused head start is cancelled. Fetched sources and Dask runs start with the flow.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from config import Settings
from tasks.output.shard import PreparedShard, Shard, prepare_shard


@dataclass
class HeadStart:
    """The worker pool with one shard submitted per worker, before the flow run exists."""

    pool: ProcessPoolExecutor
    workers: int
    started: float = field(default_factory=time.time)  # wall clock, to compare with the run's start
    ahead: dict[tuple[Shard, str], Future[PreparedShard]] = field(default_factory=dict)
    taken: int = 0

    def submit(self, shard: Shard, settings: Settings) -> None:
        self.ahead[(shard, settings.sha256())] = self.pool.submit(prepare_shard, shard, settings)

    def take(self, shard: Shard, settings: Settings) -> Future[PreparedShard] | None:
        """The shard's work in progress, if it was started for these settings (once: it is handed over)."""
        found = self.ahead.pop((shard, settings.sha256()), None)
        self.taken += found is not None
        return found

    def cancel_rest(self) -> None:
        """Drop what the flow did not take (a running one finishes, unread)."""
        for future in self.ahead.values():
            future.cancel()
        self.ahead.clear()

    def close(self, terminate: bool = False) -> None:
        """Cancel what was not taken and shut the pool down. `terminate`: stop its workers now, for a
        head start no flow run claimed (nobody will read their work, and a run that failed to start
        would otherwise wait for a shard before it exits)."""
        self.cancel_rest()
        if terminate:  # ProcessPoolExecutor.terminate_workers() is Python 3.14's
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)


def begin(pool: ProcessPoolExecutor, workers: int, shards: list[tuple[Shard, Settings]]) -> HeadStart:
    """Submit `shards` (the run's first, one per worker) to `pool`."""
    head = HeadStart(pool, workers)
    for shard, settings in shards:
        head.submit(shard, settings)
    head.started = time.time()  # a submit returns once its worker is forked: the work begins
    return head


_offered: list[HeadStart] = []


def offer(head: HeadStart) -> None:
    """Leave `head` for the next flow run of this process to claim (it cannot travel as a parameter)."""
    _offered[:] = [head]


def claim(workers: int) -> HeadStart | None:
    """The head start offered for a run with `workers` workers; any other is closed."""
    head = _offered.pop() if _offered else None
    if head is not None and head.workers != workers:
        head.close(terminate=True)
        return None
    return head
