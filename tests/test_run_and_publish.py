"""The whole job as a user runs it: `sieve run`, `sieve eval`, `sieve inspect`,
through the Prefect flow (ephemeral mode, isolated PREFECT_HOME)."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows.cli import main
from tasks.output.publish import iter_records

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCORER = ROOT.parent / "shared" / "tools" / "score_seeds.py"


@pytest.fixture(scope="module")
def eval_run(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("eval")
    scores = out / "scores.json"
    assert main(["eval", "--gold", str(ROOT / "tests/gold/seeds.json"), "--pages", str(ROOT / "seeds"),
                 "--out", str(out), "--json", str(scores)]) == 0
    return out, json.loads(scores.read_text(encoding="utf-8"))


def test_sample_pages_meet_the_quality_bars_through_sieve_eval(eval_run):
    _, scores = eval_run
    assert len(scores) == 5
    for page in scores:
        assert page["precision"] >= 0.97, page
        assert page["recall"] >= 0.97, page
        assert not page["forbidden"] and not page["missing"] and not page["issues"], page


@pytest.mark.skipif(not SHARED_SCORER.exists(), reason="the shared scorer is not beside the project")
def test_shared_scorer_agrees_on_the_published_corpus(eval_run):
    out, _ = eval_run
    result = subprocess.run([sys.executable, str(SHARED_SCORER), str(ROOT / "tests/gold/seeds.json"),
                             str(ROOT / "seeds"), str(out / "corpus"), "--json"],
                            capture_output=True, text=True, check=True)
    for page in json.loads(result.stdout):
        assert page["precision"] >= 0.97 and page["recall"] >= 0.97, page
        assert not page["forbidden"] and not page["missing"] and not page["issues"], page


def test_every_record_carries_the_documented_fields(eval_run):
    out, _ = eval_run
    records = list(iter_records(out, ("corpus",)))
    assert records
    for r in records:
        assert {"id", "text", "title", "lang", "script", "source", "provenance"} <= r.keys()
        assert {"uri", "kind", "retrieved_at", "sha256", "content_type", "encoding"} <= r["source"].keys()
        prov = r["provenance"]
        assert {"pipeline_version", "config_sha256", "flow_run_id", "steps", "lang_scores", "source_script",
                "removed"} <= prov.keys()
        assert prov["flow_run_id"]
        for rem in prov["removed"]:
            assert {"reason", "rule", "paragraph", "start", "end", "chars", "snippet"} <= rem.keys()


def test_manifest_lists_every_part_with_its_sha256(eval_run):
    out, _ = eval_run
    manifest = json.loads((out / "corpus" / "manifest.json").read_text())
    assert manifest["counts"]["published"] == 5
    for part in manifest["parts"]:
        assert hashlib.sha256((out / part["path"]).read_bytes()).hexdigest() == part["sha256"]
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert summary["published"] == 5 and summary["stage_seconds"]
    assert (out / "reports" / "summary.md").read_text().startswith("# sieve run")


def test_inspect_shows_removed_spans_in_place_with_their_reason(eval_run, capsys):
    out, _ = eval_run
    record = next(r for r in iter_records(out, ("corpus",)) if r["source"]["uri"].endswith("001_a60c4e758812ea41.txt"))
    capsys.readouterr()
    assert main(["inspect", record["id"][:10], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "injected_string/injected_string" in shown
    assert "source:" in shown and record["id"] in shown


def test_ids_are_stable_across_runs_and_a_new_run_replaces_the_corpus_atomically(eval_run, tmp_path):
    out, _ = eval_run
    first = {r["id"] for r in iter_records(out, ("corpus",))}
    pages = tmp_path / "pages"
    shutil.copytree(ROOT / "seeds", pages)
    run_out = tmp_path / "out"
    assert main(["run", str(pages / "000_da662a36e63dfc30.txt"), "--out", str(run_out), "--workers", "1"]) == 0
    old_target = (run_out / "current").resolve()
    assert main(["run", str(pages), "--out", str(run_out), "--workers", "2"]) == 0
    assert (run_out / "current").resolve() != old_target
    ids = {r["id"] for r in iter_records(run_out)}
    assert len(ids) == 5
    # Same pages at other paths are other sources; same path and bytes give the same id. What an earlier run
    # published is not published again: a rerun rejects it as a duplicate of itself (README, "Deduplication"),
    # and having published nothing new it leaves `current` on the corpus that has them.
    current = (run_out / "current").resolve()
    assert main(["run", str(pages), "--out", str(run_out), "--workers", "1"]) == 0
    assert (run_out / "current").resolve() == current
    rerun_dir = max((d for d in (run_out / "runs").iterdir() if d != current), key=lambda d: d.name)
    rerun = list(iter_records(rerun_dir))
    assert {r["id"] for r in rerun} == ids
    assert all(r["reject_reason"] == "duplicate" and r["provenance"]["duplicate_of"] == r["id"] for r in rerun)
    assert first.isdisjoint(ids) or first == ids
    hidden = [p for p in run_out.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]
    assert not hidden


def test_a_run_that_dies_leaves_the_previous_corpus_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "seeds"), "--out", str(out), "--workers", "1"]) == 0
    before = sorted(p.name for p in (out / "corpus").iterdir())
    from flows import pipeline  # noqa: PLC0415

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "write_manifest", crash)
    with pytest.raises(Exception, match="disk full"):
        main(["run", str(ROOT / "seeds"), "--out", str(out), "--workers", "1"])
    assert sorted(p.name for p in (out / "corpus").iterdir()) == before
    with gzip.open(next((out / "corpus").glob("part-*.jsonl.gz")), "rt") as fh:
        assert sum(1 for _ in fh) == 5


def test_bad_inputs_are_reported_and_the_run_finishes(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "empty.txt").write_bytes(b"")
    (pages / "binary.html").write_bytes(bytes(range(256)) * 40)
    shutil.copy(ROOT / "seeds" / "002_2f3e4135016b6e4b.txt", pages / "good.txt")
    out = tmp_path / "out"
    assert main(["run", str(pages), "--out", str(out), "--workers", "1"]) == 0
    rejected = {Path(r["source"]["uri"]).name: r["reject_reason"] for r in iter_records(out, ("rejected",))}
    assert rejected == {"empty.txt": "empty", "binary.html": "binary"}
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert summary["published"] == 1 and summary["rejected_by_reason"] == {"empty": 1, "binary": 1}


def test_a_sources_languages_and_clean_overrides_apply_to_its_pages(tmp_path):
    config = tmp_path / "pipeline.yaml"
    config.write_text(f"languages: [en, zh]\nsources:\n  - name: english-only\n    paths: [{ROOT / 'seeds'}]\n"
                      "    languages: [en]\n    clean:\n      min_doc_words: 10\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out), "--workers", "1"]) == 0
    assert {r["lang"] for r in iter_records(out, ("corpus",))} == {"en"}
    assert {r["reject_reason"] for r in iter_records(out, ("rejected",))} == {"language_zh"}


def _is_prefect_server(proc: psutil.Process) -> bool:
    """The run's Prefect server: Prefect's ephemeral server is uvicorn in a subprocess."""
    return "uvicorn" in " ".join(proc.cmdline())


def _workers_of(run: subprocess.Popen) -> list[psutil.Process]:
    """The run's worker processes (Prefect's ProcessPoolTaskRunner spawns them)."""
    try:
        children = psutil.Process(run.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for proc in children:
        with contextlib.suppress(psutil.Error):
            if "spawn_main" in " ".join(proc.cmdline()):
                found.append(proc)
    return found


def _pages(folder: Path, copies: int) -> Path:
    folder.mkdir()
    samples = [*(ROOT / "seeds").glob("*.txt"), *(ROOT / "tests/fixtures/html").glob("*.html")]
    for k in range(copies):
        for page in samples:
            shutil.copy(page, folder / f"{k}-{page.name}")
    return folder


def _sieve_run(tmp_path: Path, pages: Path, out: Path, *extra: str) -> subprocess.Popen:
    """`sieve run` as a user starts it, in a process of its own with its own ephemeral Prefect server."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), SIEVE_QUIET="1")
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(pages), "--out", str(out), *extra],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _run_until_writing(tmp_path: Path, out: Path | None = None) -> tuple[subprocess.Popen, psutil.Process, Path]:
    """A `sieve run` (own Prefect server, 1 worker) caught in the middle of its work: a shard is being written."""
    pages = _pages(tmp_path / "pages", 40)  # enough pages that the run is still working when the signal comes
    out = out or tmp_path / "out"
    run = _sieve_run(tmp_path, pages, out, "--workers", "1")
    deadline = time.monotonic() + 120
    server = None
    while server is None and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
        server = next((p for p in psutil.Process(run.pid).children() if _is_prefect_server(p)), None)
    assert server is not None, "the run never started its Prefect server"
    while time.monotonic() < deadline and run.poll() is None and not list(out.glob("runs/*/*/.*.tmp")):
        time.sleep(0.1)  # until a shard is being written: the kill comes in the middle of the work
    assert run.poll() is None, "the run ended before the signal"
    return run, server, out


