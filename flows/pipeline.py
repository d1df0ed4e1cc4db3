"""The sieve flow: plan shards -> process shards (read, extract, language, clean,
normalize, write) -> summarize -> publish atomically.

Prefect sees one task run per shard (hundreds of documents), never one per
document. Shards run in worker processes: Prefect's `ProcessPoolTaskRunner`
(runtime/workers.py), or Dask workers when a cluster address is given. Fetched
sources are fetched in threads of the flow's process (I/O), archived to the
run's WARC file, and their pages processed in shards by the same workers.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
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
from runtime.workers import worker_pool
from tasks.inputs.check import HINT, NothingToRead, input_problems
from tasks.inputs.sources import DEFAULT_SOURCES, list_sources, normalize_url, source_urls
from tasks.output.lock import check_output_folder, output_lock
from tasks.output.publish import ShardResult, commit, run_dir, write_manifest
from tasks.output.report import summarize, write_reports
from tasks.output.shard import (
    FetchedShard,
    Shard,
    fetch_source,
    plan_shards,
    process_fetched,
    process_shard,
    reject_shard,
)
from tasks.version import PIPELINE_VERSION
from tasks.web.catalog import Catalog

AnyShard = Shard | FetchedShard
WORKER_DIED = "worker_died"


@task(name="process-shard", task_run_name="{shard.source}-shard-{shard.index}", cache_policy=NO_CACHE,
      cache_result_in_memory=False)
def process_shard_task(shard: AnyShard, settings: Settings, out: str, run: dict[str, Any]) -> ShardResult:
    """Thin wrapper: the work is `tasks.output.shard.process_shard` (or `process_fetched`), in a worker process."""
    if isinstance(shard, FetchedShard):
        result = process_fetched(shard, settings, out, run)
    else:
        result = process_shard(shard, settings, out, run)
    get_run_logger().info("shard %s: %s documents, %s published, rejected %s", shard.label, result.documents,
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


@task(name="fetch-source", task_run_name="fetch-{source}", cache_policy=NO_CACHE, cache_result_in_memory=False)
def fetch_source_task(source: str, urls: list[str], allow_private: bool | list[str], settings: Settings, out: str,
                      run: dict[str, Any]) -> list[FetchedShard]:
    """Thin wrapper: fetch one source politely into shards of fetched pages (tasks.output.shard.fetch_source)."""
    shards = fetch_source(urls, source, allow_private, settings, out, run)
    get_run_logger().info("source %s: %s URLs fetched, %s documents in %s shards", source, len(urls),
                          sum(len(s.documents) for s in shards), len(shards))
    return shards


def run_shards(shards: Iterator[AnyShard], settings: Settings, out: str, run: dict[str, Any], workers: int,
               inflight: int, on_dask: bool) -> list[ShardResult]:
    """Process every shard, at most `inflight` at once (planning stays lazy), and return their results.

    Locally the shards go to a pool of `workers` processes. A worker that dies (killed, crashed in C
    code) breaks its pool and every shard in flight with it: those shards are retried, each alone in a
    fresh one-worker pool, so that only the shard that killed its worker twice is lost; its documents
    are written as rejected (`worker_died`) and the run goes on in a fresh pool."""
    per_source: dict[str, Settings] = {}

    def params(shard: AnyShard) -> dict[str, Any]:
        if shard.source not in per_source:
            per_source[shard.source] = settings_for(settings, shard.source)
        return {"shard": shard, "settings": per_source[shard.source], "out": out, "run": run}

    results: list[ShardResult] = []
    if on_dask:  # the flow's own task runner; Dask reschedules the work of a worker it lost
        _drain(lambda shard: process_shard_task.submit(**params(shard)), shards, inflight, results)
        return results
    while True:
        with worker_pool(workers) as pool:
            broken = _drain(lambda shard: pool.submit(process_shard_task, params(shard)), shards, inflight, results)
        if not broken:
            return results
        for shard in broken:
            results.append(_retry_alone(shard, params(shard)))
            shard_progress(results)


def _drain(submit: Callable[[AnyShard], PrefectFuture[ShardResult]], shards: Iterator[AnyShard], inflight: int,
           results: list[ShardResult]) -> list[AnyShard]:
    """Submit `shards` with at most `inflight` at once and append their results; stop when the pool
    breaks, and return the shards it took down (the rest stay in `shards`)."""
    pending: deque[tuple[AnyShard, PrefectFuture[ShardResult]]] = deque()

    def settled(shard: AnyShard, future: PrefectFuture[ShardResult]) -> bool:
        try:
            results.append(future.result())
        except BrokenProcessPool:
            _mark_crashed(future, f"the worker process running shard {shard.label} died")
            return False
        shard_progress(results)
        return True

    for shard in shards:
        pending.append((shard, submit(shard)))
        if len(pending) < inflight:
            continue
        first = pending.popleft()
        if not settled(*first):
            return [first[0], *[s for s, f in pending if not settled(s, f)]]
        get_run_logger().info("progress: %s shards done, %s documents", len(results),
                              sum(r.documents for r in results))
    while pending:
        first = pending.popleft()
        if not settled(*first):
            return [first[0], *[s for s, f in pending if not settled(s, f)]]
    return []


def _retry_alone(shard: AnyShard, params: dict[str, Any]) -> ShardResult:
    """Run a shard whose worker died once more, alone in a fresh worker; if that one dies too, its
    documents are written as rejected (`worker_died`) instead."""
    logger = get_run_logger()
    logger.warning("shard %s: its worker process died; retrying it alone in a fresh worker", shard.label)
    with worker_pool(1) as pool:
        future = pool.submit(process_shard_task, params)
        try:
            return future.result()
        except BrokenProcessPool:
            _mark_crashed(future, f"the worker process running shard {shard.label} died again")
    error = "the worker process died twice while processing this shard (killed, or crashed in C code)"
    logger.error("shard %s: %s; its documents are rejected as %s", shard.label, error, WORKER_DIED)
    return reject_shard(shard, WORKER_DIED, error, params["settings"], params["out"], params["run"])


def _mark_crashed(future: PrefectFuture[Any], message: str) -> None:
    """Tell Prefect that a task run whose process died crashed (else the UI shows it running forever)."""
    from prefect import get_client  # noqa: PLC0415
    from prefect.states import Crashed  # noqa: PLC0415

    with contextlib.suppress(Exception), get_client(sync_client=True) as client:
        client.set_task_run_state(future.task_run_id, Crashed(message=message), force=True)


def run_inputs(settings: Settings, paths: list[str] | None, urls: list[str] | None, sources: list[str] | None,
               fetches: list[tuple[str, PrefectFuture[list[FetchedShard]]]], crashed: list[str]) -> Iterator[AnyShard]:
    """Every shard of the run: the local inputs' first (while the sources are fetched), then each fetched
    source's as its fetch ends. A fetch that failed is noted in `crashed` (the rest is published)."""
    yield from all_shards(settings, paths, urls, sources)
    for name, future in fetches:
        try:
            yield from future.result()
        except Exception as exc:  # noqa: BLE001 - run_outcome fails the run with it, after publishing
            crashed.append(f"source {name}: {type(exc).__name__}: {exc}")


