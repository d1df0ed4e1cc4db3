"""The process model: shard work runs in worker processes of Prefect's ProcessPoolTaskRunner
(runtime/workers.py), which end with the run however it ends, and the run report's stage seconds
are CPU seconds of the thread that did the work, so shards processed at the same time do not count
each other.

Pages come from bench/make_corpus.py (small sizes, so this stays fast).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil

from config import Settings
from tasks.output.shard import Shard, process_shard
from tests.test_scale import write_pages

ROOT = Path(__file__).resolve().parent.parent

# A process that starts a pool of two workers set up as the run's are (die_with_run), gives both a long
# task, prints their pids once both are in it, and waits: the test then kills it as SIGKILL or the OOM killer would.
POOL_PARENT = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    from runtime.workers import die_with_run

    def mark_then_sleep(folder):
        (Path(folder) / str(os.getpid())).touch()  # in its task: the initializer has run
        time.sleep(600)

    if __name__ == "__main__":
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(2, mp_context=ctx, initializer=die_with_run, initargs=(os.getpid(),))
        for k in range(2):
            pool.submit(mark_then_sleep, sys.argv[1])
        while len(list(Path(sys.argv[1]).iterdir())) < 2:
            time.sleep(0.05)
        print(" ".join(p.name for p in Path(sys.argv[1]).iterdir()), flush=True)
        time.sleep(600)
""")



def _pool_parent(tmp_path: Path) -> tuple[subprocess.Popen, list[psutil.Process]]:
    script = tmp_path / "pool_parent.py"
    script.write_text(POOL_PARENT, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(marks)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [psutil.Process(int(pid)) for pid in parent.stdout.readline().split()]
    assert len(workers) >= 2
    return parent, workers


def test_workers_end_when_the_run_process_is_killed_outright(tmp_path: Path):
    parent, workers = _pool_parent(tmp_path)
    parent.kill()  # no exit handler runs: nobody shuts the pool down
    parent.wait(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive


def test_a_worker_stuck_where_no_python_code_runs_still_ends_with_the_run(tmp_path: Path):
    parent, workers = _pool_parent(tmp_path)
    workers[0].suspend()  # as stuck as a worker can be: not even a signal handler runs
    parent.kill()
    parent.wait(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive


def test_stage_seconds_of_shards_processed_at_once_add_up_to_the_cpu_they_used(tmp_path: Path):
    files = [str(p) for p in write_pages(tmp_path / "pages", 16, seed=5, min_kb=5, max_kb=8)]
    settings = Settings()
    run = {"run_id": "cpu", "pipeline_version": "test", "config_sha256": "", "flow_run_id": None}
    process_shard(Shard(0, "warm", tuple(files[:2])), settings, str(tmp_path / "out"), run)
    results = []

    def work(k: int) -> None:
        results.append(process_shard(Shard(k, "t", tuple(files[k::2])), settings, str(tmp_path / "out"), run))

    threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2)]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu
    staged = sum(sum(r.stage_seconds.values()) for r in results)
    # Wall-clock timers would count the other thread's turns too: about twice the CPU used.
    assert 0 < staged <= cpu * 1.05, (staged, cpu)
