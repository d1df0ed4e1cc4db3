"""Prefect's ephemeral API server, started at the beginning of `sieve run` instead of at the first API call.

Without PREFECT_API_URL, Prefect starts a temporary server (uvicorn in a
subprocess, `prefect.server.api.server.SubprocessASGIServer`) when the flow
first calls its API: after sieve's imports, and after importing the whole
server package into the flow's process as well (~1.5 s CPU) only to launch it.
Its boot (imports, database check, services: 3-5 s) then delays the run.

`start()` launches the same server (Prefect's app under uvicorn, `SERVER_MAIN`,
booted with the garbage collector paused) as soon as `sieve run` has imported
Prefect, by forking this process (`_fork`): the child has a third of the
server's import done already, so the server costs ~0.7 CPU-s less. That
counts: start-up is CPU-bound on two cores (the forkserver warms up, the
workers begin, the server boots at once), and a run with a worker per core
pays every CPU-second of Prefect's. Forking happens only while this process
runs no other thread (a thread could hold a lock the child would inherit
taken); otherwise, or before Prefect is imported, the server is a new
interpreter, as before. The forked server is named `prefect-server` (ps, top).
The server reads its settings from the same environment, profile and files as
this process. `use()` waits until it answers and points this
process's Prefect settings at it (PREFECT_API_URL), exactly as Prefect does
with its own; if Prefect's settings say no ephemeral server is wanted (a
profile sets PREFECT_API_URL or turns ephemeral mode off), it stops it instead.
One server per process, stopped at exit, as Prefect's; a SIGTERM (`kill`, a
scheduler's timeout) becomes a normal exit when no one else handles it, so that
the server is stopped then too (Prefect's own leaves it running). Nothing
starts when PREFECT_API_URL is set in the environment (a real server).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

PORTS = range(8000, 9000)  # as Prefect's SubprocessASGIServer
PROCESS_NAME = b"prefect-server"  # a forked server's name (psutil's name(), ps -o comm): Linux allows 15 bytes
PORT_IN_USE = 3  # uvicorn's exit code when it cannot bind
API_PATH = "/api"  # where Prefect's app mounts its API

# The server's process: Prefect's app (`prefect.server.api.server:create_app`, UI off, as Prefect's
# own ephemeral server) served by uvicorn on 127.0.0.1. Three differences:
# - The garbage collector is paused while Prefect's server package is imported and the app built
#   (thousands of classes: each collection rescans them all), then those objects are frozen out of
#   later collections and it resumes: importing and building the app 2.0 -> 1.5 s here, nothing skipped.
# - `-P`: the directory sieve runs in is not put on its import path (a `prefect.py` or `uvicorn.py`
#   there would otherwise be imported instead of the installed one).
# - On Linux it asks to be sent SIGTERM when the thread that launched it dies, so a `sieve run`
#   killed with SIGKILL (or a process that never reaches its atexit) does not leave it running.
SERVER_MAIN = """
import gc, sys
gc.disable()
if sys.argv[2] == "1" and sys.platform == "linux":
    import ctypes, os, signal
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != int(sys.argv[3]):  # the launcher is already gone
        sys.exit(0)
from prefect.server.api.server import create_app
app = create_app()
gc.freeze()
gc.enable()
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", lifespan="on")
"""


class ForkedProcess:
    """The part of `subprocess.Popen` that `use()` and `stop()` need, for a child made by `os.fork`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"server process {self.pid}", timeout or 0.0)
            time.sleep(0.01)
        return code

    def terminate(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


@dataclass
class Server:
    process: subprocess.Popen | ForkedProcess
    port: int
    command: list[str]
    env: dict[str, str]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PATH}"


_SERVER: Server | None = None


def _free_port() -> int:
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for Prefect's ephemeral server in 8000-8999")


def _server_args(port: int) -> list[str]:
    """SERVER_MAIN's arguments: the port, whether the launching thread lives as long as this process
    (the main thread: then the server may die with it), and this process's pid."""
    from_main_thread = threading.current_thread() is threading.main_thread()
    return [str(port), "1" if from_main_thread else "0", str(os.getpid())]


def _launch(command: list[str], env: dict[str, str]) -> Server:
    port = _free_port()
    return Server(subprocess.Popen([*command, *_server_args(port)], env=env), port, command, env)


def _can_fork() -> bool:
    """Whether this process can fork the server: on Linux (forking without exec is less safe elsewhere:
    macOS's system frameworks), with Prefect imported, and no other thread running, C libraries'
    included (a thread could hold a lock the child would inherit taken)."""
    if sys.platform != "linux" or "prefect" not in sys.modules:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1  # one entry per thread of this process
    except OSError:
        return False


