"""A shard: a list of inputs processed together and written as one part.

Shards carry references (paths, URLs), never document payloads, so memory does
not grow with the corpus and a shard can run in any process or Dask worker.
The shard plan depends only on the sorted inputs, so the output is the same
whatever the number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import Settings
from tasks.pipeline import StageTimer, process_document
from tasks.publish import ShardResult, ShardWriter
from tasks.read import iter_input_files, read_inputs


@dataclass(frozen=True)
class Shard:
    index: int
    source: str
    inputs: tuple[str, ...]


def plan_shards(paths: Iterable[str | Path], settings: Settings, source: str = "local",
                start: int = 0) -> Iterator[Shard]:
    files = (str(p) for p in iter_input_files(paths, settings.read))
    for k, batch in enumerate(_batched(files, settings.publish.shard_size)):
        yield Shard(start + k, source, tuple(batch))


def _batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def process_shard(shard: Shard, settings: Settings, out: str, run: dict[str, Any]) -> ShardResult:
    """Read, process and write every document of one shard; returns counts only."""
    timer = StageTimer()
    writer = ShardWriter(Path(out), run["run_id"], shard.index, run, settings.publish.examples_per_reason)
    for name in shard.inputs:
        for doc in read_inputs(Path(name), settings.read):
            writer.write(process_document(doc, settings, timer))
    result = writer.close()
    result.stage_seconds = timer.seconds
    return result
