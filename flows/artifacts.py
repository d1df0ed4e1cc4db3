"""What a sieve run shows in the Prefect UI: artifacts and stage-count log lines.

Per flow run, under stable keys (so the UI's Artifacts page keeps one lineage
per source, each run a new version):

    sieve-<source>-progress   progress (0-100): shards finished, created at the start, updated per shard
    sieve-<source>-summary    table: documents in, published, rejected and removed spans by reason,
                              languages, bytes, seconds per stage
    sieve-<source>-report     markdown: top removal reasons with example snippets, rejected documents
                              and why, failed fetches with their errors
    sieve-<source>-manifest   markdown: the run's published manifest: its path, counts and parts
    sieve-<source>-failed-pages  table (runs that fetched): url, reason, error of each page that did not arrive

`<source>` is the flow's `source` parameter (`cli`, `configured`, a scheduled
source's name, `adhoc`), lower-cased with anything but letters, digits and
dashes turned into dashes (Prefect refuses other keys).

Artifacts are reporting: a failure to create one is logged as a warning and
never fails a run whose corpus is already published.

Problems of a source are visible without opening anything (`run_outcome`): a
fetched source some of whose pages did not arrive makes the run end "Completed
with warnings", the counts as its message, each also a WARNING log line and
listed first in the report. That state is of type CRASHED: Prefect 3 has no
warning state type, its UI draws every COMPLETED state green and its dashboard
counts them as successes whatever their name, and CRASHED is the one terminal
type drawn in the UI's warning colour (orange) and counted with the failures,
without Failed's retries. A run in which more than `fetch.max_failed_share` of
the fetched pages failed, or a source whose task failed, ends Failed with the
reason. Either way the corpus is published first: one bad source never stops
the others.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.runtime import flow_run
from prefect.states import Crashed, State

# Reject reasons that mean the page never arrived (tasks/web/fetch.py), as opposed to
# a page that arrived and was judged (too_short, language_xx, unchanged, ...).
FETCH_FAILURES = frozenset({"blocked_address", "connect_error", "dns_error", "fetch_failed", "invalid_url",
                            "protocol_error", "robots_disallowed", "timeout", "redirect_loop", "too_many_redirects"})
TOP_REASONS = 8
EXAMPLES_PER_REASON = 3
REJECTED_ROWS = 50
SNIPPET_CHARS = 160
WARNINGS_STATE = "Completed with warnings"


def artifact_key(source: str, kind: str) -> str:
    """`sieve-<source>-<kind>`, made of lowercase letters, digits and dashes only."""
    slug = re.sub(r"[^a-z0-9-]+", "-", str(source).lower()).strip("-") or "run"
    return re.sub(r"-{2,}", "-", f"sieve-{slug}-{kind}")


def _source() -> str:
    return str((flow_run.get_parameters() or {}).get("source") or "local")


def _in_flow_run() -> bool:
    return flow_run.get_id() is not None


def _logger():
    return get_run_logger() if _in_flow_run() else logging.getLogger("sieve")


def _warn(what: str, exc: Exception) -> None:
    _logger().warning("could not create the %s artifact: %s: %s", what, type(exc).__name__, exc)


# --- progress -----------------------------------------------------------------------------------------------


@dataclass
class _Progress:
    artifact_id: UUID | None
    total: int  # shards planned (local inputs) plus one per fetched source
    done: int = 0
    documents: int = 0


_PROGRESS: dict[str, _Progress] = {}


def _count_work(settings: Any, paths: list[str] | None, urls: list[str] | None, sources: list[str] | None) -> int:
    """Shards the run will process (planned the way flows.pipeline plans them) plus one per fetched source."""
    from flows.pipeline import source_paths, source_urls_to_fetch  # noqa: PLC0415 - flows.pipeline imports us
    from tasks.inputs.read import iter_input_files  # noqa: PLC0415

    shards = 0
    for _, src_paths in source_paths(settings, paths, urls, sources):
        files = sum(1 for _ in iter_input_files(src_paths, settings.read))
        shards += math.ceil(files / settings.publish.shard_size)
    fetches = len(source_urls_to_fetch(settings, paths, urls, False, sources))
    return shards + fetches


def start_progress(settings: Any, paths: list[str] | None = None, urls: list[str] | None = None,
                   sources: list[str] | None = None) -> None:
    """Create the run's progress artifact at 0 (call once, at the start of the flow)."""
    if not _in_flow_run():
        return
    run_id = str(flow_run.get_id())
    try:
        total = _count_work(settings, paths, urls, sources)
    except Exception:  # noqa: BLE001 - an estimate only; the run itself will report a bad input
        total = 0
    state = _Progress(None, total)
    _PROGRESS[run_id] = state
    try:
        state.artifact_id = create_progress_artifact(
            0.0, key=artifact_key(_source(), "progress"),
            description=f"sieve: 0 of {total} shards ({_source()})")
    except Exception as exc:  # noqa: BLE001 - reporting must not fail the run
        _warn("progress", exc)