def _fork(command: list[str], env: dict[str, str]) -> Server:
    """`_launch`, in a child forked from this process: it has Prefect imported already (a third of
    the server's import), so the server boots on ~0.7 CPU-s less. The child runs SERVER_MAIN as the
    launched process would, with the server's environment and Prefect's settings re-read from it,
    and leaves by os._exit: nothing of this process's exit (atexit, the worker pool) runs twice."""
    port = _free_port()
    args = _server_args(port)
    for stream in (sys.stdout, sys.stderr):  # else the child could write this process's buffered output again
        if stream is not None:
            stream.flush()
    pid = os.fork()
    if pid:
        return Server(ForkedProcess(pid), port, command, env)
    code = 1
    try:
        os.environ.clear()
        os.environ.update(env)
        from prefect.context import refresh_global_settings_context  # noqa: PLC0415

        refresh_global_settings_context()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler raises SystemExit
        if sys.path and sys.path[0] in ("", os.getcwd()):  # as `-P` (see SERVER_MAIN)
            del sys.path[0]
        import ctypes  # noqa: PLC0415 - Linux (`_can_fork`)

        ctypes.CDLL(None, use_errno=True).prctl(15, PROCESS_NAME)  # PR_SET_NAME: its command line is ours
        sys.argv = ["-c", *args]
        exec(compile(SERVER_MAIN, "<sieve ephemeral server>", "exec"), {"__name__": "__main__"})
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported, then the child exits
        import traceback  # noqa: PLC0415

        traceback.print_exc()
    finally:
        os._exit(code)


def start() -> Server | None:
    """Launch the ephemeral server without waiting for it; None when Prefect surely would not start one.

    Forked from this process when it has imported Prefect and runs no other thread (`_fork`: the
    server then skips that third of its import), else launched as a new interpreter, which needs
    only that Prefect is installed. Either way the server reads its settings from the same
    environment, profile and files as this process. Whether a server is wanted at all (a profile
    may set PREFECT_API_URL, or disable ephemeral mode) is known once Prefect's settings are
    loaded: `use()` stops it if not."""
    global _SERVER  # noqa: PLW0603 - one per process, as Prefect's
    if _SERVER is not None:
        return _SERVER
    if os.environ.get("PREFECT_API_URL"):
        return None
    if importlib.util.find_spec("prefect") is None:  # finds the package without importing it
        return None
    if "prefect" in sys.modules and not _wanted():  # its settings are at hand
        return None
    command = [sys.executable, "-P", "-c", SERVER_MAIN]
    # This server serves one run, which uses no blocks: registering Prefect's block types (and first
    # importing every installed collection, prefect-dask and Dask included, to hash them) would cost
    # its start-up 0.2 s. A real server (`sieve server`) registers them in the same database.
    env = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false", "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
           **os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    _SERVER = None
    if _can_fork():
        with contextlib.suppress(OSError):  # no fork to be had (memory, process limits): a new interpreter
            _SERVER = _fork(command, env)
    _SERVER = _SERVER or _launch(command, env)
    atexit.register(stop)
    _exit_cleanly_on_sigterm()
    return _SERVER


def _wanted() -> bool:
    """Whether Prefect's settings (environment, profile) want an ephemeral server: no API URL, mode on."""
    from prefect.settings import get_current_settings  # noqa: PLC0415

    settings = get_current_settings()
    return not settings.api.url and settings.server.ephemeral.enabled


def _raise_system_exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _exit_cleanly_on_sigterm() -> None:
    """Python's default SIGTERM ends the process without running atexit: the server would outlive it."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_system_exit)


def healthy(port: int) -> bool:
    """Whether the server on 127.0.0.1:`port` answers its health check. Plain HTTP on loopback: an
    httpx client would cost this process 15 ms of CPU to build (its TLS context, never used here)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", f"{API_PATH}/health")
            return conn.getresponse().status == 200
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):  # refused (not listening yet), reset, timed out, not HTTP
        return False


def use(server: Server | None) -> bool:
    """Wait until `server` answers, then make it this process's Prefect API; True if it is."""
    global _SERVER  # noqa: PLW0603
    if server is None:
        return False
    if os.environ.get("PREFECT_API_URL") == server.api_url:
        return True
    from prefect.context import refresh_global_settings_context  # noqa: PLC0415
    from prefect.settings import get_current_settings  # noqa: PLC0415

    if not _wanted():  # a profile names a server or turns ephemeral mode off: not wanted after all
        stop()
        return False
    timeout = get_current_settings().server.ephemeral.startup_timeout_seconds
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() == PORT_IN_USE:  # lost a race for the port: another one
            server = _SERVER = _launch(server.command, server.env)
        if healthy(server.port):
            break
        if server.process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"Prefect's ephemeral server did not start (exit code {server.process.poll()}, "
                               f"{timeout} s; PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")
        time.sleep(0.02)
    os.environ["PREFECT_API_URL"] = server.api_url
    refresh_global_settings_context()
    return True


def run_settings() -> contextlib.AbstractContextManager[object]:
    """Settings for a flow run against this process's own server: no flow-run heartbeats.

    Heartbeats let a server notice that the process of a flow run died; this server dies with
    that process, so they have no reader, and ending the heartbeat thread holds up the end of
    every run by up to a second (it sleeps in 1 s steps)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings  # noqa: PLC0415

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def stop() -> None:
    global _SERVER
    server, _SERVER = _SERVER, None
    if server is None:
        return
    if os.environ.get("PREFECT_API_URL") == server.api_url:
        del os.environ["PREFECT_API_URL"]
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
