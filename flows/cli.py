"""The `sieve` command: run, eval, inspect. Thin: parses arguments, sets up
Prefect's environment, calls the flow or the plain functions, prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def prefect_env() -> None:
    """Defaults that make a local (ephemeral) Prefect run reliable here; user settings win."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The ephemeral server of a run uses no blocks: registering Prefect's block types costs its start-up.
    os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    os.environ.setdefault("PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS", "8")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING" if os.environ.get("SIEVE_QUIET") else "INFO")


def run_pipeline(config: str | None, inputs: list[str] | None, out: str, workers: int | None,
                 dask_address: str | None = None, allow_private: bool | list[str] = False,
                 allow_empty: bool | None = None) -> dict[str, Any]:
    """Run the flow; `inputs` are paths and/or URLs, which replace the configured sources.

    Against the configured Prefect server, or Prefect's ephemeral one started for the run
    (runtime/ephemeral.py). SIGTERM and SIGINT stop the run within seconds (runtime/stop.py)."""
    prefect_env()
    from config import load_settings  # noqa: PLC0415
    from flows.pipeline import _workers, sieve_pipeline, task_runner_for  # noqa: PLC0415 - Prefect reads env
    from runtime.ephemeral import prefect_api  # noqa: PLC0415
    from runtime.stop import stop_on_signals  # noqa: PLC0415

    settings = load_settings(config)
    from tasks.output.lock import check_output_folder  # noqa: PLC0415

    out = str(check_output_folder(out))
    n = _workers(settings, workers)
    urls = [i for i in inputs or [] if "://" in i]
    paths = [os.path.abspath(i) for i in inputs or [] if "://" not in i]  # not resolve(): a symlink loop raises
    with stop_on_signals(), prefect_api():
        runner = task_runner_for(n, dask_address or settings.run.dask_address)
        state = sieve_pipeline.with_options(task_runner=runner)(
            config=config, paths=paths or None, urls=urls or None, out=out, workers=n,
            source="cli" if inputs else "configured", allow_private=allow_private, allow_empty=allow_empty,
            return_state=True)
        from flows.artifacts import is_warning_state  # noqa: PLC0415

        # Published with warnings (some pages did not arrive): the summary, its warnings printed; else the
        # result as Prefect gives it (a failed run raises its error: a UserError is shown by `main`).
        return state.result(raise_on_failure=not is_warning_state(state))


def print_summary(summary: dict[str, Any], out: str) -> None:
    table = Table(title=f"sieve run {summary['run_id']}", show_header=False)
    table.add_row("documents in", str(summary["documents"]))
    table.add_row("published", str(summary["published"]))
    table.add_row("rejected", ", ".join(f"{k}: {v}" for k, v in summary["rejected_by_reason"].items()) or "0")
    table.add_row("spans removed", ", ".join(f"{k}: {v}" for k, v in summary["removed_spans_by_reason"].items()))
    table.add_row("languages", ", ".join(f"{k}: {v}" for k, v in summary["languages"].items()))
    from flows.artifacts import workers_text  # noqa: PLC0415 - imported by the run already

    table.add_row("time", f"{summary['seconds']} s ({summary['shards']} shards, {workers_text(summary)})")
    table.add_row("stages", ", ".join(f"{k} {v['share']:.0%}" for k, v in summary["stage_seconds"].items()))
    table.add_row("corpus", str(Path(out) / "corpus"))
    for warning in summary.get("warnings", []):
        table.add_row("[yellow]warning[/yellow]", Text(warning, style="yellow"))
    console.print(table)


