"""The head start: `sieve run` has its workers begin the first shards while Prefect
starts; the flow's task for such a shard only stamps the records with the run and
writes them. The output must be the same as a shard processed in its task.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from config import Settings
from runtime import head_start
from runtime.pool import _alive, worker_pool
from tasks.output.shard import Shard, prepare_shard, process_shard, write_prepared
from tests.test_scale import write_pages

RUN = {"run_id": "r1", "pipeline_version": "test", "config_sha256": "abc", "flow_run_id": "f1"}


def _records(out: Path) -> dict[str, list[dict]]:
    found = {}
    for part in sorted((out / "runs" / RUN["run_id"]).glob("*/part-*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            found[f"{part.parent.name}/{part.name}"] = [json.loads(line) for line in fh]
    return found


def _without_read_time(records: dict[str, list[dict]]) -> dict[str, list[str]]:
    """The records serialized in their own key order, minus the time each input was read."""
    def strip(rec: dict) -> str:
        rec["source"].pop("retrieved_at")
        return json.dumps(rec, ensure_ascii=False)
    return {name: [strip(r) for r in recs] for name, recs in records.items()}


def test_a_shard_prepared_ahead_publishes_what_its_task_would(tmp_path):
    files = write_pages(tmp_path / "pages", 12, seed=3, min_kb=5, max_kb=8)
    (tmp_path / "pages" / "broken.html").write_bytes(b"\xff\xfe\x00<html")  # rejected, with its reason
    shard = Shard(0, "cli", tuple(str(p) for p in [*files, tmp_path / "pages" / "broken.html"]))
    settings = Settings()

    in_task = process_shard(shard, settings, str(tmp_path / "task"), RUN)
    prepared = prepare_shard(shard, settings)
    assert all(r["provenance"]["run_id"] is None for r, _ in prepared.records)  # no run yet
    ahead = write_prepared(prepared, settings, str(tmp_path / "ahead"), RUN)

    a, b = _records(tmp_path / "task"), _records(tmp_path / "ahead")
    assert _without_read_time(a) == _without_read_time(b)
    assert sum(map(len, a.values())) == 13
    for rec in (r for recs in b.values() for r in recs):
        assert rec["provenance"]["run_id"] == "r1" and rec["provenance"]["flow_run_id"] == "f1"
    same = ("shard", "documents", "published", "rejected", "removed_spans", "removed_chars", "languages",
            "bytes_in", "chars_published", "examples", "rejected_docs", "parts")
    assert {k: getattr(in_task, k) for k in same} == {k: getattr(ahead, k) for k in same}
    assert set(ahead.stage_seconds) == set(in_task.stage_seconds)


def test_the_flow_takes_a_shard_once_and_only_with_the_settings_it_was_begun_with(tmp_path):
    files = write_pages(tmp_path / "pages", 3, seed=4, min_kb=5, max_kb=6)
    shard = Shard(0, "cli", tuple(map(str, files)))
    other = Shard(1, "cli", tuple(map(str, files)))
    settings = Settings()
    head = head_start.begin(worker_pool(1), 1, [(shard, settings)])
    try:
        assert head.take(other, settings) is None
        assert head.take(shard, settings.model_copy(update={"languages": ["en"]})) is None
        taken = head.take(shard, settings)
        assert taken is not None and len(taken.result().records) == 3
        assert head.take(shard, settings) is None
        assert head.taken == 1
    finally:
        head.close()


def test_a_head_start_is_claimed_once_and_only_by_a_run_with_as_many_workers():
    pool = worker_pool(2)
    head_start.offer(head_start.begin(pool, 2, []))
    assert head_start.claim(1) is None  # another worker count: closed, not left behind
    with pytest.raises(RuntimeError):  # shut down
        pool.submit(int)
    head = head_start.begin(worker_pool(1), 1, [])
    head_start.offer(head)
    assert head_start.claim(1) is head
    assert head_start.claim(1) is None
    head.close()


def test_sieve_run_reports_its_head_start(tmp_path):
    from flows.cli import main  # noqa: PLC0415

    write_pages(tmp_path / "pages", 6, seed=6, min_kb=5, max_kb=6)
    config = tmp_path / "pipeline.yaml"
    config.write_text("languages: [en, zh]\npublish:\n  shard_size: 2\n", encoding="utf-8")
    assert main(["run", str(tmp_path / "pages"), "--config", str(config), "--out", str(tmp_path / "out"),
                 "--workers", "2"]) == 0
    summary = json.loads((tmp_path / "out" / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == 6 and summary["shards"] == 3
    assert summary["head_start"]["shards"] == 2  # one a worker
    assert summary["head_start"]["seconds_before_flow"] > 0
    assert summary["seconds"] >= summary["head_start"]["seconds_before_flow"]  # the run's time counts from it


def test_a_head_start_no_run_claimed_stops_its_workers(tmp_path):
    """A run whose flow never starts (no Prefect API) exits with its error at once: it does not wait for
    the shard its workers began."""
    files = write_pages(tmp_path / "pages", 40, seed=8, min_kb=8, max_kb=12)
    pool = worker_pool(1)
    worker = pool.submit(os.getpid).result()
    head = head_start.begin(pool, 1, [(Shard(0, "cli", tuple(map(str, files))), Settings())])
    begun = next(iter(head.ahead.values()))
    deadline = time.monotonic() + 30
    while not begun.running() and time.monotonic() < deadline:  # handed to the worker (no longer cancellable)
        time.sleep(0.01)
    head_start.offer(head)
    head.close(terminate=head_start.claim(1) is head)
    with pytest.raises(BrokenProcessPool):  # stopped mid-shard, not left to finish it
        begun.result(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)
