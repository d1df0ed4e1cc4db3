"""Who may write into OUT/: one run at a time, by a lock the kernel releases when its holder dies.

The lock is `flock` on `OUT/.lock`, which also names the holder (pid, host, run id,
flow run id, start time) for the message a second run shows. A killed run holds
nothing: its lock goes with its process, and its unfinished run folder is removed
by the next commit (tasks/output/publish.py, `prune_runs`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.errors import EXIT_BUSY, UserError

LOCK_NAME = ".lock"


class OutputBusy(UserError):
    """Another run holds OUT/."""

    exit_code = EXIT_BUSY


def check_output_folder(out: str | Path) -> Path:
    """`out` as a folder sieve can write into, absolute; UserError for what can never be one."""
    text = str(out)
    if not text.strip() or "\0" in text:
        raise UserError(f"output folder {text!r}: not a usable path (empty or contains NUL)")
    path = Path(os.path.abspath(text))
    if path.exists() and not path.is_dir():
        raise UserError(f"output folder {path}: exists and is not a folder")
    return path


def holder_of(out: Path) -> dict[str, Any]:
    """What the lock file says about its holder ({} when unreadable or being rewritten)."""
    try:
        return json.loads((out / LOCK_NAME).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown"
    return (f"pid {holder.get('pid')} on {holder.get('host')}, run {holder.get('run_id')}, "
            f"flow run {holder.get('flow_run_id')}, since {holder.get('since')}")


@contextmanager
def output_lock(out: Path, run: dict[str, Any], wait_seconds: float = 0.0, poll: float = 0.25) -> Iterator[None]:
    """Hold OUT/'s lock for the block; wait up to `wait_seconds` for another holder, then OutputBusy naming it."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait_seconds:g} s, publish.lock_wait_seconds)" if wait_seconds else ""
                    raise OutputBusy(f"output folder {out} is in use by another run: {_describe(_current_holder(out))}"
                                     f"{waited}. Wait for it to finish, or give another --out.") from None
                time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "run_id": run.get("run_id"),
                  "flow_run_id": str(run.get("flow_run_id")), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # no stale holder named once released
    finally:
        os.close(fd)  # releases the lock (as the kernel does if the process dies first)


def _current_holder(out: Path, patience: float = 1.0) -> dict[str, Any]:
    """The holder's record, given a moment to appear: a new holder writes it just after taking the lock, and a
    record left by a killed run names a process that is gone."""
    deadline = time.monotonic() + patience
    while True:
        holder = holder_of(out)
        if (holder and (holder.get("host") != socket.gethostname() or _alive(holder.get("pid")))) \
                or time.monotonic() >= deadline:
            return holder
        time.sleep(0.1)


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True