def cmd_run(args: argparse.Namespace) -> int:
    try:
        summary = run_pipeline(args.config, args.paths, args.out, args.workers, args.dask_address,
                               args.allow_private, args.allow_empty or None)
    except Exception as exc:
        from flows.artifacts import FetchesFailed, SourceFailed  # noqa: PLC0415 - imported by the run already

        if not isinstance(exc, FetchesFailed | SourceFailed):
            raise
        console.print(f"[red]run failed: {exc}[/red]\nreport: {Path(args.out) / 'reports' / 'summary.md'}")
        return 1
    print_summary(summary, args.out)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.html_gold:
        return eval_html_gold(args)
    if not (args.gold and args.pages):
        console.print("[red]sieve eval needs --gold and --pages (line-labelled pages), or --html-gold DIR[/red]")
        return 2
    from tasks.output.publish import iter_records  # noqa: PLC0415
    from tasks.tools.evaluate import score  # noqa: PLC0415

    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    pages = Path(args.pages)
    out = args.out or tempfile.mkdtemp(prefix="sieve-eval-")
    files = [str(pages / name) for name in gold if not name.startswith("_")]
    run_pipeline(args.config, files, out, args.workers or 1)
    records = list(iter_records(Path(out), ("corpus",)))
    rows = score(gold, pages, records)
    table = Table(title=f"sieve eval ({out})")
    for col in ("page", "records", "precision", "recall", "F1", "violations"):
        table.add_column(col)
    for r in rows:
        detail = "; ".join([*(f"forbidden: {f}" for f in r.forbidden), *(f"missing: {m[:30]}" for m in r.missing),
                            *r.issues]) or "none"
        table.add_row(r.page, str(r.records), f"{r.precision:.3f}", f"{r.recall:.3f}", f"{r.f1:.3f}", detail)
    console.print(table)
    n = len(rows) or 1
    p, rc = sum(r.precision for r in rows) / n, sum(r.recall for r in rows) / n
    bad = sum(r.violations for r in rows)
    print(f"TOTAL pages={len(rows)} macroP={p:.3f} macroR={rc:.3f} violations={bad}")
    if args.json:
        Path(args.json).write_text(json.dumps([{**r.__dict__, "f1": r.f1} for r in rows], ensure_ascii=False,
                                              indent=1), encoding="utf-8")
    return 0


def eval_html_gold(args: argparse.Namespace) -> int:
    """`sieve eval --html-gold DIR`: word F1 per page type, sieve beside trafilatura alone, and the rule audit."""
    from config import load_settings  # noqa: PLC0415
    from tasks.tools.evaluate_html import Report, evaluate_pages, gold_pages, page_record  # noqa: PLC0415

    root = Path(args.html_gold)
    if not (root / "index.jsonl").is_file():
        console.print(f"[red]{root} is not an HTML gold set: no index.jsonl (see tasks/tools/evaluate_html.py)[/red]")
        return 2
    settings = load_settings(args.config)
    pages = gold_pages(root, args.types.split(",") if args.types else None, args.limit)
    report, records = Report(), []
    for result in evaluate_pages(pages, settings, args.workers or os.cpu_count() or 1):
        report.add(result)
        if args.json:
            records.append(page_record(result))
    table = Table(title=f"word F1 on {root} ({len(pages)} pages): mean over pages, precision / recall beside")
    for col in ("page type", "pages", "trafilatura alone F1", "sieve F1 published", "- alone", "sieve P / R",
                "sieve F1 before verdicts", "- alone"):
        table.add_column(col, justify="right")
    for kind in report.types():
        alone, ours, unfiltered = (report.trafilatura[kind].mean(), report.sieve[kind].mean(),
                                   report.unfiltered[kind].mean())
        table.add_row(kind, str(report.sieve[kind].pages), f"{alone[2]:.3f}", f"{ours[2]:.3f}",
                      f"{ours[2] - alone[2]:+.3f}", f"{ours[0]:.3f} / {ours[1]:.3f}", f"{unfiltered[2]:.3f}",
                      f"{unfiltered[2] - alone[2]:+.3f}")
    console.print(table)
    console.print("rejected: " + (", ".join(f"{k} {v}" for k, v in report.rejected.most_common()) or "none"))
    console.print("'before verdicts': the cleaned text of every page, also of those the document verdicts then reject "
                  "(a language not in `languages`, too short, mostly spam): extraction and cleaning alone, as "
                  "trafilatura alone publishes every page")
    audit = Table(title="per-rule audit: characters cut that the gold keeps (content) and does not (noise)")
    for col in ("rule", "cuts", "content chars", "noise chars", "precision"):
        audit.add_column(col, justify="right")
    rules = sorted(report.rules.items(), key=lambda kv: -(kv[1].content_chars + kv[1].noise_chars))
    for rule, a in rules:
        audit.add_row(rule, str(a.cuts), f"{a.content_chars:,.0f}", f"{a.noise_chars:,.0f}", f"{a.precision:.3f}")
    console.print(audit)
    if args.examples:
        for rule, a in rules:
            for kind, examples in (("content", a.content_examples), ("noise", a.noise_examples)):
                for ex in examples:
                    console.print(f"  {rule} cut {kind}: {ex}", markup=False)
    if args.json:
        Path(args.json).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from config.errors import EXIT_FAILED, EXIT_REFUSED  # noqa: PLC0415
    from tasks.tools.inspect import find_original, find_records, reconstruct  # noqa: PLC0415

    limit = 10
    found = find_records(Path(args.out), args.doc_id, limit)
    if not found:
        errors.print(Text(f"no published or rejected document with id {args.doc_id} in {args.out}", style="red"))
        return EXIT_FAILED
    if len(found) > 1:
        more = " (the first shown)" if len(found) > limit else ""
        errors.print(Text(f"id prefix {args.doc_id!r} is ambiguous: "
                          f"{'more than ' + str(limit) if more else len(found)} documents match{more}; "
                          "give more of the id:", style="red"))
        for r in found[:limit]:
            errors.print(Text(f"  {r['id']}  {r.get('title') or ''}  {r.get('reject_reason') or 'published'}"))
        return EXIT_REFUSED
    record = found[0]
    prov = record["provenance"]
    console.print(f"[bold]{record['id']}[/bold]  {record.get('title') or ''}")
    status = f"rejected: {record['reject_reason']}" if record.get("reject_reason") else "published"
    console.print(f"status: {status}   lang: {record['lang']}   script: {record.get('script')}   "
                  f"source script: {prov.get('source_script')}")
    console.print("source: " + json.dumps(record["source"], ensure_ascii=False))
    console.print(f"pipeline {prov['pipeline_version']}  config {prov['config_sha256'][:12]}  "
                  f"flow run {prov.get('flow_run_id')}  chars {prov.get('chars')}")
    for step in prov["steps"]:
        console.print(f"  step {step['name']}: {step['library']} {json.dumps(step['parameters'])}")
    if original_id := prov.get("duplicate_of"):
        _print_original(original_id, prov, find_original(Path(args.out), record))
    paragraphs = reconstruct(record)
    console.rule("text (removed spans struck through, reason in brackets)")
    if paragraphs is None:
        console.print("[yellow]source bytes unavailable or changed; removed spans listed instead[/yellow]")
        console.print(record["text"])
        for r in prov["removed"]:
            console.print(f"  [{r['reason']}/{r['rule']}] paragraph {r['paragraph']} "
                          f"{r['start']}-{r['end']}: {r['snippet']}")
        return 0
    for line in paragraphs:
        text = Text()
        for piece, reason in line:
            if reason:
                text.append(piece, style="strike red")
                text.append(f"[{reason}]", style="bold yellow")
            else:
                text.append(piece)
        console.print(text)
    return 0


