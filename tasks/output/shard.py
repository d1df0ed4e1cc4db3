"""A shard: a list of inputs processed together and written as one part.

Shards carry references, never document payloads: paths, or for fetched pages
their documents without payloads, which stay in the run's WARC file. So memory
does not grow with the corpus and a shard can run in any process or Dask worker.
The shard plan depends only on the sorted inputs, so the output is the same
whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from config import Settings
from tasks.inputs.read import first_of_each_file, iter_input_files, read_inputs
from tasks.output.publish import ShardResult, ShardWriter
from tasks.record import Document

if TYPE_CHECKING:
    from tasks.dedup.signature import Signature
    from tasks.stages.document import StageTimer

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int
    source: str
    inputs: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.index:05d}"


def plan_shards(paths: Iterable[str | Path], settings: Settings, source: str = "local",
                start: int = 0, seen: set[str] | None = None) -> Iterator[Shard]:
    """Shards of `paths`' input files in plan order, each file once (`seen`: real paths already planned,
    shared by the sources of one run)."""
    unique = first_of_each_file(iter_input_files(paths, settings.read), set() if seen is None else seen)
    files = (str(p) for p in unique)
    for k, batch in enumerate(_batched(files, settings.publish.shard_size)):
        yield Shard(start + k, source, tuple(batch))


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


Written = tuple[dict[str, Any], "Signature | None"]


def _records(docs: Iterable[Document], settings: Settings, timer: StageTimer) -> Iterator[Written]:
    """Each document through every stage, as its record (run fields left for the writer to stamp) and,
    when published and dedup is on, its dedup signature."""
    # Imported here: the flow's process plans shards and hands them to workers, and needs none of
    # the stages (trafilatura, jieba, wordfreq: a third of its start-up).
    from tasks.dedup.signature import signature  # noqa: PLC0415
    from tasks.stages.document import process_document  # noqa: PLC0415
    from tasks.web.catalog import requested_url  # noqa: PLC0415

    for doc in docs:
        process_document(doc, settings, timer)
        sig = None
        if settings.dedup.enabled and not doc.reject_reason:
            since = timer.clock()
            sig = signature(doc, "", 0, requested_url(doc), settings.dedup)
            timer.add("dedup", since)
        yield doc.record(), sig


def _write(records: Iterable[Written], label: str, settings: Settings, out: str,
           run: dict[str, Any], stage_seconds: dict[str, float]) -> ShardResult:
    """Stamp and write `records` as part `label`. `stage_seconds`: the timer's table, which a lazy
    `records` fills in while it is written."""
    writer = ShardWriter(Path(out), run["run_id"], label, run, settings.publish.examples_per_reason)
    for record, sig in records:
        writer.write(record, sig)
    result = writer.close()
    result.stage_seconds = stage_seconds
    return result


def process_docs(docs: Iterable[Document], label: str, settings: Settings, out: str,
                 run: dict[str, Any]) -> ShardResult:
    """Process and write one batch of documents as part `label`, one at a time; returns counts only."""
    from tasks.stages.document import StageTimer  # noqa: PLC0415

    timer = StageTimer()
    return _write(_records(docs, settings, timer), label, settings, out, run, timer.seconds)


def _documents(shard: Shard, settings: Settings) -> Iterator[Document]:
    return (doc for name in shard.inputs for doc in read_inputs(Path(name), settings.read))


def process_shard(shard: Shard, settings: Settings, out: str, run: dict[str, Any]) -> ShardResult:
    """Read, process and write every document of one shard of local inputs."""
    result = process_docs(_documents(shard, settings), shard.label, settings, out, run)
    result.shard = shard.index
    return result


@dataclass(frozen=True)
class FetchedShard:
    """A batch of fetched pages: their documents without payloads, which stay in the run's WARC file
    (each document's `source` names the file and the record's offset), so the shard can go to a worker
    process as cheaply as a shard of paths."""

    index: int
    source: str
    documents: tuple[Document, ...]

    @property
    def label(self) -> str:
        return f"{self.source}-{self.index:05d}"


def _fetched_documents(shard: FetchedShard) -> Iterator[Document]:
    """The shard's documents with their payloads reread from the WARC file (rejected ones have none)."""
    from tasks.inputs.warc import payload_at  # noqa: PLC0415

    for doc in shard.documents:
        if doc.reject_reason or doc.source.warc_file is None or doc.source.warc_offset is None:
            yield doc
            continue
        try:
            raw = payload_at(doc.source.warc_file, doc.source.warc_offset)
        except (OSError, ValueError) as exc:
            yield doc.reject("unreadable", f"WARC record unreadable: {type(exc).__name__}: {exc}")
            continue
        if hashlib.sha256(raw).hexdigest() != doc.source.sha256:
            yield doc.reject("unreadable", "WARC record does not hold the bytes fetched (sha256 differs)")
            continue
        yield dataclasses.replace(doc, raw=raw)


def process_fetched(shard: FetchedShard, settings: Settings, out: str, run: dict[str, Any]) -> ShardResult:
    """Process and write a shard of fetched pages, as `process_shard` does local ones."""
    return process_docs(_fetched_documents(shard), shard.label, settings, out, run)


def fetch_source(urls: list[str], source: str, allow_private: bool | list[str], settings: Settings, out: str,
                 run: dict[str, Any]) -> list[FetchedShard]:
    """Fetch a source's URLs (archived to OUT/raw/, recorded in the catalog), in shards of
    `publish.shard_size` documents in the order they arrive; the pages are processed later, by
    `process_fetched` in the worker processes."""
    from tasks.inputs.warc import WarcArchive  # noqa: PLC0415
    from tasks.web.catalog import Catalog  # noqa: PLC0415 - sqlite and httpx only for web sources
    from tasks.web.fetch import fetch_urls  # noqa: PLC0415

    raw = Path(out) / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    with WarcArchive(raw / f"{run['run_id']}-{source}.warc.gz") as warc, Catalog(Path(out) / "catalog.sqlite") as cat:
        fetched = fetch_urls(urls, settings.fetch, warc, catalog=cat, allow_private=allow_private,
                             run_id=run["run_id"])
        light = (dataclasses.replace(doc, raw=None) for doc in fetched)
        return [FetchedShard(k, source, tuple(batch))
                for k, batch in enumerate(_batched(light, settings.publish.shard_size))]


def reject_shard(shard: Shard | FetchedShard, reason: str, error: str, settings: Settings, out: str,
                 run: dict[str, Any]) -> ShardResult:
    """Write every document of a shard that could not be processed as rejected with `reason`
    (read again here, in the flow's process, so that each keeps its id and source)."""
    docs = shard.documents if isinstance(shard, FetchedShard) else _documents(shard, settings)
    records = ((dataclasses.replace(doc, raw=None).reject(reason, error).record(), None) for doc in docs)
    result = _write(records, shard.label, settings, out, run, {})  # rejected: no dedup signature
    if isinstance(shard, Shard):
        result.shard = shard.index
    return result