def task_runner_for(workers: int, dask_address: str | None):
    """The flow's own task runner: threads (fetches; shards go to a process pool, `run_shards`),
    or Dask for everything: an existing cluster by address, or a local cluster of `workers` processes."""
    if not dask_address:
        return ThreadPoolTaskRunner(max_workers=4)
    from prefect_dask import DaskTaskRunner  # noqa: PLC0415

    if dask_address == "local":
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "processes": True, "threads_per_worker": 1})
    return DaskTaskRunner(address=dask_address)


def _flow_task_runner() -> Any:
    """The task runner of the flow run in progress (threads, or Dask)."""
    from prefect.context import FlowRunContext  # noqa: PLC0415

    ctx = FlowRunContext.get()
    return ctx.task_runner if ctx is not None else None


def _fetched_from(result: ShardResult, source: str) -> bool:
    """Whether `result` is of a shard of pages fetched for `source` (labelled `<source>-<n>`)."""
    return isinstance(result.shard, str) and result.shard.rsplit("-", 1)[0] == source


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


def keeps_current(out: Path, summary: dict[str, Any], allow_empty: bool) -> str | None:
    """Why a run that published nothing leaves OUT/current as it is (None: commit as usual).

    Running the same sources again publishes nothing new (every page is a duplicate of what an earlier
    run published, or unchanged): that must not replace a good corpus by an empty one. `--allow-empty`
    commits it anyway."""
    current = out / "current"
    if summary["published"] or allow_empty or not current.exists():
        return None
    reasons = ", ".join(f"{k}: {v}" for k, v in summary["rejected_by_reason"].items())
    return (f"nothing new to publish ({summary['documents']} documents, rejected {reasons}): OUT/current still "
            f"holds the corpus of run {current.resolve().name} (--allow-empty commits an empty corpus)")