def _print_original(original_id: str, prov: dict, original: dict | None) -> None:
    """What a duplicate copies: the kept record's id, source and the start of its text."""
    run = f", published by run {prov['duplicate_of_run']}" if prov.get("duplicate_of_run") else ""
    console.rule("the record this one duplicates")
    console.print(f"duplicate of {original_id} (similarity {prov.get('similarity')}{run})", soft_wrap=True)
    if original is None:
        console.print("[yellow]that record is no longer on disk (its run snapshot was pruned)[/yellow]")
        return
    console.print(f"{original.get('title') or ''}  source: {original['source']['uri']}", soft_wrap=True)
    text = original["text"]
    console.print(text[:400] + ("…" if len(text) > 400 else ""), soft_wrap=True)


def cmd_sources(args: argparse.Namespace) -> int:
    from tasks.inputs.sources import add_urls, list_sources, remove_url  # noqa: PLC0415 - SourceError: main shows it

    if args.action == "add":
        stored = add_urls(args.file, args.source, args.urls)
        for url in stored:
            console.print(f"added {url} to {args.source}")
    elif args.action == "remove":
        name = remove_url(args.file, args.url)
        console.print(f"removed {args.url} from {name}")
    else:
        table = Table(title=str(args.file))
        for col in ("source", "schedule", "urls", "seed file", "max pages"):
            table.add_column(col)
        for src in list_sources(args.file):
            table.add_row(src.name, src.schedule or "", "\n".join(src.urls), src.seed_file or "",
                          str(src.max_pages or ""))
        console.print(table)
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    from runtime.server import run_server  # noqa: PLC0415

    return run_server(args.host, args.port, args.timeout)


def cmd_serve(args: argparse.Namespace) -> int:
    prefect_env()
    from flows.deploy import DeployError, serve_deployments  # noqa: PLC0415 - Prefect reads env

    try:
        return serve_deployments(args.config, args.out, args.pause_on_shutdown, args.timezone, args.limit or None)
    except DeployError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2


