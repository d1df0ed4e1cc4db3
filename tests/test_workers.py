"""The process model: shard work runs in worker processes forked from a warm forkserver
(not from the Prefect process), and the run report's stage seconds are CPU seconds of the
thread that did the work, so shards processed at the same time do not count each other.

Pages come from bench/make_corpus.py (small sizes, so this stays fast).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from config import Settings
from runtime.pool import worker_pool
from tasks.output.shard import Shard, process_shard
from tests.test_scale import write_pages


def _where() -> tuple[int, int, bool, str]:
    import multiprocessing  # noqa: PLC0415

    return os.getpid(), os.getppid(), "runtime.warm" in sys.modules, multiprocessing.current_process().name


def test_workers_are_forked_from_a_warm_forkserver_not_from_this_process():
    with worker_pool(2) as pool:
        found = [pool.submit(_where).result() for _ in range(4)]
    for pid, parent, warm, _name in found:
        assert pid != os.getpid() and parent != os.getpid()  # the forkserver's child, not ours
        assert warm  # preloaded before the fork: nothing to load for the first document


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
