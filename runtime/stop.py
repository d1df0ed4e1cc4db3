"""SIGTERM and SIGINT stop a run within seconds, whatever its workers are doing.

Left to Python, SIGTERM ends the process at once, without its exit handlers
(Prefect's ephemeral server would outlive it), and SIGINT raises
KeyboardInterrupt, after which shutting the worker pool down waits for the
shards in flight, however long a stuck one takes. So on either signal the run
kills its worker processes first (their shards are not committed: the previous
corpus stays as it was), then raises SystemExit(128 + signal) in the main
thread, so that Prefect marks the flow run crashed and the exit handlers run.
Should that unwinding itself hang (a fetch thread blocked on the network, say),
the process exits anyway `grace` seconds later; runtime/reaper.py then stops
the server.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runtime.workers import kill_workers

GRACE_SECONDS = 5.0

@contextmanager
def stop_on_signals(grace: float = GRACE_SECONDS) -> Iterator[None]:
    """Inside, SIGTERM and SIGINT stop the run as above; the previous handlers come back after.
    Main thread only (Python lets no other thread handle signals): elsewhere it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping: list[int] = []  # the signal being handled, once one came

    def handle(signum: int, _frame: FrameType | None) -> None:
        kill_workers()
        if stopping:  # a second signal while stopping: the first one's exit is under way
            return
        stopping.append(signum)
        timer = threading.Timer(grace, os._exit, args=(128 + signum,))
        timer.daemon = True
        timer.start()
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