def allow_list(value: str) -> list[str]:
    """`--allow-private LIST`: CIDR ranges and host names, checked here so a mistake is one line, not a run."""
    from tasks.web.address import AddressPolicy  # noqa: PLC0415

    if "://" in value or Path(value).exists():
        raise argparse.ArgumentTypeError(f"{value!r} looks like an input, not an allow-list: write "
                                         "--allow-private=LIST, or put --allow-private after the inputs")
    try:
        AddressPolicy.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return [item.strip() for item in value.split(",") if item.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sieve", description="Web-corpus pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline on configured sources or on PATHs")
    run.add_argument("paths", nargs="*", metavar="PATH_OR_URL",
                     help="files, folders or http(s) URLs; replace the configured sources for this run")
    run.add_argument("--config", default=None, help="pipeline YAML (default config/pipeline.yaml)")
    run.add_argument("--out", default="data", help="output folder (default data/)")
    run.add_argument("--workers", type=positive_int, default=None, help="worker processes (default: cores)")
    run.add_argument("--dask-address", default=None,
                     help="run shard tasks on a Dask cluster: tcp://HOST:PORT, or 'local' for a local cluster")
    run.add_argument("--allow-private", nargs="?", const=True, default=False, type=allow_list, metavar="LIST",
                     help="let URLs given here reach non-public addresses: alone, loopback and private ranges "
                          "(never link-local); with LIST, only those CIDR ranges and host names, comma-separated "
                          "(--allow-private=127.0.0.0/8,localhost)")
    run.add_argument("--allow-empty", action="store_true",
                     help="publish even when the sources yield nothing (by default such a run fails and the current "
                          "corpus stays)")
    run.set_defaults(func=cmd_run)
    ev = sub.add_parser("eval", help="run on labelled pages and score against a gold file")
    ev.add_argument("--gold", help="line-labelled gold JSON (tests/gold/seeds.json's format)")
    ev.add_argument("--pages", help="the folder of the pages --gold labels")
    ev.add_argument("--html-gold", metavar="DIR",
                    help="an HTML gold set (html/, gold/, index.jsonl as in WCXB): word F1 per page type beside "
                         "trafilatura alone, and the per-rule audit")
    ev.add_argument("--types", help="with --html-gold: only these page types (comma-separated)")
    ev.add_argument("--limit", type=int, default=None, help="with --html-gold: only the first N pages")
    ev.add_argument("--examples", action="store_true", help="with --html-gold: print a few cuts of every rule")
    ev.add_argument("--out", default=None)
    ev.add_argument("--config", default=None)
    ev.add_argument("--workers", type=positive_int, default=None, help="worker processes (default: 1 for --gold, "
                                                                       "cores for --html-gold)")
    ev.add_argument("--json", default=None, help="also write the scores as JSON here")
    ev.set_defaults(func=cmd_eval)
    ins = sub.add_parser("inspect", help="show one document with its removed spans in place")
    ins.add_argument("doc_id")
    ins.add_argument("--out", default="data")
    ins.set_defaults(func=cmd_inspect)
    from tasks.inputs.sources import DEFAULT_SOURCES  # noqa: PLC0415

    src = sub.add_parser("sources", help="list, add or remove source URLs (config/sources.yaml)")
    src.add_argument("--file", default=str(DEFAULT_SOURCES), help="sources file (default config/sources.yaml)")
    src_sub = src.add_subparsers(dest="action", required=True)
    src_sub.add_parser("list", help="show the configured sources")
    add = src_sub.add_parser("add", help="add URLs to a source (created if new); comments and order are kept")
    add.add_argument("urls", nargs="+")
    add.add_argument("--source", required=True)
    rm = src_sub.add_parser("remove", help="remove a URL from whichever source has it")
    rm.add_argument("url")
    src.set_defaults(func=cmd_sources)
    srv = sub.add_parser("server", help="start a local Prefect server (UI, schedules) with sieve's settings")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=4200, help="port (default 4200)")
    srv.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the server to be healthy")
    srv.set_defaults(func=cmd_server)
    sv = sub.add_parser("serve", help="serve the scheduled (one per source with a schedule) and ad-hoc deployments; "
                                      "needs PREFECT_API_URL")
    sv.add_argument("--config", default=None, help="pipeline YAML (default config/pipeline.yaml)")
    sv.add_argument("--out", default="data", help="output folder of the runs (default data/, made absolute)")
    sv.add_argument("--pause-on-shutdown", action="store_true",
                    help="pause the deployments' schedules when stopped (default: they stay active, so runs due "
                         "while stopped wait as Late and run at the next start)")
    sv.add_argument("--timezone", default="UTC", help="time zone of the sources' cron schedules (default UTC)")
    sv.add_argument("--limit", type=int, default=1,
                    help="runs executed at once (default 1: runs share OUT/; 0 for no limit)")
    sv.set_defaults(func=cmd_serve)
    return parser


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run a command; a problem the user must fix is shown as its message alone, with its exit code (README)."""
    from config.errors import UserError  # noqa: PLC0415

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        errors.print(Text(f"sieve {args.command}: {exc}", style="red"))
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