def shard_progress(results: Sequence[Any]) -> None:
    """Move the progress artifact: `results` are the shard results finished so far (call per shard)."""
    state = _PROGRESS.get(str(flow_run.get_id())) if _in_flow_run() else None
    if state is None or state.artifact_id is None:
        return
    state.done = len(results)
    state.documents = sum(getattr(r, "documents", 0) for r in results)
    # Never 100 before the run is published; the total is an estimate when inputs change under the run.
    share = min(99.0, 100.0 * state.done / state.total) if state.total else 0.0
    try:
        update_progress_artifact(state.artifact_id, round(share, 1),
                                 description=f"sieve: {state.done} of {state.total} shards, "
                                             f"{state.documents} documents")
    except Exception as exc:  # noqa: BLE001 - reporting must not fail the run
        _warn("progress", exc)


# --- summary table, report, manifest link --------------------------------------------------------------------


def summary_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: section, name, value, detail."""
    rows: list[dict[str, Any]] = []

    def add(section: str, name: str, value: Any, detail: str = "") -> None:
        rows.append({"section": section, "name": name, "value": value, "detail": detail})

    add("counts", "documents in", summary["documents"])
    add("counts", "published", summary["published"])
    add("counts", "rejected", summary["rejected"])
    add("counts", "bytes in", summary.get("bytes_in", 0))
    add("counts", "characters published", summary.get("chars_published", 0))
    add("counts", "shards", summary.get("shards", 0), workers_text(summary))
    add("counts", "seconds", summary.get("seconds", 0))
    for warning in summary.get("warnings", []):
        add("warnings", "warning", warning)
    for reason, n in summary.get("rejected_by_reason", {}).items():
        add("rejected", reason, n)
    chars = summary.get("removed_chars_by_reason", {})
    for reason, n in summary.get("removed_spans_by_reason", {}).items():
        add("spans removed", reason, n, f"{chars.get(reason, 0)} characters")
    for lang, n in summary.get("languages", {}).items():
        add("languages", lang, n)
    for stage, v in summary.get("stage_seconds", {}).items():
        add("stage seconds", stage, v["seconds"], f"{v['share']:.0%}")
    return rows


def workers_text(summary: dict[str, Any]) -> str:
    """Who did the work: `2 workers`, or `3 Dask workers at tcp://...`."""
    n = summary.get("workers", 1)
    if address := summary.get("dask_address"):
        return f"{n} Dask worker{'s' if n != 1 else ''} at {address}"
    return f"{n} worker{'s' if n != 1 else ''}"


def md_cell(text: Any, limit: int = SNIPPET_CHARS) -> str:
    """Text safe inside a Markdown table cell: one line, no markup, no pipes, bounded."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("`", "\\`").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]"))


def is_fetch_failure(reason: str) -> bool:
    return reason in FETCH_FAILURES or reason.startswith("http_")