def publish_run(settings: Settings, run: dict[str, Any], started: float, paths: list[str] | None,
                urls: list[str], out: str, workers: int | None, allow_private: bool | list[str],
                sources: list[str] | None, allow_empty: bool, notes: list[str]) -> dict[str, Any] | State:
    """The run under OUT/'s lock: process every source, write the run's folder, commit it; `notes`: warnings
    known before the work (what an allowed empty run lacks)."""
    n_workers = _workers(settings, workers)
    Path(out).mkdir(parents=True, exist_ok=True)
    start_progress(settings, paths, urls, sources)
    fetches = [(name, fetch_source_task.submit(name, found, private, settings_for(settings, name), out, run))
               for name, found, private in source_urls_to_fetch(settings, paths, urls, allow_private, sources)]
    crashed: list[str] = []  # one bad source never stops the others: the rest is published, then reported
    runner = _flow_task_runner()
    on_dask = type(runner).__name__ == "DaskTaskRunner"
    results = run_shards(run_inputs(settings, paths, urls, sources, fetches, crashed), settings, out, run,
                         n_workers, n_workers * settings.run.inflight_per_worker, on_dask)
    fetched = [(name, [r for r in results if _fetched_from(r, name)]) for name, _ in fetches
               if not any(c.startswith(f"source {name}: ") for c in crashed)]
    warnings = [*notes, *(warning for name, got in fetched if (warning := fetch_warning(name, got)))]
    # Copies and site boilerplate: decided from the shards' signatures, applied to their parts before commit.
    dedup = deduplicate(results, settings, out, run) if settings.dedup.enabled else None
    if dedup is not None:
        results = dedup[0]
    summary = summarize(results, run, time.perf_counter() - started)
    summary.update(dask_workers(runner) if on_dask else {"workers": n_workers})
    if dedup is not None:
        summary["dedup"] = dedup[1].counts
    failure = fetch_failure(fetched, settings.fetch.max_failed_share)
    summary["warnings"] = [*crashed, *([failure] if failure else []), *warnings]
    if not summary["documents"] and not allow_empty:  # e.g. WARC files without a response record
        raise NothingToRead(f"nothing to read: the run found no document in its sources ({HINT})")
    base = run_dir(Path(out), run["run_id"])
    write_manifest(Path(out), run["run_id"], run, summary)
    keep = keeps_current(Path(out), summary, allow_empty)
    if keep:
        summary["warnings"].append(keep)
        warnings.append(keep)
    write_reports(base / "reports", summary)
    if not keep:
        commit(Path(out), run["run_id"], settings.publish.keep_runs)
    if dedup is not None and not keep:
        remember(out, run, dedup[1], settings)
    publish_artifacts(summary, base / "corpus" / "manifest.json", failed_pages(fetched) if fetches else None)
    if published_urls := [row for r in results for row in r.published_urls]:
        with Catalog(Path(out) / "catalog.sqlite") as catalog:
            catalog.mark_published(run["run_id"], published_urls)
    get_run_logger().info("published %s of %s documents to %s", summary["published"], summary["documents"],
                          Path(out) / "corpus")
    return run_outcome(summary, crashed, warnings, failure)
