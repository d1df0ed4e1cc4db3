"""Worker processes for the shard tasks: forked from a warm forkserver, not from Prefect.

Forking the flow's process copies a process that runs Prefect's threads (event
loop, log and event workers, heartbeat) and its large heap, and forking a
multi-threaded process can deadlock a child on a lock some thread held. The
forkserver is a fresh interpreter that imports the pipeline and loads its data
once (runtime/warm.py); workers are forked from it, start warm and share those
pages. `start()` launches it without waiting, so that its start-up overlaps
Prefect's (`sieve run` calls it right after launching Prefect's API server, and
its workers begin the first shards before the flow run exists: runtime/head_start.py).
A worker ends by itself when the run's process is gone (`_exit_when_gone`).

Every local run, one worker included, does its CPU work in these processes:
the flow's process keeps its core for Prefect, and the code path is the same
whatever the worker count.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

PRELOAD = "runtime.warm"


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    return ctx


def start() -> None:
    """Launch the forkserver now (it imports and warms up in the background); idempotent."""
    _context()
    forkserver.ensure_running()


def _init_worker(run_pid: int) -> None:
    # A no-op when the forkserver preloaded it; the forkserver ignores a failed preload
    # silently, so a worker imports it again and fails loudly rather than running cold.
    importlib.import_module(PRELOAD)
    threading.Thread(target=_exit_when_gone, args=(run_pid,), name="sieve-run-watch", daemon=True).start()


def _exit_when_gone(pid: int) -> None:
    """End this worker when the run's process is gone.

    A worker holds both ends of its task pipe, so when the run is killed without a chance
    to shut its pool down (SIGKILL, the OOM killer) nothing ever tells it: it would finish its
    shard and wait for the next one forever, holding its memory."""
    try:
        select.select([os.pidfd_open(pid)], [], [])  # a pidfd is readable once the process has exited
    except (AttributeError, OSError):  # no pidfd (not Linux, or before 5.3): ask every second
        while _alive(pid):
            time.sleep(1)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by someone else (the pid was reused)
        return False
    return True


def worker_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker, initargs=(os.getpid(),))
