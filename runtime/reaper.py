"""Stop a process once another is gone: `python -m runtime.reaper RUN_PID SERVER_PID`.

`sieve run` starts it next to Prefect's ephemeral server (runtime/ephemeral.py).
When the run ends normally, Prefect stops the server and this watcher ends with
it; when the run is killed outright (SIGKILL, the OOM killer), no exit handler
of the run's runs, and this stops the server instead. Linux only: it waits on
pidfds, which name one process for good (a reused pid is never signalled).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys

GRACE_SECONDS = 5.0  # for the server to stop on SIGTERM before it is killed


def _exited(fd: int, timeout: float | None) -> bool:
    """Whether the process behind pidfd `fd` exits within `timeout` seconds (a pidfd reads ready then)."""
    return bool(select.select([fd], [], [], timeout)[0])


def reap(run_pid: int, server_pid: int) -> None:
    """Wait until the run or the server ends; if the run ended first, stop the server."""
    try:
        server = os.pidfd_open(server_pid)
    except ProcessLookupError:
        return
    try:
        run = os.pidfd_open(run_pid)
    except ProcessLookupError:  # the run is gone already
        run = None
    if run is not None:
        ready, _, _ = select.select([run, server], [], [])
        if server in ready:
            return
    with contextlib.suppress(ProcessLookupError):  # it may end by itself meanwhile
        signal.pidfd_send_signal(server, signal.SIGTERM)
        if not _exited(server, GRACE_SECONDS):
            signal.pidfd_send_signal(server, signal.SIGKILL)


if __name__ == "__main__":
    reap(int(sys.argv[1]), int(sys.argv[2]))
