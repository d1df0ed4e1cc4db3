"""Published output: shards, manifest, rejected documents, reports; atomic.

A run writes everything into `OUT/runs/<run_id>/`. Only when all of it is on
disk does the `OUT/current` symlink switch to it (one rename, atomic), and
`OUT/corpus`, `OUT/rejected` and `OUT/reports` point through `current`. A run
that dies leaves `current`, so the previous corpus, untouched, and its own
half-written files out of sight.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.record import stamp_run
from tasks.web.catalog import requested_url_of

PUBLIC_DIRS = ("corpus", "rejected", "reports")


@dataclass
class ShardResult:
    """What one shard produced: small, so it can travel back through Prefect."""

    shard: int | str
    documents: int = 0
    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    removed_spans: Counter[str] = field(default_factory=Counter)
    removed_chars: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    chars_published: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    rejected_docs: list[dict[str, str]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    # (requested URL, document id, sha256) of published web pages, for the catalog.
    published_urls: list[tuple[str, str, str]] = field(default_factory=list)


def run_dir(out: Path, run_id: str) -> Path:
    return out / "runs" / run_id


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class ShardWriter:
    """Writes one shard's published and rejected records as gzipped JSONL parts."""

    def __init__(self, out: Path, run_id: str, label: str, run: dict[str, Any], examples_per_reason: int) -> None:
        self.base = run_dir(out, run_id)
        self.run = run
        self.result = ShardResult(shard=label)
        self.examples_per_reason = examples_per_reason
        self.name = f"part-{label}.jsonl.gz"
        self._files: dict[str, Any] = {}

    def _file(self, kind: str):
        if kind not in self._files:
            folder = self.base / kind
            folder.mkdir(parents=True, exist_ok=True)
            self._files[kind] = gzip.open(  # noqa: SIM115 - closed in close(), after the last write
                folder / f".{self.name}.tmp", "wt", encoding="utf-8", compresslevel=6)
        return self._files[kind]

    def write(self, record: dict[str, Any]) -> None:
        """Stamp a document's record (`Document.record`) with the run, count it, write it to its part."""
        stamp_run(record, self.run)
        r = self.result
        source, removed = record["source"], record["provenance"]["removed"]
        r.documents += 1
        r.bytes_in += source.get("size", 0)
        for rem in removed:
            r.removed_spans[rem["reason"]] += 1
            r.removed_chars[rem["reason"]] += rem["chars"]
            examples = r.examples.setdefault(rem["reason"], [])
            if len(examples) < self.examples_per_reason:
                examples.append({"doc": record["id"], "rule": rem["rule"], "snippet": rem["snippet"]})
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        if reason := record.get("reject_reason"):
            r.rejected[reason] += 1
            if len(r.rejected_docs) < 200:
                r.rejected_docs.append({"id": record["id"], "uri": source["uri"], "reason": reason,
                                        "error": record.get("error") or ""})
            self._file("rejected").write(line)
        else:
            r.published += 1
            r.languages[record["lang"] or "und"] += 1
            r.chars_published += len(record["text"])
            if source["kind"] == "http":
                r.published_urls.append((requested_url_of(record["provenance"]["steps"], source["uri"]),
                                         record["id"], source["sha256"]))
            self._file("corpus").write(line)

    def close(self) -> ShardResult:
        for kind, fh in self._files.items():
            fh.close()
            folder = self.base / kind
            os.replace(folder / f".{self.name}.tmp", folder / self.name)
            self.result.parts.append(f"{kind}/{self.name}")
        return self.result


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(out: Path, run_id: str, run: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    base = run_dir(out, run_id)
    parts = []
    for kind in ("corpus", "rejected"):
        folder = base / kind
        folder.mkdir(parents=True, exist_ok=True)
        for part in sorted(folder.glob("part-*.jsonl.gz")):
            parts.append({"path": f"{kind}/{part.name}", "sha256": sha256_file(part), "bytes": part.stat().st_size})
    manifest = {**run, "counts": {k: summary[k] for k in ("documents", "published", "rejected")},
                "parts": [p for p in parts if p["path"].startswith("corpus/")],
                "rejected_parts": [p for p in parts if p["path"].startswith("rejected/")]}
    _atomic_write(base / "corpus" / "manifest.json", json.dumps(manifest, indent=2).encode())
    return manifest


COMMITTED = ".committed"


def commit(out: Path, run_id: str, keep_runs: int) -> None:
    """Make `run_id` the current output: mark it committed, one atomic symlink swap, then prune old runs.

    The caller holds OUT/'s lock (tasks/output/lock.py), so no other run is writing."""
    out.mkdir(parents=True, exist_ok=True)
    previous = out / "current"
    if previous.is_symlink() and previous.resolve().is_dir():
        _mark_committed(previous.resolve())  # a run committed before runs were marked
    _mark_committed(run_dir(out, run_id))
    tmp = out / f".current-{run_id}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("runs") / run_id)
    os.replace(tmp, out / "current")
    for name in PUBLIC_DIRS:
        link = out / name
        if link.is_symlink() and os.readlink(link) == str(Path("current") / name):
            continue
        if link.exists() and not link.is_symlink():
            shutil.rmtree(link) if link.is_dir() else link.unlink()
        tmp_link = out / f".{name}-link"
        if tmp_link.is_symlink():
            tmp_link.unlink()
        tmp_link.symlink_to(Path("current") / name)
        os.replace(tmp_link, link)
    prune_runs(out, run_id, keep_runs)


def _mark_committed(folder: Path) -> None:
    if not (folder / COMMITTED).exists():
        _atomic_write(folder / COMMITTED, json.dumps({"committed_at": time.time()}).encode())


def _committed_at(folder: Path) -> float:
    try:
        return float(json.loads((folder / COMMITTED).read_text())["committed_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return -1.0


def prune_runs(out: Path, current: str, keep_runs: int) -> list[str]:
    """Remove committed runs older than the last `keep_runs` (0: keep all) and every run folder that never
    committed (a killed run's: under OUT/'s lock no other run is writing); `current` always stays.
    Returns the names removed."""
    runs = [p for p in (out / "runs").iterdir() if p.is_dir() and p.name != current]
    committed = sorted((p for p in runs if (p / COMMITTED).exists()), key=lambda p: (_committed_at(p), p.name))
    doomed = [p for p in runs if not (p / COMMITTED).exists()]
    if keep_runs > 0:
        doomed += committed[: max(0, len(committed) - (keep_runs - 1))]
    for old in doomed:
        shutil.rmtree(old, ignore_errors=True)
    return sorted(p.name for p in doomed)


def iter_records(out: Path, kinds: tuple[str, ...] = ("corpus", "rejected")):
    """Every record of the current output (for inspect and eval)."""
    for kind in kinds:
        folder = out / kind
        if not folder.exists():
            continue
        for part in sorted(folder.glob("part-*.jsonl.gz")):
            with gzip.open(part, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)