def _corpus_files(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "corpus").iterdir())}


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_by_a_signal_with_a_stuck_worker_ends_within_seconds_and_keeps_the_previous_corpus(
        tmp_path, signum):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "seeds"), "--out", str(out), "--workers", "1"]) == 0
    before = _corpus_files(out)
    run, server, _ = _run_until_writing(tmp_path, out)
    left = psutil.Process(run.pid).children(recursive=True)
    workers = _workers_of(run)
    assert workers, "no worker process to stop"
    for worker in workers:
        worker.suspend()  # stuck: not even a signal handler of its own runs (as in C code, or blocked I/O)
    started = time.monotonic()
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=60)
    assert time.monotonic() - started < 15, "the run took too long to stop"
    assert run.returncode == 128 + signum, stderr.decode()[-2000:]
    _, alive = psutil.wait_procs([*left, server], timeout=15)  # server, workers, watcher: nothing left
    assert not alive, [" ".join(p.cmdline())[:120] for p in alive]
    assert _corpus_files(out) == before


@pytest.mark.slow
def test_a_run_killed_with_sigkill_leaves_no_process_behind(tmp_path):
    # No handler runs on SIGKILL (or the OOM killer): the Prefect server and the workers must
    # be stopped without the run (runtime/reaper.py, runtime/workers.py), or they run on.
    run, _, out = _run_until_writing(tmp_path)
    left = psutil.Process(run.pid).children(recursive=True)
    assert _workers_of(run), "no worker processes to check"
    run.kill()
    run.wait(timeout=30)
    _, alive = psutil.wait_procs(left, timeout=30)
    assert not alive, [" ".join(p.cmdline())[:120] for p in alive]
    assert not (out / "corpus").exists() or not list((out / "corpus").glob("part-*"))


