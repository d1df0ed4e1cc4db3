"""The Prefect API a `sieve run` talks to: the configured server, or Prefect's own ephemeral one.

Without PREFECT_API_URL, Prefect starts a temporary server (its
`SubprocessASGIServer`) when the first API call needs one, in each process that
makes one. The shard tasks run in worker processes that Prefect's
`ProcessPoolTaskRunner` spawns, and each of them would start a server of its
own (measured: three servers and a minute for a four-task flow). So the run
starts Prefect's server once, in its own process, and names it in Prefect's
settings (`PREFECT_API_URL`), which the task runner hands to every worker.

Prefect stops that server at exit. A run killed outright (SIGKILL, the OOM
killer) never reaches its exit, so a small watcher process (runtime/reaper.py)
stops the server when the run's process is gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)


def wanted() -> bool:
    """Whether Prefect's settings (environment, profile) leave the run to an ephemeral server."""
    settings = get_current_settings()
    return not settings.api.url and settings.server.ephemeral.enabled


@contextmanager
def prefect_api() -> Iterator[str | None]:
    """Inside: Prefect's settings name the run's API (a server started now if none is configured);
    yields its URL, or None when Prefect's settings name a server already (or refuse an ephemeral one)."""
    if not wanted():
        yield None
        return
    from prefect.server.api.server import SubprocessASGIServer  # noqa: PLC0415 - only when no server is configured

    server = SubprocessASGIServer()
    server.start()  # waits until it answers; Prefect stops it at exit (atexit)
    if server.server_process is not None:
        watch_server(server.server_process.pid)
    # Flow-run heartbeats let a server notice that the process of a run died; this server dies with
    # that process, so they have no reader, and ending their thread holds up the end of every run.
    with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield server.api_url


def watch_server(server_pid: int) -> subprocess.Popen[bytes] | None:
    """Start runtime/reaper.py: it stops `server_pid` once this process is gone (Linux; elsewhere nothing)."""
    if sys.platform != "linux":
        return None
    return subprocess.Popen([sys.executable, "-m", "runtime.reaper", str(os.getpid()), str(server_pid)],
                            stdin=subprocess.DEVNULL, start_new_session=True)
