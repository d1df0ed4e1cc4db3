"""A mistake must not replace a good corpus: a source that yields nothing fails and leaves `current` alone,
one run at a time writes into OUT/, pruning keeps committed runs, and a file reached twice is one record."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import Settings
from config.errors import EXIT_BUSY, EXIT_FAILED
from flows.cli import main
from flows.pipeline import all_shards, sieve_pipeline
from tasks.inputs.check import NothingToRead
from tasks.output.lock import OutputBusy, holder_of, output_lock
from tasks.output.publish import COMMITTED, commit, iter_records

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def sieve(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=300, env=env)


@pytest.fixture
def env() -> dict[str, str]:
    """A `sieve` subprocess's environment: an ephemeral Prefect (no server URL) in the tests' home, quiet."""
    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return {**base, "SIEVE_QUIET": "1", "COLUMNS": "200"}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """An OUT/ with a good corpus of the sample pages, to be kept by the failed runs below."""
    out = tmp_path_factory.mktemp("published") / "out"
    assert main(["run", str(SEEDS), "--out", str(out), "--workers", "1"]) == 0
    return out


def _state_of(out: Path) -> tuple[str, list[str]]:
    return os.readlink(out / "current"), sorted(r["id"] for r in iter_records(out, ("corpus",)))


def test_a_path_that_does_not_exist_fails_the_run_names_the_path_and_keeps_the_corpus(published, tmp_path, env):
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    before = _state_of(out)
    missing = tmp_path / "no" / "such" / "dir"
    result = sieve("run", "--out", str(out), str(missing), env=env)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert f"{missing} does not exist" in result.stderr and "--allow-empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert _state_of(out) == before and len(before[1]) == 5


def test_an_empty_folder_fails_the_run_unless_an_empty_publish_is_asked_for(published, tmp_path, env):
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    before = _state_of(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("not a page type", encoding="utf-8")
    result = sieve("run", "--out", str(out), str(empty), env=env)
    assert result.returncode == EXIT_FAILED and f"no input file in {empty}" in result.stderr, result.stderr
    assert _state_of(out) == before

    result = sieve("run", "--out", str(out), "--allow-empty", str(empty), env=env)
    assert result.returncode == 0, result.stderr
    assert _state_of(out)[0] != before[0] and _state_of(out)[1] == []
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert any(f"no input file in {empty}" in w for w in summary["warnings"])


def test_a_configured_source_whose_folder_is_empty_fails_the_flow_run_in_prefect(published, tmp_path, monkeypatch):
    """What a scheduled or ad-hoc deployment run does: the flow run ends Failed with the reason, corpus kept."""
    monkeypatch.setattr("flows.pipeline.DEFAULT_SOURCES", tmp_path / "no-sources.yaml")
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    before = _state_of(out)
    (tmp_path / "inbox").mkdir()
    config = tmp_path / "pipeline.yaml"
    config.write_text(f"sources:\n  - name: inbox\n    paths: [{tmp_path / 'inbox'}]\n  - name: web\n    urls: []\n",
                      encoding="utf-8")
    state = sieve_pipeline(config=str(config), out=str(out), workers=1, return_state=True)
    assert state.is_failed()
    assert "source inbox: no input file in" in state.message and "source web: neither paths nor URLs" in state.message
    with pytest.raises(NothingToRead):
        state.result()
    # An ad-hoc run with a mistyped path, likewise.
    state = sieve_pipeline(paths=[str(tmp_path / "inbx")], out=str(out), workers=1, source="adhoc",
                           return_state=True)
    assert state.is_failed() and f"{tmp_path / 'inbx'} does not exist" in state.message
    assert _state_of(out) == before


@pytest.mark.slow
def test_a_second_run_into_the_same_output_is_refused_naming_the_holder_and_a_killed_holder_frees_it(
        tmp_path, env):
    pages = tmp_path / "pages"
    pages.mkdir()
    for k in range(400):  # enough that the first run is still working when the second starts (it is killed)
        for page in SEEDS.glob("*.txt"):
            shutil.copy(page, pages / f"{k}-{page.name}")
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(pages), "--out", str(out),
                              "--workers", "1"], cwd=ROOT, env={**env, "PREFECT_HOME": str(tmp_path / "prefect")},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while holder_of(out).get("pid") != first.pid and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.2)
        holder = holder_of(out)
        assert holder.get("pid") == first.pid, "the first run never took the lock"

        second = sieve("run", "--out", str(out), str(SEEDS), env=env)
        assert second.returncode == EXIT_BUSY, second.stderr + second.stdout
        assert f"pid {first.pid}" in second.stderr and holder["run_id"] in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None, "the first run ended before the second was refused"
        while not list(out.glob("runs/*/*/.part-*.tmp")) and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.1)  # until it writes its first part: the kill leaves an unfinished run folder
        assert first.poll() is None, "the first run ended before the kill"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
    dead = out / "runs" / holder["run_id"]
    assert dead.is_dir() and not (dead / COMMITTED).exists()

    third = sieve("run", "--out", str(out), str(SEEDS), env=env)  # the kernel released the dead run's lock
    assert third.returncode == 0, third.stderr
    assert not dead.exists(), "the killed run's unfinished folder outlived the next commit"
    assert len(list(iter_records(out, ("corpus",)))) == 5


def test_the_lock_waits_a_bounded_time_then_names_its_holder(tmp_path):
    run = {"run_id": "20260101T000000Z-aaaaaa", "flow_run_id": "f-1"}
    with output_lock(tmp_path, run):
        started = time.monotonic()
        with pytest.raises(OutputBusy, match=r"pid \d+ .*run 20260101T000000Z-aaaaaa"), \
                output_lock(tmp_path, {"run_id": "other"}, wait_seconds=0.6):
            pass
        assert 0.5 < time.monotonic() - started < 5
    with output_lock(tmp_path, {"run_id": "other"}):  # released when the block ends
        assert holder_of(tmp_path)["run_id"] == "other"


def _run_folder(out: Path, name: str, committed_at: float | None) -> Path:
    folder = out / "runs" / name
    (folder / "corpus").mkdir(parents=True)
    if committed_at is not None:
        (folder / COMMITTED).write_text(json.dumps({"committed_at": committed_at}))
    return folder


def test_pruning_keeps_the_last_committed_runs_and_removes_unfinished_ones(tmp_path):
    out = tmp_path
    for k, name in enumerate(["r1", "r2", "r3"]):
        _run_folder(out, name, committed_at=1000.0 + k)
    dead = _run_folder(out, "r4-killed", committed_at=None)  # newer than all, never committed
    os.utime(dead, (5000, 5000))
    _run_folder(out, "r5", committed_at=None)  # this run: its files are written, commit marks it
    commit(out, "r5", keep_runs=2)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["r3", "r5"]
    assert (out / "runs" / "r5" / COMMITTED).exists() and os.readlink(out / "current") == "runs/r5"


def test_the_current_run_of_an_older_version_counts_as_committed(tmp_path):
    """A folder written before runs were marked stays when it is `current`: it was published."""
    out = tmp_path
    _run_folder(out, "old", committed_at=None)
    (out / "current").symlink_to("runs/old")
    _run_folder(out, "new", committed_at=None)
    commit(out, "new", keep_runs=2)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["new", "old"]


def test_a_file_reached_twice_is_planned_once_by_its_real_path(tmp_path):
    pages = tmp_path / "pages"
    (pages / "a").mkdir(parents=True)
    for page in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(page, pages / "a" / page.name)
    one = sorted((pages / "a").iterdir())[0]
    (tmp_path / "link.txt").symlink_to(one)
    (tmp_path / "linked-folder").symlink_to(pages / "a")
    inputs = [str(pages), str(one), str(tmp_path / "link.txt"), f"{pages}/a/../a/{one.name}",
              str(tmp_path / "linked-folder")]
    planned = [f for shard in all_shards(Settings(), inputs) for f in shard.inputs]
    assert sorted(os.path.realpath(f) for f in planned) == sorted(str(p) for p in (pages / "a").iterdir())
    assert planned == [str(p) for p in sorted((pages / "a").iterdir())]  # the first reach of each, in plan order


def test_a_file_reached_twice_is_one_record_whatever_the_worker_count(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    (tmp_path / "alias.txt").symlink_to(pages / "001_a60c4e758812ea41.txt")
    out = tmp_path / "out"
    for workers in ("1", "2"):
        assert main(["run", str(pages), str(pages / "001_a60c4e758812ea41.txt"), str(tmp_path / "alias.txt"),
                     "--out", str(out), "--workers", workers]) == 0
        ids = [r["id"] for r in iter_records(out)]
        assert len(ids) == len(set(ids)) == 5