def _small_shards(tmp_path: Path) -> Path:
    config = tmp_path / "pipeline.yaml"
    config.write_text("publish:\n  shard_size: 10\n", encoding="utf-8")
    return config


def _finish_while(run: subprocess.Popen, once: bool) -> bytes:
    """Wait for `run` to end, SIGKILLing its worker processes meanwhile: the first one that is at work
    (`once`), or every one as soon as it appears."""
    killed = set()
    while run.poll() is None:
        for worker in _workers_of(run):
            with contextlib.suppress(psutil.Error):
                if worker.pid in killed or (once and (killed or sum(worker.cpu_times()[:2]) < 3)):
                    continue  # `once`: a worker that has imported its task's modules and started on it
                worker.kill()
                killed.add(worker.pid)
        time.sleep(0.1)
    assert killed, "no worker was killed"
    return run.communicate()[1]


@pytest.mark.slow
def test_a_shard_whose_worker_is_killed_is_retried_in_a_fresh_worker_and_published(tmp_path):
    pages, out = _pages(tmp_path / "pages", 6), tmp_path / "out"
    run = _sieve_run(tmp_path, pages, out, "--workers", "2", "--config", str(_small_shards(tmp_path)))
    stderr = _finish_while(run, once=True)
    assert run.returncode == 0, stderr.decode()[-2000:]
    records = [*iter_records(out, ("corpus",)), *iter_records(out, ("rejected",))]
    assert len(records) == len(list(pages.iterdir()))
    assert not [r for r in records if r.get("reject_reason") == "worker_died"]


@pytest.mark.slow
def test_a_shard_whose_worker_dies_again_is_rejected_as_worker_died_and_the_run_goes_on(tmp_path):
    pages, out = _pages(tmp_path / "pages", 2), tmp_path / "out"
    run = _sieve_run(tmp_path, pages, out, "--workers", "1", "--config", str(_small_shards(tmp_path)))
    stderr = _finish_while(run, once=False)  # every worker dies, retries too
    assert run.returncode == 0, stderr.decode()[-2000:]
    rejected = list(iter_records(out, ("rejected",)))
    assert len(rejected) == len(list(pages.iterdir()))
    assert {r["reject_reason"] for r in rejected} == {"worker_died"}
    assert all("died twice" in r["error"] and r["source"]["sha256"] for r in rejected)
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert summary["rejected_by_reason"] == {"worker_died": len(rejected)}