def report_markdown(summary: dict[str, Any], manifest: str | None = None) -> str:
    rejected_by = summary.get("rejected_by_reason", {})
    lines = [f"# sieve run `{summary.get('run_id', '')}`", "",
             f"**{summary['documents']}** documents in, **{summary['published']}** published, "
             f"**{summary['rejected']}** rejected, {summary.get('shards', 0)} shards, "
             f"{summary.get('seconds', 0)} s."]
    if manifest:
        lines += ["", f"Manifest: `{manifest}`"]
    if warnings := summary.get("warnings"):
        lines += ["", "## Warnings", ""]
        lines += [f"- {md_cell(w, 400)}" for w in warnings]
    spans = summary.get("removed_spans_by_reason", {})
    chars = summary.get("removed_chars_by_reason", {})
    examples = summary.get("removal_examples", {})
    lines += ["", "## Top removal reasons", ""]
    if spans:
        lines += ["| reason | spans | characters |", "|---|---|---|"]
        lines += [f"| {md_cell(reason, 60)} | {n} | {chars.get(reason, 0)} |"
                  for reason, n in list(spans.items())[:TOP_REASONS]]
        for reason, _n in list(spans.items())[:TOP_REASONS]:
            unique = {md_cell(e.get("snippet", "")): e for e in examples.get(reason, [])}  # one line per snippet
            if found := list(unique.values())[:EXAMPLES_PER_REASON]:
                lines += ["", f"**{md_cell(reason, 60)}**", ""]
                lines += [f"- \u201c{md_cell(e.get('snippet', ''))}\u201d ({md_cell(e.get('rule', ''), 40)}, "
                          f"document {md_cell(e.get('doc', ''), 24)})" for e in found]
        if len(spans) > TOP_REASONS:
            lines += ["", f"…and {len(spans) - TOP_REASONS} more reasons (see the summary table)."]
    else:
        lines.append("Nothing was removed.")
    docs = summary.get("rejected_documents", [])
    failed = [d for d in docs if is_fetch_failure(d.get("reason", ""))]
    judged = [d for d in docs if not is_fetch_failure(d.get("reason", ""))]
    lines += ["", "## Rejected documents", ""]
    if rejected_by:
        lines.append(", ".join(f"{md_cell(k, 60)}: {v}" for k, v in rejected_by.items()))
    if judged:
        lines += ["", "| id | source | reason | detail |", "|---|---|---|---|"]
        lines += [f"| {md_cell(d.get('id', ''), 24)} | {md_cell(d.get('uri', ''), 120)} | "
                  f"{md_cell(d.get('reason', ''), 60)} | {md_cell(d.get('error', ''), 120)} |"
                  for d in judged[:REJECTED_ROWS]]
    elif not rejected_by:
        lines.append("None.")
    if failed or any(is_fetch_failure(r) for r in rejected_by):
        lines += ["", "## Failed fetches", "", "| URL | reason | error |", "|---|---|---|"]
        lines += [f"| {md_cell(d.get('uri', ''), 160)} | {md_cell(d.get('reason', ''), 60)} | "
                  f"{md_cell(d.get('error', ''), 200)} |" for d in failed[:REJECTED_ROWS]]
    shown = len(judged[:REJECTED_ROWS]) + len(failed[:REJECTED_ROWS])
    if summary["rejected"] > shown:
        lines += ["", f"{summary['rejected'] - shown} more rejected documents are in `OUT/rejected/`."]
    return "\n".join(lines) + "\n"


def log_stage_counts(summary: dict[str, Any]) -> None:
    """The run's counts in the flow run's log (visible in the UI's Logs tab)."""
    logger = _logger()
    logger.info("stage counts: documents in %s, published %s, rejected %s, shards %s, bytes in %s",
                summary["documents"], summary["published"], summary["rejected"], summary.get("shards", 0),
                summary.get("bytes_in", 0))
    logger.info("rejected by reason: %s", _pairs(summary.get("rejected_by_reason", {})))
    logger.info("spans removed by reason: %s", _pairs(summary.get("removed_spans_by_reason", {})))
    logger.info("languages: %s", _pairs(summary.get("languages", {})))
    logger.info("seconds per stage: %s", ", ".join(f"{k} {v['seconds']} s ({v['share']:.0%})"
                                                   for k, v in summary.get("stage_seconds", {}).items()) or "none")


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def manifest_markdown(manifest_path: Path) -> str:
    """The published manifest as the UI shows it: its path to copy (browsers do not follow a file:// link
    from an http page, but the link is there for those that do), counts and each part."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    counts = manifest.get("counts", {})
    lines = [f"# Manifest of run `{md_cell(manifest.get('run_id', ''), 80)}`", "",
             f"`{manifest_path}` ([open]({manifest_path.as_uri()}))", "",
             f"**{counts.get('documents', 0)}** documents, **{counts.get('published', 0)}** published, "
             f"**{counts.get('rejected', 0)}** rejected; config sha256 `{manifest.get('config_sha256', '')[:12]}`, "
             f"pipeline {md_cell(manifest.get('pipeline_version', ''), 40)}.", "",
             "| part | bytes | sha256 |", "|---|---|---|"]
    lines += [f"| {md_cell(p['path'], 80)} | {p['bytes']} | `{p['sha256']}` |"
              for p in [*manifest.get("parts", []), *manifest.get("rejected_parts", [])]]
    return "\n".join(lines) + "\n"


def publish_artifacts(summary: dict[str, Any], manifest_path: str | Path,
                      failed: list[dict[str, str]] | None = None) -> None:
    """Log the stage counts and create the run's artifacts (call after the output is committed); `failed`, the
    failed-pages rows of a run that fetched (None when it fetched nothing: no failed-pages artifact)."""
    if not _in_flow_run():
        return
    log_stage_counts(summary)
    source = _source()
    manifest = Path(manifest_path).resolve()
    state = _PROGRESS.pop(str(flow_run.get_id()), None)
    steps = [
        ("summary", lambda: create_table_artifact(
            summary_table(summary), key=artifact_key(source, "summary"),
            description=f"sieve run {summary.get('run_id', '')}: counts, reasons, languages, seconds per stage")),
        ("report", lambda: create_markdown_artifact(
            report_markdown(summary, str(manifest)), key=artifact_key(source, "report"),
            description=f"sieve run {summary.get('run_id', '')}: removals with examples, rejected documents")),
        ("manifest", lambda: create_markdown_artifact(
            manifest_markdown(manifest), key=artifact_key(source, "manifest"),
            description=f"published manifest of run {summary.get('run_id', '')}")),
    ]
    if failed is not None:  # a new version every run that fetched, so an old failure never looks current
        steps.append(("failed-pages", lambda: create_table_artifact(
            failed or [{"source": "", "url": "", "reason": "", "error": "every fetched page arrived"}],
            key=artifact_key(source, "failed-pages"),
            description=f"sieve run {summary.get('run_id', '')}: {len(failed)} fetched pages did not arrive")))
    if state is not None and state.artifact_id is not None:
        steps.append(("progress", lambda: update_progress_artifact(
            state.artifact_id, 100.0,
            description=f"sieve: done, {summary.get('shards', 0)} shards, {summary['documents']} documents, "
                        f"{summary['published']} published")))
    for what, create in steps:
        try:
            create()
        except Exception as exc:  # noqa: BLE001 - the corpus is already published; reporting must not fail it
            _warn(what, exc)


# --- how the run ends -----------------------------------------------------------------------------------------


class SourceFailed(RuntimeError):
    """A source's task failed; the run published the other sources first."""


