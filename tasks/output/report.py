"""The run summary: shard results merged, written as JSON and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tasks.output.publish import ShardResult


def summarize(results: list[ShardResult], run: dict[str, Any], seconds: float) -> dict[str, Any]:
    rejected: Counter[str] = Counter()
    spans: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    examples: dict[str, list[dict[str, str]]] = {}
    rejected_docs: list[dict[str, str]] = []
    for r in results:
        rejected.update(r.rejected)
        spans.update(r.removed_spans)
        chars.update(r.removed_chars)
        langs.update(r.languages)
        stages.update(r.stage_seconds)
        for reason, ex in r.examples.items():
            examples.setdefault(reason, []).extend(ex[: max(0, 3 - len(examples.get(reason, [])))])
        rejected_docs.extend(r.rejected_docs)
    stage_total = sum(stages.values()) or 1.0
    return {
        **run,
        "documents": sum(r.documents for r in results),
        "published": sum(r.published for r in results),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": dict(rejected.most_common()),
        "removed_spans_by_reason": dict(spans.most_common()),
        "removed_chars_by_reason": dict(chars.most_common()),
        "languages": dict(langs.most_common()),
        "bytes_in": sum(r.bytes_in for r in results),
        "chars_published": sum(r.chars_published for r in results),
        "shards": len(results),
        "parts": sorted(str(r.shard) for r in results),
        "seconds": round(seconds, 3),
        "stage_seconds": {k: {"seconds": round(v, 3), "share": round(v / stage_total, 3)}
                          for k, v in stages.items()},
        "removal_examples": examples,
        "rejected_documents": rejected_docs[:200],
    }


def markdown(summary: dict[str, Any]) -> str:
    lines = [f"# sieve run {summary['run_id']}", "",
             f"Documents in: {summary['documents']}, published: {summary['published']}, "
             f"rejected: {summary['rejected']}, time: {summary['seconds']} s, shards: {summary['shards']}.", "",
             "## Rejected by reason", "", "| reason | documents |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary["rejected_by_reason"].items()]
    if dedup := summary.get("dedup"):
        lines += ["", "## Duplicates", "", "| figure | value |", "|---|---|"]
        lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in dedup.items()]
    lines += ["", "## Removed spans by reason", "", "| reason | spans | characters | example |", "|---|---|---|---|"]
    for k, v in summary["removed_spans_by_reason"].items():
        ex = summary["removal_examples"].get(k, [{}])[0].get("snippet", "").replace("|", "\\|")
        lines.append(f"| {k} | {v} | {summary['removed_chars_by_reason'].get(k, 0)} | {ex} |")
    lines += ["", "## Languages", "", "| language | documents |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary["languages"].items()]
    lines += ["", "## Time per stage", "", "| stage | seconds | share |", "|---|---|---|"]
    lines += [f"| {k} | {v['seconds']} | {v['share']:.0%} |" for k, v in summary["stage_seconds"].items()]
    if summary["rejected_documents"]:
        lines += ["", "## Rejected documents", "", "| id | source | reason | error |", "|---|---|---|---|"]
        lines += [f"| {d['id']} | {d['uri']} | {d['reason']} | {d['error'][:80]} |"
                  for d in summary["rejected_documents"][:50]]
    return "\n".join(lines) + "\n"


def write_reports(folder: Path, summary: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "summary.md").write_text(markdown(summary), encoding="utf-8")
