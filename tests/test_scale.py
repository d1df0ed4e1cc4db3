"""Speed and scale: the output does not depend on how the work is spread, memory
does not grow with the corpus, and the run report accounts for every stage.

Pages come from bench/make_corpus.py (small sizes, so this stays fast).
"""

from __future__ import annotations

import functools
import gzip
import json
import sys
import tracemalloc
from pathlib import Path

import pytest

from config import Settings
from flows.cli import main
from tasks.output.shard import Shard, process_shard
from tasks.stages.document import STAGES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_page  # noqa: E402

VOLATILE = {"retrieved_at", "run_id", "flow_run_id", "started_at"}


def write_pages(folder: Path, n: int, seed: int = 7, min_kb: float = 5, max_kb: float = 12) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        page = make_page(seed, i, min_kb=min_kb, max_kb=max_kb)
        path = folder / page.name
        path.write_text(page.html, encoding="utf-8")
        paths.append(path)
    return paths


def strip_volatile(obj):
    if isinstance(obj, dict):
        return {k: strip_volatile(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [strip_volatile(v) for v in obj]
    return obj


def part_lines(out: Path) -> dict[str, list[str]]:
    """Every part of the current corpus and rejected folders: its records, volatile fields removed,
    serialized again in their original key order."""
    parts = {}
    for kind in ("corpus", "rejected"):
        for part in sorted((out / kind).glob("part-*.jsonl.gz")):
            with gzip.open(part, "rt", encoding="utf-8") as fh:
                parts[f"{kind}/{part.name}"] = [json.dumps(strip_volatile(json.loads(line)), ensure_ascii=False)
                                                for line in fh if line.strip()]
    return parts


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("scale")
    pages = base / "pages"
    write_pages(pages, 60)
    config = base / "pipeline.yaml"
    config.write_text("languages: [en, zh]\npublish:\n  shard_size: 10\n", encoding="utf-8")
    one, dask = base / "out-1", base / "out-dask"
    assert main(["run", str(pages), "--config", str(config), "--out", str(one), "--workers", "1"]) == 0
    assert main(["run", str(pages), "--config", str(config), "--out", str(dask), "--workers", "2",
                 "--dask-address", "local"]) == 0
    return one, dask


def test_one_worker_and_a_dask_cluster_publish_identical_records(two_runs):
    one, dask = two_runs
    a, b = part_lines(one), part_lines(dask)
    assert sorted(a) == sorted(b)
    assert sum(1 for name in a if name.startswith("corpus/")) >= 6  # 60 pages, 10 a shard: several parts
    assert sum(len(v) for v in a.values()) == 60
    assert sum(len(v) for k, v in a.items() if k.startswith("corpus/")) > 0
    for name in a:
        assert len(a[name]) == len(b[name]), name
        for line_a, line_b in zip(a[name], b[name], strict=True):
            assert line_a == line_b, name
    summary_one = json.loads((one / "reports" / "summary.json").read_text(encoding="utf-8"))
    summary_dask = json.loads((dask / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary_one["shards"] == summary_dask["shards"] == 6
    assert summary_dask["workers"] == 2


def test_summary_times_every_stage(two_runs):
    for out in two_runs:
        summary = json.loads((out / "reports" / "summary.json").read_text(encoding="utf-8"))
        stages = summary["stage_seconds"]
        assert set(STAGES) <= set(stages), stages
        for name in STAGES:
            assert stages[name]["seconds"] > 0, (name, stages)
        assert abs(sum(v["share"] for v in stages.values()) - 1) < 0.01


def _peak(shard: Shard, settings: Settings, out: Path, run: dict) -> int:
    tracemalloc.start()
    try:
        result = process_shard(shard, settings, str(out), run)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.documents == len(shard.inputs)
    return peak


def _memo_caches() -> list[tuple[object, str, object]]:
    """(module, name, function) for every large memo cache (functools.lru_cache) in sieve's modules."""
    found = []
    for name, mod in list(sys.modules.items()):
        if not name.startswith("tasks") or mod is None:
            continue
        for attr, val in list(vars(mod).items()):
            info = getattr(val, "cache_info", None)
            if info and hasattr(val, "__wrapped__") and (info().maxsize or 10**9) >= 10_000:
                found.append((mod, attr, val))
    return found


def _shard_peaks(tmp_path: Path, small_n: int, large_n: int) -> tuple[int, int]:
    files = [str(p) for p in write_pages(tmp_path / "pages", large_n + 12, seed=11, min_kb=5, max_kb=6)]
    settings = Settings()
    run = {"run_id": "mem", "pipeline_version": "test", "config_sha256": "", "flow_run_id": None}
    out = tmp_path / "out"
    # Warm up: imports, langdetect profiles, OpenCC dictionaries, regex caches are paid once per process.
    process_shard(Shard(0, "warm", tuple(files[large_n:])), settings, str(out), run)
    small = _peak(Shard(1, "mem", tuple(files[:small_n])), settings, out, run)
    large = _peak(Shard(2, "mem", tuple(files[:large_n])), settings, out, run)
    return small, large


@pytest.fixture
def small_text_caches_in_trafilatura(monkeypatch):
    """trafilatura memoizes `trim` and `line_processing` in 1,024-entry caches whose entries are
    whole texts (an element's text content, a line): bounded, but on these small pages they keep
    filling over the first few hundred documents. Swapped for small ones here, so what is measured
    is sieve's own memory."""
    import trafilatura  # noqa: F401, PLC0415

    small = {}
    for name, mod in list(sys.modules.items()):
        if not name.startswith("trafilatura") or mod is None:
            continue
        for attr in ("trim", "line_processing"):
            fn = getattr(mod, attr, None)
            if fn is not None and hasattr(fn, "cache_info"):
                swap = small.setdefault(id(fn), functools.lru_cache(maxsize=64)(fn.__wrapped__))
                monkeypatch.setattr(mod, attr, swap)
    assert small


def test_the_shard_loop_streams_documents(tmp_path, small_text_caches_in_trafilatura):
    """A shard of 300 documents needs no more memory than one of 30: documents are read,
    processed and written one at a time."""
    small, large = _shard_peaks(tmp_path, 30, 300)
    assert large <= 1.5 * small, (small, large)


def test_memo_caches_are_small():
    """The memo caches of tasks.text.words hold about a thousand words or Han runs; whole
    paragraphs are memoized per document only (bench/README.md: they used to hold 300k words,
    100k runs and 20k paragraphs, and a worker's memory grew with the documents it had seen)."""
    import tasks.text.words  # noqa: F401, PLC0415 - imported by the pipeline anyway

    assert _memo_caches() == []


def test_memory_does_not_grow_with_the_documents_seen(tmp_path, small_text_caches_in_trafilatura):
    """sieve's memo caches start empty and fill up while the shards run: they must be full
    (small) before the documents are many."""
    for name, mod in list(sys.modules.items()):
        if name.startswith("tasks") and mod is not None:
            for val in list(vars(mod).values()):
                if callable(getattr(val, "cache_clear", None)) and hasattr(val, "__wrapped__"):
                    val.cache_clear()
    small, large = _shard_peaks(tmp_path, 20, 200)
    assert large <= 1.5 * small, (small, large)


def test_a_run_on_a_dask_cluster_reports_the_clusters_workers_not_the_local_cores(tmp_path):
    from distributed import LocalCluster  # noqa: PLC0415

    from flows.artifacts import workers_text  # noqa: PLC0415

    pages = tmp_path / "pages"
    write_pages(pages, 4)
    out = tmp_path / "out"
    with LocalCluster(n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert main(["run", str(pages), "--out", str(out), "--dask-address", cluster.scheduler_address]) == 0
        address = cluster.scheduler_address
    summary = json.loads((out / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["workers"] == 3 and summary["dask_address"] == address
    assert workers_text(summary) == f"3 Dask workers at {address}"  # the run summary's and the table's words