class FetchesFailed(RuntimeError):
    """More than `fetch.max_failed_share` of the run's fetched pages did not arrive."""


def _failures(results: Sequence[Any]) -> tuple[int, Counter[str]]:
    """Documents of fetched results, and their fetch failures by reason."""
    failed: Counter[str] = Counter()
    for r in results:
        failed.update({reason: n for reason, n in r.rejected.items() if is_fetch_failure(reason)})
    return sum(r.documents for r in results), failed


def fetch_warning(source: str, results: Sequence[Any]) -> str | None:
    """A warning with the counts when some of a fetched source's pages did not arrive, else None."""
    documents, failed = _failures(results)
    n = sum(failed.values())
    if not n:
        return None
    share = f"all {documents}" if n == documents else f"{n} of {documents}"
    return f"source {source}: {share} fetches failed ({_pairs(dict(failed.most_common()))})"


def fetch_failure(fetched: Sequence[tuple[str, Sequence[Any]]], max_failed_share: float) -> str | None:
    """Why the run fails when more than `max_failed_share` of all its fetched pages did not arrive, else None."""
    documents, failed = _failures([r for _, results in fetched for r in results])
    n = sum(failed.values())
    if not documents or n <= max_failed_share * documents:
        return None
    return (f"{n} of {documents} fetched pages failed ({n / documents:.0%} > fetch.max_failed_share="
            f"{max_failed_share:.0%}): {_pairs(dict(failed.most_common()))}")


def failed_pages(fetched: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, str]]:
    """The failed-pages table: source, url, reason, error of each fetched page that did not arrive
    (the first 200 of each batch of `publish.shard_size` pages, as the shard results keep them)."""
    return [{"source": name, "url": d.get("uri", ""), "reason": d.get("reason", ""), "error": d.get("error", "")}
            for name, results in fetched for r in results for d in r.rejected_docs
            if is_fetch_failure(d.get("reason", ""))]


def run_outcome(summary: dict[str, Any], crashed: list[str], warnings: list[str],
                failure: str | None = None) -> dict[str, Any] | State:
    """What the flow returns (call last, after publishing): the summary; a CRASHED-type state named
    "Completed with warnings" (the summary as its result) when `warnings`; SourceFailed when `crashed`,
    FetchesFailed when `failure` (too many pages did not arrive)."""
    logger = _logger()
    for problem in [*crashed, *([failure] if failure else []), *warnings]:
        logger.warning(problem)
    published = f"(the rest was published in run {summary.get('run_id')})"
    if crashed:
        raise SourceFailed("; ".join(crashed) + f" {published}")
    if failure:
        raise FetchesFailed(f"{failure} {published}")
    if warnings:
        return warning_state(summary, "; ".join(warnings))
    return summary


def warning_state(summary: dict[str, Any], message: str) -> State:
    """The state of a run that published but not everything: orange in the UI, with the failures on the
    dashboard (see the module's docstring for why CRASHED), its result the summary."""
    return Crashed(data=summary, name=WARNINGS_STATE, message=message)


def is_warning_state(state: State) -> bool:
    return state.is_crashed() and state.name == WARNINGS_STATE
