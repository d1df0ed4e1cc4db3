"""The run's dedup phase, between the shard tasks and the commit (README, "Deduplication").

Shards return compact signatures; here the flow decides, in one deterministic
order, which documents are copies (tasks/dedup/index.py) and which short lines
repeat across a host's pages (tasks/dedup/boilerplate.py); then one task per
affected part rewrites that part (tasks/output/rewrite.py) on the flow's task
runner (threads, or Dask workers). After the commit, `remember` stores the
published signatures for later runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task

from config import Settings
from tasks.dedup.apply import Change
from tasks.dedup.boilerplate import site_boilerplate
from tasks.dedup.index import find_copies, input_order
from tasks.dedup.signature import Signature
from tasks.dedup.store import earlier_documents
from tasks.dedup.store import remember as store_signatures
from tasks.output.publish import ShardResult
from tasks.output.rewrite import rewrite_part


@dataclass
class DedupOutcome:
    """What the phase did: counts for the report, and what to store once the run has committed."""

    published: list[Signature] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


@task(name="dedup-rewrite-part", task_run_name="dedup-part-{label}", cache_result_in_memory=False)
def rewrite_part_task(out: str, run: dict[str, Any], label: str, changes: dict[str, Change],
                      settings: Settings) -> tuple[ShardResult, list[str]]:
    """Thin wrapper: `tasks.output.rewrite.rewrite_part`."""
    return rewrite_part(out, run, label, changes, settings)


def _label(result: ShardResult) -> str | None:
    corpus = [p for p in result.parts if p.startswith("corpus/")]
    return corpus[0].removeprefix("corpus/part-").removesuffix(".jsonl.gz") if corpus else None


def deduplicate(results: list[ShardResult], settings: Settings, out: str,
                run: dict[str, Any]) -> tuple[list[ShardResult], DedupOutcome]:
    """Reject copies and cut site boilerplate in the run's written parts; returns the parts' new counts."""
    started = time.process_time()
    signatures = input_order(s for r in results for s in r.signatures)
    earlier = list(earlier_documents(Path(out), settings.dedup)) if settings.dedup.across_runs else []
    decisions = find_copies(signatures, earlier, settings.dedup)
    kept = decisions.kept(signatures)
    boilerplate = site_boilerplate(kept, settings.dedup.boilerplate_min_pages)
    changes: dict[str, dict[str, Change]] = {}
    for sig in signatures:
        if (copy := decisions.copies.get(sig.doc_id)) is not None:
            changes.setdefault(sig.part, {})[sig.doc_id] = Change(copy=copy)
        elif sig.doc_id in boilerplate:
            changes.setdefault(sig.part, {})[sig.doc_id] = Change(boilerplate=tuple(boilerplate[sig.doc_id]))
    decided = time.process_time() - started
    by_label = {_label(r): i for i, r in enumerate(results)}
    futures = [(by_label[label], rewrite_part_task.submit(out, run, label, part_changes, settings))
               for label, part_changes in sorted(changes.items())]
    results = list(results)
    unpublished: set[str] = set()
    for i, future in futures:
        new, dropped = future.result()
        new.shard, new.stage_seconds = results[i].shard, results[i].stage_seconds
        results[i] = new
        unpublished.update(dropped)
    copies = decisions.copies.values()
    outcome = DedupOutcome(
        published=[s for s in kept if s.doc_id not in unpublished], replaced=decisions.replaced,
        counts={"duplicates": sum(c.reason == "duplicate" for c in copies),
                "near_duplicates": sum(c.reason == "near_duplicate" for c in copies),
                "of_earlier_runs": sum(c.earlier_run is not None for c in copies),
                "replaced_earlier": len(decisions.replaced),
                "site_boilerplate_lines": sum(len(v) for v in boilerplate.values()),
                "site_boilerplate_documents": len(boilerplate),
                "earlier_documents": len(earlier), "signatures": len(signatures),
                "parts_rewritten": len(futures), "decide_cpu_seconds": round(decided, 3)})
    get_run_logger().info("dedup: %s", ", ".join(f"{k} {v}" for k, v in outcome.counts.items()))
    return results, outcome


def remember(out: str, run: dict[str, Any], outcome: DedupOutcome, settings: Settings) -> None:
    """After the commit: the run's published signatures become the next runs' earlier documents."""
    if settings.dedup.across_runs:
        store_signatures(Path(out), run["run_id"], outcome.published, outcome.replaced, settings.dedup)
