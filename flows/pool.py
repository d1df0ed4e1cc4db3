"""Worker processes for the shard tasks: forked from a warm forkserver, not from Prefect.

Forking the flow's process copies a process that runs Prefect's threads (event
loop, log and event workers, heartbeat) and its large heap, and forking a
multi-threaded process can deadlock a child on a lock some thread held. The
forkserver is a fresh interpreter that imports the pipeline and loads its data
once (tasks/warm.py); workers are forked from it, start warm and share those
pages. `start()` launches it without waiting, so that its start-up overlaps
Prefect's (`sieve run` calls it before the flow starts its API server).

Every local run, one worker included, does its CPU work in these processes:
the flow's process keeps its core for Prefect, and the code path is the same
whatever the worker count.
"""

from __future__ import annotations

import importlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

PRELOAD = "tasks.warm"


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    return ctx


def start() -> None:
    """Launch the forkserver now (it imports and warms up in the background); idempotent."""
    _context()
    forkserver.ensure_running()


def _init_worker() -> None:
    # A no-op when the forkserver preloaded it; the forkserver ignores a failed preload
    # silently, so a worker imports it again and fails loudly rather than running cold.
    importlib.import_module(PRELOAD)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker)
