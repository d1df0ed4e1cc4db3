"""A written part rewritten once the run's dedup decisions are known (before commit).

Bounded: only parts holding a copy or a site-boilerplate line are rewritten, one
part (at most `publish.shard_size` records) at a time, streamed record by record.
The part's counts are made again by the same writer, so the report stays exact.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from config import Settings
from tasks.dedup.apply import Change, apply_change
from tasks.output.publish import ShardResult, ShardWriter, run_dir


def _part_records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def rewrite_part(out: str, run: dict[str, Any], label: str, changes: dict[str, Change],
                 settings: Settings) -> tuple[ShardResult, list[str]]:
    """Part `label` again, with `changes` (by document id) applied to its published records; returns its new
    counts and the ids of the records it no longer publishes."""
    base = run_dir(Path(out), run["run_id"])
    writer = ShardWriter(Path(out), run["run_id"], label, run, settings.publish.examples_per_reason)
    unpublished = []
    for record in _part_records(base / "corpus" / writer.name):
        if (change := changes.get(record["id"])) is not None:
            apply_change(record, change, settings)
            if record.get("reject_reason"):
                unpublished.append(record["id"])
        writer.write(record)
    for record in _part_records(base / "rejected" / writer.name):
        writer.write(record)
    result = writer.close()
    for kind in ("corpus", "rejected"):  # a part left with nothing of a kind is removed
        if f"{kind}/{writer.name}" not in result.parts:
            (base / kind / writer.name).unlink(missing_ok=True)
    return result, unpublished
