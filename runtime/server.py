"""`sieve server`: a local Prefect server with sieve's recommended settings.

Runs `prefect server start --host HOST --port PORT` in the foreground with:

- the task-run recorder reading and inserting 100 task runs per batch (the
  defaults, 1 and 1, leave a SQLite server recording a busy run's task runs for
  tens of seconds after it ended; 100 drains it in 1-3 s);
- telemetry off (`PREFECT_SERVER_ANALYTICS_ENABLED=false`).

A value already in the environment wins. PREFECT_HOME is left as the user has
it (default `~/.prefect`, where the server keeps `prefect.db`).

It waits for `/api/health`, prints the UI address and the PREFECT_API_URL to
export for `sieve serve`, `sieve run` and workers, and stops the server on
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

RECOMMENDED_ENV = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
# A fresh database runs its migrations first: about 17 s measured here, more on a loaded machine.
STARTUP_TIMEOUT = 90.0


def scheduler_problem() -> str | None:
    """A known reason why this environment's server will not create scheduled runs, or None.

    prefect 3.8.8's scheduler inserts runs with an ORM bulk INSERT that SQLAlchemy 2.1 refuses ("Can't evaluate
    bulk DML statement; please supply a bulk_dml decorated function"): deployments and their schedules are
    stored, but no scheduled run is ever created. SQLAlchemy 2.0.x works.
    """
    if (found := _installed_from("sqlalchemy", (2, 1))) is not None:
        return (f"SQLAlchemy {found} is installed: the Prefect server's scheduler fails on it and creates no "
                "scheduled runs (cron schedules never fire). Install `sqlalchemy>=2.0,<2.1` in this environment.")
    return None


def api_problem() -> str | None:
    """A known reason why this environment's server refuses some Prefect client calls, or None.

    FastAPI 0.151 validates an explicit JSON null against the parameter's type instead of using its default;
    prefect 3.8.8's clients send `"limit": null` and the server's `limit: int = Body(None)` then answers 422:
    `prefect deploy` fails, and so do client reads that leave limit unset. FastAPI 0.150.0 works.
    """
    if (found := _installed_from("fastapi", (0, 151))) is not None:
        return (f"FastAPI {found} is installed: the Prefect server answers 422 to client requests with "
                "\"limit\": null (`prefect deploy` fails). Install `fastapi==0.150.0` in this environment.")
    return None


def known_problems() -> list[str]:
    return [p for p in (scheduler_problem(), api_problem()) if p]


def _installed_from(package: str, first_bad: tuple[int, int]) -> str | None:
    """The installed version of `package` if it is `first_bad` or later, else None (also when not installed)."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        found = version(package)
    except PackageNotFoundError:
        return None
    return found if _version_tuple(found) >= first_bad else None


def _version_tuple(found: str) -> tuple[int, int]:
    major, minor = (int(x) if x.isdigit() else 0 for x in [*found.split(".")[:2], "0"][:2])
    return major, minor


def server_env(host: str = "127.0.0.1", port: int = 4200, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the server: `base` (default os.environ) plus the recommended settings it lacks."""
    env = dict(os.environ if base is None else base)
    for key, value in RECOMMENDED_ENV.items():
        env.setdefault(key, value)
    # The server is the API; a client-side API URL pointing elsewhere must not leak into it.
    env.pop("PREFECT_API_URL", None)
    # The UI asks the browser to call PREFECT_UI_API_URL, which defaults to port 4200 whatever --port says
    # (prefect 3.8.8): without this, a server on another port shows "Can't connect to Server API".
    if "PREFECT_UI_API_URL" not in env and "PREFECT_SERVER_UI_API_URL" not in env:
        env["PREFECT_UI_API_URL"] = api_url(host, port)
    return env


def prefect_command() -> list[str]:
    """The `prefect` CLI of this interpreter's environment."""
    beside = Path(sys.executable).with_name("prefect")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("prefect")
    return [found] if found else [sys.executable, "-m", "prefect"]


def api_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/api"


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_healthy(url: str, timeout: float = STARTUP_TIMEOUT, proc: subprocess.Popen | None = None) -> float:
    """Seconds until `url/health` answers; RuntimeError if `proc` exits or `timeout` passes first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {proc.returncode} before it was healthy")
        if healthy(url):
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not answer {url}/health within {timeout:.0f} s")


def start_server(host: str = "127.0.0.1", port: int = 4200, env: dict[str, str] | None = None,
                 **popen: Any) -> subprocess.Popen:
    """Start `prefect server start` (not waiting for it); `env` defaults to `server_env()`."""
    cmd = [*prefect_command(), "server", "start", "--host", host, "--port", str(port)]
    return subprocess.Popen(cmd, env=env if env is not None else server_env(host, port), **popen)


def stop_server(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM (SIGINT first, which Prefect handles as a clean shutdown), then SIGKILL after `grace` s."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=grace / 2)
        except subprocess.TimeoutExpired:
            continue
        return
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def run_server(host: str = "127.0.0.1", port: int = 4200, timeout: float = STARTUP_TIMEOUT) -> int:
    """The `sieve server` command: start, wait for health, print where it is, run until stopped."""
    url = api_url(host, port)
    if healthy(url):
        print(f"A Prefect server already answers at {url}; use it with:\n  export PREFECT_API_URL={url}",
              file=sys.stderr)
        return 1
    env = server_env(host, port)
    for problem in known_problems():
        print(f"warning: {problem}", file=sys.stderr)
    home = env.get("PREFECT_HOME") or str(Path.home() / ".prefect")
    if host in ("0.0.0.0", "::") and "PREFECT_UI_API_URL" not in os.environ:
        print(f"note: the UI will call the API at {env['PREFECT_UI_API_URL']}; for browsers on other machines "
              f"set PREFECT_UI_API_URL=http://<this host's name>:{port}/api", file=sys.stderr)
    print(f"Starting the Prefect server on {host}:{port} (PREFECT_HOME={home}; the first start on a new "
          "database migrates it, 15-30 s)...", flush=True)
    started = time.monotonic()
    proc = start_server(host, port, env)

    def forward(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        try:
            wait_healthy(url, timeout, proc)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            stop_server(proc)
            return 1
        ui = url.removesuffix("/api")
        print(f"\nPrefect server ready in {time.monotonic() - started:.1f} s.\n"
              f"  UI:   {ui}\n"
              f"  API:  export PREFECT_API_URL={url}\n"
              "Then, in another shell: `sieve serve` (scheduled and ad-hoc deployments) or `sieve run` "
              "(runs appear in the UI). Ctrl-C stops the server.", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nStopping the Prefect server...", file=sys.stderr, flush=True)
        stop_server(proc)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
