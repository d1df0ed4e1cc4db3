"""Worker processes for shard tasks: Prefect's `ProcessPoolTaskRunner`, tied to the run's life.

Prefect's runner spawns its workers (fresh interpreters: nothing of the run's
threads or heap is copied) and runs each task in a worker's main thread, with
the run's Prefect settings and context. Two things it leaves to the caller:

- A worker blocks on its task pipe, and holds both ends of it, so a run killed
  without shutting its pool down (SIGKILL, the OOM killer) would leave its
  workers waiting forever. `die_with_run` (the runner's initializer) makes each
  worker end when the run's process does.
- A pool whose worker died (killed, crashed in C code) is broken for good:
  every shard in flight fails with `BrokenProcessPool` and nothing more can be
  submitted. flows/pipeline.py opens a fresh pool then (`worker_pool` again).
- Shutting a pool down waits for the tasks in flight; `worker_pool` kills its
  workers instead when it is left by an exception (a signal, an error).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.task_runners import ProcessPoolTaskRunner

PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent thread ends


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolTaskRunner]:
    """Prefect's process-pool task runner with `workers` processes that end with this process, started.

    Left by an exception (SIGTERM becomes Prefect's TerminationSignal in a flow, SIGINT a
    KeyboardInterrupt, or an error), its workers are killed first: shutting the pool down would
    otherwise wait for the shards in flight, which nobody will read, however long a stuck one takes."""
    with _api_for_workers(), ProcessPoolTaskRunner(max_workers=workers, initializer=die_with_run,
                                                   initargs=(os.getpid(),)) as runner:
        try:
            yield runner
        except BaseException:
            kill_workers()
            raise


def _api_for_workers() -> contextlib.AbstractContextManager[object]:
    """Prefect's settings naming the API this flow run uses, for the workers (the runner hands them
    its settings): with no API URL configured, each worker would start an ephemeral server of its
    own (`sieve run` names its server already: runtime/ephemeral.py; a flow called directly does not)."""
    from prefect.context import FlowRunContext  # noqa: PLC0415
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings  # noqa: PLC0415

    ctx = FlowRunContext.get()
    if get_current_settings().api.url or ctx is None or ctx.client is None:
        return contextlib.nullcontext()
    return temporary_settings(updates={PREFECT_API_URL: str(ctx.client.api_url)})


def die_with_run(run_pid: int) -> None:
    """In a worker: end this process when the run's process `run_pid` is gone.

    On Linux the kernel kills it (PR_SET_PDEATHSIG: also when the worker is stuck in C code
    holding the GIL); everywhere a thread watches the run's process as well."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != run_pid:  # the run ended before this worker got here
        os._exit(1)
    threading.Thread(target=_exit_when_gone, args=(run_pid,), name="sieve-run-watch", daemon=True).start()


def _exit_when_gone(pid: int) -> None:
    try:
        select.select([os.pidfd_open(pid)], [], [])  # a pidfd reads ready once its process has exited
    except (AttributeError, OSError):  # no pidfd (not Linux, or before 5.3): ask every second
        while _alive(pid):
            time.sleep(1)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the pid now belongs to someone else
        return False
    return True


def kill_workers() -> list[int]:
    """Kill every worker process of this process now (those of Prefect's process pools, or of a local
    Dask cluster: `multiprocessing` started them all); returns their pids."""
    killed = []
    for child in multiprocessing.active_children():
        with contextlib.suppress(OSError):
            child.kill()
            killed.append(child.pid)
    return [pid for pid in killed if pid is not None]
