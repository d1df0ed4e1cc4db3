"""The sieve flow: plan shards -> process shards (read, extract, language, clean,
normalize, write) -> summarize -> publish atomically.

Prefect sees one task run per shard (hundreds of documents), never one per
document. CPU work runs in worker processes (a process pool, or Dask workers
when a cluster address is given).
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from config import PROJECT_ROOT, Settings, SourceConfig, load_settings
from config.errors import ConfigError, UserError
from flows.artifacts import (
    failed_pages,
    fetch_failure,
    fetch_warning,
    publish_artifacts,
    run_outcome,
    shard_progress,
    start_progress,
)
from flows.dedup import deduplicate, remember
from runtime import head_start
from runtime.head_start import HeadStart
from runtime.pool import worker_pool
from tasks.inputs.check import HINT, NothingToRead, input_problems
from tasks.inputs.sources import DEFAULT_SOURCES, list_sources, normalize_url, source_urls
from tasks.output.lock import check_output_folder, output_lock
from tasks.output.publish import ShardResult, commit, run_dir, write_manifest
from tasks.output.report import summarize, write_reports
from tasks.output.shard import Shard, fetch_and_process, plan_shards, process_shard, write_prepared
from tasks.version import PIPELINE_VERSION
from tasks.web.catalog import Catalog

_POOL: ProcessPoolExecutor | None = None
_HEAD: HeadStart | None = None


@task(name="process-shard", task_run_name="{shard.source}-shard-{shard.index}", cache_result_in_memory=False)
def process_shard_task(shard: Shard, settings: Settings, out: str, run: dict[str, Any]) -> ShardResult:
    """Thin wrapper: the work is `tasks.output.shard.process_shard`, in a worker process when there is a pool
    (or was begun there before the flow run: runtime/head_start.py)."""
    if _HEAD is not None and (ahead := _HEAD.take(shard, settings)) is not None:
        result = write_prepared(ahead.result(), settings, out, run)
    elif _POOL is not None:
        result = _POOL.submit(process_shard, shard, settings, out, run).result()
    else:
        result = process_shard(shard, settings, out, run)
    get_run_logger().info("shard %s: %s documents, %s published, rejected %s", shard.index, result.documents,
                          result.published, dict(result.rejected))
    return result


def configured_sources(settings: Settings, names: list[str] | None = None) -> list[SourceConfig]:
    """Sources of the pipeline config plus those of config/sources.yaml (`sieve sources add`); only `names` if given."""
    extra = list_sources(DEFAULT_SOURCES) if DEFAULT_SOURCES.exists() else []
    found = [*settings.sources, *extra]
    if not names:
        return found
    if unknown := sorted(set(names) - {s.name for s in found}):
        raise ConfigError(f"unknown source(s) {', '.join(unknown)}; configured: {', '.join(s.name for s in found)}")
    return [s for s in found if s.name in names]


def settings_for(settings: Settings, source: str) -> Settings:
    """The run's settings with a configured source's `languages` and `clean` overrides applied."""
    src = next((s for s in configured_sources(settings) if s.name == source), None)
    if src is None or (src.languages is None and not src.clean):
        return settings
    return settings.model_copy(update={
        "languages": src.languages if src.languages is not None else settings.languages,
        "clean": settings.clean.model_validate({**settings.clean.model_dump(), **src.clean})})


def source_paths(settings: Settings, paths: list[str] | None, urls: list[str] | None,
                 sources: list[str] | None = None) -> list[tuple[str, list[str]]]:
    """(source name, paths) to read: command-line paths or URLs replace the configured sources (or `sources`)."""
    if paths or urls:
        return [("cli", paths)] if paths else []
    return [(src.name, [str(p if Path(p).is_absolute() else PROJECT_ROOT / p) for p in src.paths])
            for src in configured_sources(settings, sources) if src.paths]


def source_urls_to_fetch(settings: Settings, paths: list[str] | None, urls: list[str] | None,
                         allow_private: bool | list[str], sources: list[str] | None = None,
                         ) -> list[tuple[str, list[str], bool | list[str]]]:
    """(source name, URLs, private addresses allowed) to fetch."""
    if paths or urls:
        return [("cli", urls, allow_private)] if urls else []
    return [(src.name, found, src.allow_private_addresses) for src in configured_sources(settings, sources)
            if (found := source_urls(src))]


def first_shards(settings: Settings, paths: list[str] | None, n: int) -> list[tuple[Shard, Settings]]:
    """The first `n` shards of local `paths` (or of the configured sources), with their settings,
    as `sieve_pipeline` will plan them (for a head start)."""
    return [(shard, settings_for(settings, shard.source))
            for shard in itertools.islice(all_shards(settings, paths, None), n)]


def all_shards(settings: Settings, paths: list[str] | None, urls: list[str] | None = None,
               sources: list[str] | None = None) -> Iterator[Shard]:
    start, seen = 0, set()  # a file two sources (or two paths) reach is read once, by the first
    for name, src_paths in source_paths(settings, paths, urls, sources):
        for shard in plan_shards(src_paths, settings, name, start, seen):
            start = shard.index + 1
            yield shard


def new_run(settings: Settings) -> dict[str, Any]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return {"run_id": f"{stamp}-{uuid.uuid4().hex[:6]}", "pipeline_version": PIPELINE_VERSION,
            "config_sha256": settings.sha256(), "flow_run_id": flow_run.get_id(),
            "started_at": datetime.now(UTC).isoformat()}


@task(name="fetch-source", task_run_name="fetch-{source}", cache_result_in_memory=False)
def fetch_source_task(source: str, urls: list[str], allow_private: bool | list[str], settings: Settings, out: str,
                      run: dict[str, Any]) -> list[ShardResult]:
    """Thin wrapper: fetch one source politely and process what it brings (tasks.output.shard.fetch_and_process)."""
    results = fetch_and_process(urls, source, allow_private, settings, out, run)
    get_run_logger().info("source %s: %s URLs, %s published, rejected %s", source, len(urls),
                          sum(r.published for r in results),
                          dict(sum((r.rejected for r in results), Counter())))
    return results


def run_shards(shards: Iterator[Shard], settings: Settings, out: str, run: dict[str, Any],
               inflight: int) -> list[ShardResult]:
    """Submit shards with a bounded number in flight, so planning stays lazy."""
    logger = get_run_logger()
    pending, results = [], []
    per_source: dict[str, Settings] = {}
    for shard in shards:
        if shard.source not in per_source:
            per_source[shard.source] = settings_for(settings, shard.source)
        pending.append(process_shard_task.submit(shard, per_source[shard.source], out, run))
        if len(pending) >= inflight:
            results.append(pending.pop(0).result())
            shard_progress(results)
            logger.info("progress: %s shards done, %s documents", len(results), sum(r.documents for r in results))
    for f in pending:
        results.append(f.result())
        shard_progress(results)
    return sorted(results, key=lambda r: str(r.shard))


def sieve_pipeline_runner():
    from prefect.context import FlowRunContext  # noqa: PLC0415

    ctx = FlowRunContext.get()
    return ctx.task_runner if ctx else None


def task_runner_for(workers: int, dask_address: str | None):
    """Threads to submit shard tasks locally (the CPU work goes to a process pool),
    or Dask: an existing cluster by address, or a local cluster of `workers` processes."""
    if not dask_address:
        return ThreadPoolTaskRunner(max_workers=max(2, 2 * workers))
    from prefect_dask import DaskTaskRunner  # noqa: PLC0415

    if dask_address == "local":
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "processes": True, "threads_per_worker": 1})
    return DaskTaskRunner(address=dask_address)


def dask_workers(runner: Any) -> dict[str, Any]:
    """The Dask cluster the run's shard tasks went to: its worker count and scheduler address (the summary's
    `workers` is this, not the local core count)."""
    client = runner.client
    return {"workers": len(client.nthreads()), "dask_address": client.scheduler_info()["address"]}


def _workers(settings: Settings, workers: int | None) -> int:
    return max(1, workers or settings.run.workers or os.cpu_count() or 1)


@flow(name="sieve-pipeline", flow_run_name="sieve-{source}", log_prints=True,
      task_runner=ThreadPoolTaskRunner(max_workers=4))
def sieve_pipeline(config: str | None = None, paths: list[str] | None = None, urls: list[str] | None = None,
                   out: str = "data", workers: int | None = None, source: str = "local",
                   allow_private: bool | list[str] = False, sources: list[str] | None = None,
                   allow_empty: bool | None = None) -> dict[str, Any] | State:
    """Read local pages and fetch URLs (given, or the configured sources, or those named in `sources`, each with
    its own languages and clean overrides), clean them, publish a corpus. A source that yields nothing fails the
    run and leaves the current corpus, unless `allow_empty` (default: the config's publish.allow_empty)."""
    started = time.perf_counter()
    try:
        settings = load_settings(config)
        urls = [normalize_url(u) for u in urls or []]
        if sources and (paths or urls):
            raise ConfigError("give either paths/urls or sources (names of configured sources), not both")
        selected = configured_sources(settings, sources)  # an unknown name fails the run before anything is written
        allow_empty = settings.publish.allow_empty if allow_empty is None else allow_empty
        problems = input_problems(
            source_paths(settings, paths, urls, sources),
            [name for name, *_ in source_urls_to_fetch(settings, paths, urls, allow_private, sources)],
            [] if paths or urls else [s.name for s in selected], settings.read)
        if problems and not allow_empty:
            raise NothingToRead("nothing to read:\n" + "\n".join(problems) + f"\n({HINT})")
        folder = check_output_folder(out)
        run = new_run(settings)
        with output_lock(folder, run, settings.publish.lock_wait_seconds):
            return publish_run(settings, run, started, paths, urls, str(folder), workers, allow_private, sources,
                               allow_empty, problems)
    except UserError as exc:  # the run ends Failed with the message alone; the caller gets `exc` raised
        get_run_logger().error(str(exc))
        return Failed(data=exc, message=str(exc))


def publish_run(settings: Settings, run: dict[str, Any], started: float, paths: list[str] | None,
                urls: list[str], out: str, workers: int | None, allow_private: bool | list[str],
                sources: list[str] | None, allow_empty: bool, notes: list[str]) -> dict[str, Any] | State:
    """The run under OUT/'s lock: process every source, write the run's folder, commit it; `notes`: warnings
    known before the work (what an allowed empty run lacks)."""
    global _POOL, _HEAD  # noqa: PLW0603 - one pool per flow run, shared by its shard tasks
    n_workers = _workers(settings, workers)
    Path(out).mkdir(parents=True, exist_ok=True)
    start_progress(settings, paths, urls, sources)
    # On Dask the shard tasks already run in worker processes; locally a process pool does the CPU work.
    on_dask = type(sieve_pipeline_runner()).__name__ == "DaskTaskRunner"
    # `sieve run` offers a head start to local runs only (one left unclaimed, it closes it).
    _HEAD = None if on_dask else head_start.claim(n_workers)
    _POOL = _HEAD.pool if _HEAD else worker_pool(n_workers) if not on_dask else None
    try:
        fetches = [(name, fetch_source_task.submit(name, found, private, settings_for(settings, name), out, run))
                   for name, found, private in source_urls_to_fetch(settings, paths, urls, allow_private, sources)]
        results = run_shards(all_shards(settings, paths, urls, sources), settings, out, run,
                             inflight=n_workers * settings.run.inflight_per_worker)
        crashed, warnings, fetched = [], [*notes], []
        for name, f in fetches:  # one bad source never stops the others: the rest is published, then reported
            try:
                got = f.result()
            except Exception as exc:  # noqa: BLE001 - run_outcome fails the run with it, after publishing
                crashed.append(f"source {name}: {type(exc).__name__}: {exc}")
                continue
            results += got
            fetched.append((name, got))
            if warning := fetch_warning(name, got):
                warnings.append(warning)
    finally:
        head = _HEAD
        if head is not None:
            head.cancel_rest()
        if _POOL is not None:
            _POOL.shutdown(cancel_futures=True)
        _POOL = _HEAD = None
    # The run's time counts from its first work: the head start's, when its shards were taken.
    lead = 0.0
    if head is not None and head.taken:
        lead = max(0.0, datetime.fromisoformat(run["started_at"]).timestamp() - head.started)
    # Copies and site boilerplate: decided from the shards' signatures, applied to their parts before commit.
    dedup = deduplicate(results, settings, out, run) if settings.dedup.enabled else None
    if dedup is not None:
        results = dedup[0]
    summary = summarize(results, run, time.perf_counter() - started + lead)
    summary.update(dask_workers(sieve_pipeline_runner()) if on_dask else {"workers": n_workers})
    if dedup is not None:
        summary["dedup"] = dedup[1].counts
    if head is not None:
        summary["head_start"] = {"shards": head.taken, "seconds_before_flow": round(lead, 3)}
    failure = fetch_failure(fetched, settings.fetch.max_failed_share)
    summary["warnings"] = [*crashed, *([failure] if failure else []), *warnings]
    if not summary["documents"] and not allow_empty:  # e.g. WARC files without a response record
        raise NothingToRead(f"nothing to read: the run found no document in its sources ({HINT})")
    base = run_dir(Path(out), run["run_id"])
    write_manifest(Path(out), run["run_id"], run, summary)
    write_reports(base / "reports", summary)
    commit(Path(out), run["run_id"], settings.publish.keep_runs)
    if dedup is not None:
        remember(out, run, dedup[1], settings)
    publish_artifacts(summary, base / "corpus" / "manifest.json", failed_pages(fetched) if fetches else None)
    if published_urls := [row for r in results for row in r.published_urls]:
        with Catalog(Path(out) / "catalog.sqlite") as catalog:
            catalog.mark_published(run["run_id"], published_urls)
    get_run_logger().info("published %s of %s documents to %s", summary["published"], summary["documents"],
                          Path(out) / "corpus")
    return run_outcome(summary, crashed, warnings, failure)
