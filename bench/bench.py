"""Speed and scale benchmark for sieve ("Speed and scale" issue).

The final measurement is one command, `bench.py` (about 30 min on 2 CPUs at N = 3000).
It runs on real pages (bench/real_corpus.py: wcxb-dev's 1,308 English pages of seven
kinds, repeated to reach N, plus 10 % Chinese pages made from the Chinese sample
pages); the synthetic pages of bench/make_corpus.py serve only the 10 x N memory test.

  floor    a bare loop in one process: trafilatura.extract(page bytes, deduplicate=False),
           langdetect.detect_langs's work on the whole result (a factory seeded 0),
           OpenCC t2s conversion of the result
  sieve-1  `sieve run DIR --workers 1` (flows.cli.run_pipeline, Prefect ephemeral mode)
  sieve-2  `sieve run DIR --workers 2`
  scale    sieve with 2 workers at N and at 10 x N synthetic documents (the corpus hard-linked
           ten times): peak RSS of the whole process tree (main, worker processes,
           Prefect's ephemeral server), sampled every 0.2 s with psutil;
           Prefect task runs (shards) and their final states, errors in the run's log
  server   sieve-1 and sieve-2 against a running server: `sieve run DIR --workers 1|2`
           with PREFECT_API_URL set to a `prefect server start` on 127.0.0.1 (the set-up
           for schedules and the UI), started once for these runs, after the rounds
           above, in rounds of their own (floor, sieve-1, sieve-2), so that their ratios
           too compare runs made under the same load. No Prefect server boots inside
           these runs: the difference from sieve-1 and sieve-2 is the ephemeral server's
           cost to a run

floor, sieve-1 and sieve-2 run one after the other, and that three times, so each
round measures the three under the same load. A bar's ratio is the median of the
rounds' ratios: on a machine whose speed drifts from minute to minute, runs of one
round are compared with each other, not with runs of another round (the ratio of the
medians, which can pair a fast round's floor with a slow round's sieve, is printed
too, as a second view). It ends with the bars: sieve-1 / floor, sieve-2 / sieve-1,
RSS(10 N) / RSS(N), the first two also against the running server.

Each measurement runs in its own subprocess (fresh interpreter), one at a time. The
sieve runs share one PREFECT_HOME, used first by a 5-page run (database created and
migrated once, as on a machine that runs sieve repeatedly); `--fresh-home` gives every
run a new one instead. Results go to bench/out/results.json (merged with --keep, so
parts can be run separately with --only) and tables are printed.

    .venv/bin/python bench/bench.py [--n 2000] [--reps-floor 3] [--reps-sieve1 3] [--reps-sieve2 3]
                                    [--only floor,sieve1,sieve2,scale,server] [--all] [--fresh-home] [--keep]
    .venv/bin/python bench/bench.py --only floor,sieve1,sieve2 --n 400     # a quick look
    .venv/bin/python bench/bench.py table        # print the tables of bench/out/results.json

Extra parts (`--all`, or by name in --only): floor2 and core2 (two processes at once:
what the machine gives), core (sieve's work without Prefect), profile, scale_distinct
(10 N distinct pages), diag2 (CPU seconds per kind of process in a 2-worker run).

Internal subcommands (run by the above in subprocesses): floor DIR, sieve DIR OUT WORKERS
[DASK_ADDRESS] [--config FILE], core DIR, profile DIR [--docs 200].
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

T_PROCESS = time.perf_counter()  # as early as possible: the subprocess's whole wall time counts

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RESULTS = OUT / "results.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

ERROR_PATTERNS = re.compile(r"sqlite|database is locked|Traceback|\bCRASHED\b|Crash detected|\| ERROR|"
                            r"OperationalError|TimeoutError", re.I)


# --------------------------------------------------------------------------- measured bodies (subprocesses)

def floor_main(folder: str, part: int = 0, parts: int = 1) -> dict[str, Any]:
    import opencc  # noqa: PLC0415
    import trafilatura  # noqa: PLC0415
    from langdetect import DetectorFactory  # noqa: PLC0415
    from langdetect.detector_factory import PROFILES_DIRECTORY  # noqa: PLC0415
    from langdetect.lang_detect_exception import LangDetectException  # noqa: PLC0415

    # detect_langs's work (create, append, get_probabilities) on a factory seeded with 0, its documented
    # route, rather than setting the seed on langdetect's class for the whole process
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def detect_langs(text: str) -> list:
        detector = factory.create()
        detector.append(text)
        return detector.get_probabilities()

    t2s = opencc.OpenCC("t2s")
    files = sorted(p for p in Path(folder).rglob("*.html"))[part::parts]
    t0, cpu0 = time.perf_counter(), time.process_time()
    chars = 0
    stage = {"extract": 0.0, "langdetect": 0.0, "opencc": 0.0}  # CPU seconds (one thread: process time)
    for path in files:
        a = time.process_time()
        text = trafilatura.extract(path.read_bytes(), deduplicate=False) or ""  # real pages: any encoding
        b = time.process_time()
        with contextlib.suppress(LangDetectException):
            detect_langs(text)
        c = time.process_time()
        chars += len(t2s.convert(text))
        d = time.process_time()
        stage["extract"] += b - a
        stage["langdetect"] += c - b
        stage["opencc"] += d - c
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"docs": len(files), "seconds": seconds, "docs_per_s": len(files) / seconds, "chars_out": chars,
            "cpu_seconds": cpu, "docs_per_cpu_s": len(files) / cpu,
            "stage_seconds": stage, "process_wall": time.perf_counter() - T_PROCESS}


def sieve_main(folder: str, out: str, workers: int, dask_address: str | None = None,
               config: str | None = None) -> dict[str, Any]:
    os.environ["SIEVE_QUIET"] = "1"
    from flows.cli import run_pipeline  # noqa: PLC0415

    t_imported = time.perf_counter()
    wall_call = time.time()
    summary = run_pipeline(config, [folder], out, workers, dask_address)
    t_done = time.perf_counter()
    started = datetime.fromisoformat(summary["started_at"]).timestamp()
    flow_seconds = summary["seconds"]
    res = {
        "docs": summary["documents"], "published": summary["published"], "rejected": summary["rejected"],
        "rejected_by_reason": summary["rejected_by_reason"], "languages": summary["languages"],
        "shards": summary["shards"], "workers": summary["workers"],
        "import_seconds": t_imported - T_PROCESS,
        "prefect_startup_seconds": started - wall_call,  # ephemeral API up + flow run created
        "flow_seconds": flow_seconds,
        "call_seconds": t_done - t_imported,
        "process_wall": t_done - T_PROCESS,
        "stage_seconds": {k: v["seconds"] for k, v in summary["stage_seconds"].items()},
        "flow_run_id": summary.get("flow_run_id"),
    }
    res["docs_per_s_flow"] = res["docs"] / flow_seconds
    res["docs_per_s_call"] = res["docs"] / res["call_seconds"]
    res["docs_per_s_process"] = res["docs"] / res["process_wall"]
    res["prefect"] = prefect_states(summary.get("flow_run_id"))
    return res


def prefect_states(flow_run_id: str | None) -> dict[str, Any]:
    """The flow run's state and its task runs' states, read back from Prefect's API."""
    if not flow_run_id:
        return {}
    try:
        import asyncio  # noqa: PLC0415

        from prefect.client.orchestration import get_client  # noqa: PLC0415
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId  # noqa: PLC0415
        from prefect.client.schemas.sorting import TaskRunSort  # noqa: PLC0415

        async def read() -> dict[str, Any]:
            async with get_client() as client:
                fr = await client.read_flow_run(flow_run_id)
                runs, offset = [], 0
                while batch := await client.read_task_runs(
                        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[fr.id])), limit=200, offset=offset,
                        sort=TaskRunSort.EXPECTED_START_TIME_ASC):
                    runs += batch
                    offset += len(batch)
                states: dict[str, int] = {}
                names: dict[str, int] = {}
                for tr in runs:
                    states[tr.state_name or "?"] = states.get(tr.state_name or "?", 0) + 1
                    key = tr.task_key.rsplit("-", 1)[0] if tr.task_key else "?"
                    names[key] = names.get(key, 0) + 1
                return {"flow_state": fr.state_name, "task_runs": len(runs), "task_run_states": states,
                        "task_keys": names}

        return asyncio.run(read())
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return {"error": f"{type(exc).__name__}: {exc}"}


def core_main(folder: str, part: int = 0, parts: int = 1) -> dict[str, Any]:
    """sieve's per-document work without Prefect: process_shard over the corpus, shard after shard, one thread."""
    from config import load_settings  # noqa: PLC0415
    from tasks.output.shard import plan_shards, process_shard  # noqa: PLC0415

    settings = load_settings(None)
    run = {"run_id": "core", "pipeline_version": "bench", "config_sha256": "", "flow_run_id": None,
           "started_at": ""}
    out = tempfile.mkdtemp(prefix="sieve-core-")
    t0 = time.perf_counter()
    docs, stages = 0, {}
    for shard in plan_shards([folder], settings, "core"):
        if shard.index % parts != part:
            continue
        result = process_shard(shard, settings, out, run)
        docs += result.documents
        for k, v in result.stage_seconds.items():
            stages[k] = stages.get(k, 0.0) + v
    seconds = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return {"docs": docs, "seconds": seconds, "docs_per_s": docs / seconds, "stage_seconds": stages,
            "process_wall": time.perf_counter() - T_PROCESS}


def profile_main(folder: str, docs: int) -> dict[str, Any]:
    import cProfile  # noqa: PLC0415
    import io  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    from config import load_settings  # noqa: PLC0415
    from tasks.output.shard import Shard, process_shard  # noqa: PLC0415

    settings = load_settings(None)
    files = sorted(str(p) for p in Path(folder).rglob("*.html"))[:docs]
    run = {"run_id": "profile", "pipeline_version": "bench", "config_sha256": "", "flow_run_id": None,
           "started_at": ""}
    out = tempfile.mkdtemp(prefix="sieve-profile-")
    warm = sorted(str(p) for p in Path(folder).rglob("*.html"))[-20:]  # imports, langdetect profiles
    process_shard(Shard(0, "warm", tuple(warm)), settings, out, run)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    result = process_shard(Shard(1, "bench", tuple(files)), settings, out, run)
    prof.disable()
    seconds = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    stats = pstats.Stats(prof)
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(60)
    text2 = io.StringIO()
    pstats.Stats(prof, stream=text2).sort_stats("tottime").print_stats(40)
    (OUT / "profile.txt").write_text(f"process_shard over {len(files)} docs: {seconds:.2f} s (profiled)\n\n"
                                     f"== by cumulative time ==\n{text.getvalue()}\n== by own time ==\n"
                                     f"{text2.getvalue()}", encoding="utf-8")
    prof.dump_stats(str(OUT / "profile.pstats"))
    # Cumulative time of the functions that matter, by name (file:function).
    wanted = {}
    for (fname, _line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = f"{Path(fname).parent.name}/{Path(fname).name}:{func}"
        if ct / seconds >= 0.02 or tt / seconds >= 0.01:
            prev = wanted.get(key, (0.0, 0.0))
            wanted[key] = (prev[0] + ct, prev[1] + tt)
    top = sorted(wanted.items(), key=lambda kv: -kv[1][0])[:60]
    return {"docs": len(files), "seconds_profiled": seconds, "stage_seconds": result.stage_seconds,
            "functions": [{"function": k, "cumulative_s": round(c, 3), "own_s": round(t, 3),
                           "share": round(c / seconds, 3)} for k, (c, t) in top]}


# --------------------------------------------------------------------------- orchestration

class TreeSampler(threading.Thread):
    """Peak RSS of a process and all its descendants, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        import psutil  # noqa: PLC0415

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_by_kind: dict[str, int] = {}
        self.peak_at_kinds: dict[str, int] = {}
        self.max_procs = 0
        self.samples = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (kind, user + system seconds when last seen)
        self.kinds: dict[int, str] = {}  # pid -> kind once known for sure
        self.stop = threading.Event()

    @staticmethod
    def kind(proc: Any, root_pid: int) -> str:
        if proc.pid == root_pid:
            return "main"
        try:
            cmd, name = " ".join(proc.cmdline()), proc.name()
        except Exception:  # noqa: BLE001
            return "other"
        if "uvicorn" in cmd or ("prefect" in cmd and "server" in cmd) or name == "prefect-server":
            return "prefect_server"
        if "resource_tracker" in cmd or "runtime.reaper" in cmd:
            return "other"
        if "multiprocessing" in cmd or "spawn_main" in cmd:
            return "workers"
        return "workers" if "python" in cmd else "other"

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except self.psutil.Error:
                break
            total, kinds = 0, {}
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    cpu = p.cpu_times()
                except self.psutil.Error:
                    continue
                total += rss
                k = self.kinds.get(p.pid) or self.kind(p, self.root.pid)
                if k in ("prefect_server", "workers"):  # sure, and a dying process has no command line
                    self.kinds[p.pid] = k
                self.cpu[p.pid] = (k, cpu.user + cpu.system)
                kinds[k] = kinds.get(k, 0) + rss
            self.samples += 1
            self.max_procs = max(self.max_procs, len(procs))
            for k, v in kinds.items():
                self.peak_by_kind[k] = max(self.peak_by_kind.get(k, 0), v)
            if total > self.peak:
                self.peak, self.peak_at_kinds = total, kinds
            self.stop.wait(self.interval)


def run_sub(args: list[str], label: str, sample: bool = False, home: str | None = None,
            api_url: str | None = None, root: Path = ROOT) -> dict[str, Any]:
    """Run `bench.py <args>` in a fresh interpreter; its last stdout line is JSON. PREFECT_HOME is
    `home` (kept) or, without one, a fresh temporary one (removed after); `api_url`: a running server;
    `root`: the checkout whose bench.py and code run (another commit's tree, bench/ab.py)."""
    fresh = home is None
    home = home or tempfile.mkdtemp(prefix="sieve-bench-prefect-")
    env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    if root != ROOT:
        env["PYTHONPATH"] = str(root)  # before the editable install, which imports this checkout
    log = OUT / "logs" / f"{label}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"  [{time.strftime('%H:%M:%S')}] {label} ...", flush=True)
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, str(root / "bench" / "bench.py"), *args], stdout=subprocess.PIPE,
                                stderr=err, text=True, env=env, cwd=str(root))
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        stdout, _ = proc.communicate()
        if sampler:
            sampler.stop.set()
            sampler.join()
    wall = time.perf_counter() - t0
    if fresh:
        shutil.rmtree(home, ignore_errors=True)
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    res: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    res.update(returncode=proc.returncode, outer_wall=wall, log=str(log.relative_to(ROOT)))
    errors = [ln.strip()[:200] for ln in log.read_text(errors="replace").splitlines() if ERROR_PATTERNS.search(ln)]
    res["log_error_lines"] = len(errors)
    res["log_error_examples"] = errors[:5]
    if sampler:
        res["peak_rss_mb"] = round(sampler.peak / 2**20, 1)
        res["peak_rss_by_kind_at_peak_mb"] = {k: round(v / 2**20, 1) for k, v in sampler.peak_at_kinds.items()}
        res["peak_rss_by_kind_mb"] = {k: round(v / 2**20, 1) for k, v in sampler.peak_by_kind.items()}
        res["max_processes"] = sampler.max_procs
        cpu: dict[str, float] = {}
        for kind, seconds in sampler.cpu.values():
            cpu[kind] = round(cpu.get(kind, 0.0) + seconds, 1)
        res["cpu_seconds_by_kind"] = cpu
        if res.get("docs") and sum(cpu.values()):
            res["docs_per_cpu_s"] = res["docs"] / sum(cpu.values())
        res["rss_samples"] = sampler.samples
    short = {k: res.get(k) for k in ("docs", "docs_per_s", "docs_per_s_flow", "flow_seconds",
                                     "prefect_startup_seconds", "peak_rss_mb", "shards", "returncode")
             if res.get(k) is not None}
    print(f"  [{time.strftime('%H:%M:%S')}] {label} done in {wall:.1f} s: {short}", flush=True)
    if proc.returncode:
        print(f"  !! {label} exited {proc.returncode}; see {log}", flush=True)
    return res


def machine() -> dict[str, Any]:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), platform.processor())
    import psutil  # noqa: PLC0415

    return {"nproc": os.cpu_count(), "sched_affinity": len(os.sched_getaffinity(0)), "cpu_model": model,
            "mem_total_gb": round(psutil.virtual_memory().total / 2**30, 1), "python": platform.python_version(),
            "platform": platform.platform()}


def load_results() -> dict[str, Any]:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def save_results(res: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    res["ratios"] = ratios(res)
    RESULTS.write_text(json.dumps(res, indent=2, ensure_ascii=False))


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in runs if r.get(key) is not None and not r.get("returncode")]
    return statistics.median(vals) if vals else None


def ratios(res: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    floor = _median(res.get("floor", []), "docs_per_s")
    core = _median(res.get("core", []), "docs_per_s")
    floor2 = _median(res.get("floor2", []), "docs_per_s")
    if floor and floor2:
        out["floor2_over_floor (machine's 2-process scaling)"] = round(floor2 / floor, 3)
    if floor and core:
        out["core_over_floor"] = round(core / floor, 3)
    core2 = _median(res.get("core2", []), "docs_per_s")
    if core and core2:
        out["core2_over_core"] = round(core2 / core, 3)
    _sieve_ratios(out, res.get("floor", []), res.get("sieve1", []), res.get("sieve2", []), "")
    # Against a running server, in rounds of their own.
    _sieve_ratios(out, res.get("floor_server_rounds", []), res.get("sieve1_server", []),
                  res.get("sieve2_server", []), "_server")
    scale = res.get("scale", {})
    if scale.get("N", {}).get("peak_rss_mb") and scale.get("10N_distinct", {}).get("peak_rss_mb"):
        out["rss_10N_distinct_over_N"] = round(scale["10N_distinct"]["peak_rss_mb"] / scale["N"]["peak_rss_mb"], 3)
        out["rss_workers_10N_distinct_over_N"] = round(
            scale["10N_distinct"]["peak_rss_by_kind_mb"]["workers"] / scale["N"]["peak_rss_by_kind_mb"]["workers"], 3)
    if scale.get("N", {}).get("peak_rss_mb") and scale.get("10N", {}).get("peak_rss_mb"):
        out["rss_10N_over_N"] = round(scale["10N"]["peak_rss_mb"] / scale["N"]["peak_rss_mb"], 3)
        ww = [scale[k].get("peak_rss_by_kind_mb", {}).get("main") for k in ("N", "10N")]
        if all(ww):
            out["rss_main_10N_over_N"] = round(ww[1] / ww[0], 3)
    # The bars: whole runs (Prefect's start-up included), the median of the rounds' ratios.
    out["bars"] = {
        "sieve1 >= 0.85 x floor (whole run)": _bar(out.get("sieve1_over_floor_call_round_median"), 0.85),
        "sieve2 >= 1.7 x sieve1 (whole run)": _bar(out.get("sieve2_over_sieve1_call_round_median"), 1.7),
        "sieve1 >= 0.85 x floor, running server (whole run)":
            _bar(out.get("sieve1_server_over_floor_call_round_median"), 0.85),
        "sieve2 >= 1.7 x sieve1, running server (whole run)":
            _bar(out.get("sieve2_over_sieve1_server_call_round_median"), 1.7),
        "peak RSS(10N replicated) <= 1.25 x RSS(N)": _bar(out.get("rss_10N_over_N"), 1.25, upper=True),
        "peak RSS(10N distinct) <= 1.25 x RSS(N)": _bar(out.get("rss_10N_distinct_over_N"), 1.25, upper=True),
    }
    # Second views, not the bars: the ratio of the medians (rounds mixed), and the flow body alone.
    out["second_views"] = {
        "sieve1 >= 0.85 x floor (whole run, ratio of the medians)": _bar(out.get("sieve1_over_floor_call"), 0.85),
        "sieve2 >= 1.7 x sieve1 (whole run, ratio of the medians)": _bar(out.get("sieve2_over_sieve1_call"), 1.7),
        "sieve1 >= 0.85 x floor (flow body, median of the rounds)":
            _bar(out.get("sieve1_over_floor_flow_round_median"), 0.85),
        "sieve2 >= 1.7 x sieve1 (flow body, median of the rounds)":
            _bar(out.get("sieve2_over_sieve1_flow_round_median"), 1.7),
    }
    return out


def _sieve_ratios(out: dict[str, Any], floors: list[dict[str, Any]], s1: list[dict[str, Any]],
                  s2: list[dict[str, Any]], tag: str) -> None:
    """sieve1{tag}/floor and sieve2/sieve1{tag}, flow body and whole run, into `out`: the ratio of the
    medians, and round by round (a round's floor, sieve1 and sieve2 ran back to back, under the same
    load) with the median of the rounds' ratios, the bars' statistic."""
    floor = _median(floors, "docs_per_s")
    for basis in ("flow", "call"):
        key = f"docs_per_s_{basis}"
        one, two = f"sieve1{tag}_over_floor_{basis}", f"sieve2_over_sieve1{tag}_{basis}"
        a, b = _median(s1, key), _median(s2, key)
        if floor and a:
            out[one] = round(a / floor, 3)
        if a and b:
            out[two] = round(b / a, 3)
        rounds = [(f.get("docs_per_s"), x.get(key), y.get(key)) for f, x, y in zip(floors, s1, s2, strict=False)]
        by_round = {one: [round(x / f, 3) for f, x, _ in rounds if f and x],
                    two: [round(y / x, 3) for _, x, y in rounds if x and y]}
        for name, values in by_round.items():
            if values:
                out[f"{name}_by_round"] = values
                out[f"{name}_round_median"] = statistics.median(values)


def _bar(value: float | None, bar: float, upper: bool = False) -> str:
    if value is None:
        return "not measured"
    ok = value <= bar if upper else value >= bar
    return f"{'MET' if ok else 'NOT MET'} ({value:.3f})"


def table(res: dict[str, Any]) -> str:
    m = res.get("machine", {})
    lines = [f"machine: {m.get('nproc')} CPUs ({m.get('cpu_model')}), {m.get('mem_total_gb')} GB, "
             f"Python {m.get('python')}",
             f"corpus: {res.get('corpus', {}).get('docs')} docs, {res.get('corpus', {}).get('mb')} MB "
             f"(median {res.get('corpus', {}).get('median_kb')} KB)", "",
             f"{'measure':<40}{'runs':>5}{'docs/s (median)':>17}{'  all runs':<40}"]

    def row(name: str, runs: list[dict[str, Any]], key: str) -> None:
        vals = [r.get(key) for r in runs if not r.get("returncode")]
        med = _median(runs, key)
        lines.append(f"{name:<40}{len(vals):>5}{(f'{med:.2f}' if med else '-'):>17}  "
                     + ", ".join(f"{v:.2f}" for v in vals if v))
    row("floor (1 process)", res.get("floor", []), "docs_per_s")
    row("floor x 2 processes at once (control)", res.get("floor2", []), "docs_per_s")
    row("sieve core, no Prefect (1 thread)", res.get("core", []), "docs_per_s")
    row("sieve core x 2 processes (control)", res.get("core2", []), "docs_per_s")
    row("sieve 1 worker, flow body", res.get("sieve1", []), "docs_per_s_flow")
    row("sieve 1 worker, whole run", res.get("sieve1", []), "docs_per_s_call")
    row("sieve 2 workers, flow body", res.get("sieve2", []), "docs_per_s_flow")
    row("sieve 2 workers, whole run", res.get("sieve2", []), "docs_per_s_call")
    row("floor, in the running server's rounds", res.get("floor_server_rounds", []), "docs_per_s")
    row("sieve 1 worker, running server, body", res.get("sieve1_server", []), "docs_per_s_flow")
    row("sieve 1 worker, running server, whole", res.get("sieve1_server", []), "docs_per_s_call")
    row("sieve 2 workers, running server, body", res.get("sieve2_server", []), "docs_per_s_flow")
    row("sieve 2 workers, running server, whole", res.get("sieve2_server", []), "docs_per_s_call")
    startup = [r.get("prefect_startup_seconds") for k in ("sieve1", "sieve2") for r in res.get(k, [])]
    startup = [s for s in startup if s is not None]
    if startup:
        lines.append(f"Prefect start-up (ephemeral API + flow run): median {statistics.median(startup):.1f} s "
                     f"(min {min(startup):.1f}, max {max(startup):.1f}, {len(startup)} runs)")
    scale = res.get("scale", {})
    for k in ("N", "10N", "10N_distinct"):
        s = scale.get(k)
        if s:
            pf = s.get("prefect", {})
            lines.append(f"scale {k:>3}: {s.get('docs')} docs, {s.get('workers')} workers, "
                         f"{s.get('docs_per_s_flow', 0):.2f} docs/s, peak RSS {s.get('peak_rss_mb')} MB "
                         f"{s.get('peak_rss_by_kind_at_peak_mb')}, shards {s.get('shards')}, Prefect task runs "
                         f"{pf.get('task_runs')} {pf.get('task_run_states')}, flow {pf.get('flow_state')}, "
                         f"exit {s.get('returncode')}, error lines in log {s.get('log_error_lines')}")
    lines.append("")
    for k, v in res.get("ratios", {}).items():
        if k not in ("bars", "second_views"):
            lines.append(f"{k:<50}{v}")
    for k, v in res.get("ratios", {}).get("bars", {}).items():
        lines.append(f"bar: {k:<58}{v}")
    for k, v in res.get("ratios", {}).get("second_views", {}).items():
        lines.append(f"second view: {k:<58}{v}")
    prof = res.get("profile")
    if prof:
        lines += ["", f"profile: process_shard over {prof['docs']} docs, {prof['seconds_profiled']:.1f} s "
                      f"(under cProfile); top cumulative:"]
        lines += [f"  {f['cumulative_s']:>8.2f} s {f['share']:>6.1%}  own {f['own_s']:>7.2f} s  {f['function']}"
                  for f in prof["functions"][:30]]
    return "\n".join(lines)


FINAL = ("floor", "sieve1", "sieve2", "scale", "server")


def _settle(pid: int, idle: float = 0.1, limit: float = 90.0) -> None:
    """Wait until a freshly started server (and its children) uses under `idle` of a core: its first
    minute of start-up work would otherwise slow the first run measured against it."""
    import psutil  # noqa: PLC0415

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        before = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        time.sleep(3)
        after = sum(p.cpu_times().user + p.cpu_times().system for p in procs if p.is_running())
        if (after - before) / 3 < idle:
            return


@contextlib.contextmanager
def prefect_server(home: str) -> Iterator[str]:
    """A real `prefect server start` on 127.0.0.1, started and stopped as `sieve server` does (runtime/server.py)."""
    from runtime.server import api_url, server_env, start_server, stop_server, wait_healthy  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = server_env("127.0.0.1", port,
                     {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    log = (OUT / "logs" / "prefect-server.log").open("w")
    proc = start_server("127.0.0.1", port, env, stdout=log, stderr=subprocess.STDOUT)
    url = api_url("127.0.0.1", port)
    try:
        wait_healthy(url, 120, proc)
        _settle(proc.pid)
        yield url
    finally:
        stop_server(proc)
        log.close()


EXTRA = ("floor2", "core", "core2", "profile", "scale_distinct", "diag2")


def synthetic_corpus(n: int, seed: int) -> Path:
    """bench/make_corpus.py's synthetic pages (the memory test's corpus), generated once."""
    from make_corpus import write_corpus  # noqa: PLC0415

    corpus = OUT / f"corpus-{n}"
    if not corpus.exists() or len(list(corpus.glob("*.html"))) != n:
        print(f"generating {n} synthetic pages in {corpus}", flush=True)
        write_corpus(corpus, n, seed)
    return corpus


def warm_home(corpus: Path) -> tuple[str, dict[str, Any]]:
    """A PREFECT_HOME used once by a 5-page sieve run (database created and migrated, blocks registered),
    as on a machine that runs sieve repeatedly; the measured runs share it."""
    home = tempfile.mkdtemp(prefix="sieve-bench-prefect-")
    tiny = OUT / "corpus-warm"
    shutil.rmtree(tiny, ignore_errors=True)
    tiny.mkdir(parents=True)
    for page in sorted(corpus.glob("*.html"))[:5]:
        os.link(page, tiny / page.name)
    out = OUT / "runs" / "warm"
    first = run_sub(["sieve", str(tiny), str(out), "1"], "warm-prefect-home", home=home)
    shutil.rmtree(out, ignore_errors=True)
    return home, first


def describe_corpus(corpus: Path, seed: int) -> dict[str, Any]:
    sizes = sorted(p.stat().st_size for p in corpus.glob("*.html"))
    langs: dict[str, int] = {}
    for p in corpus.glob("*.html"):
        lang = p.stem.split("_", 1)[1]
        langs[lang] = langs.get(lang, 0) + 1
    return {"dir": str(corpus), "docs": len(sizes), "mb": round(sum(sizes) / 1e6, 1),
            "min_kb": round(sizes[0] / 1024, 1), "median_kb": round(sizes[len(sizes) // 2] / 1024, 1),
            "max_kb": round(sizes[-1] / 1024, 1), "langs": langs, "seed": seed}


def orchestrate(args: argparse.Namespace) -> int:
    from make_corpus import replicate  # noqa: PLC0415
    from real_corpus import write_real_corpus  # noqa: PLC0415

    only = set(args.only.split(",")) if args.only else set(FINAL + EXTRA if args.all else FINAL)
    res = load_results() if args.keep else {}
    res["machine"] = machine()
    if args.corpus:
        corpus = Path(args.corpus)
    elif args.synthetic:
        corpus = synthetic_corpus(args.n, args.seed)
    else:
        corpus = OUT / f"real-{args.n}"
        print(f"writing {args.n} real pages to {corpus}", flush=True)
        res["real_pages"] = write_real_corpus(corpus, args.n)
    res["corpus"] = describe_corpus(corpus, args.seed)
    home = None
    if not args.fresh_home and only & {"sieve1", "sieve2", "scale", "scale_distinct", "diag2", "server"}:
        home, res["warm_run"] = warm_home(corpus)
    res["prefect_home"] = "fresh per run" if home is None else "one PREFECT_HOME, warmed by a 5-page run first"
    save_results(res)
    runs_dir = OUT / "runs"

    def sieve(workers: int, label: str, folder: Path = corpus, api_url: str | None = None) -> dict[str, Any]:
        out = runs_dir / label
        shutil.rmtree(out, ignore_errors=True)
        config = ["--config", str(Path(args.config).resolve())] if args.config else []
        got = run_sub(["sieve", str(folder), str(out), str(workers), *config], label, sample=True, home=home,
                      api_url=api_url)
        shutil.rmtree(out, ignore_errors=True)
        return got

    # floor, sieve 1 worker, sieve 2 workers, one after the other, repeated: on a machine whose load
    # drifts, each repetition measures the three under the same conditions.
    plan = [("floor", args.reps_floor), ("sieve1", args.reps_sieve1), ("sieve2", args.reps_sieve2)]
    for name, _ in plan:
        if name in only:
            res[name] = []
    for k in range(max(reps for _, reps in plan)):
        for name, reps in plan:
            if name not in only or k >= reps:
                continue
            if name == "floor":
                res[name].append(run_sub(["floor", str(corpus)], f"floor-{k}"))
            else:
                res[name].append(sieve(1 if name == "sieve1" else 2, f"{name}-{k}"))
            save_results(res)
    if "floor2" in only:
        # Control: what two processes get out of this machine. Two floor loops at once, each on half the corpus.
        res["floor2"] = []
        for k in range(args.reps_floor2):
            with ThreadPoolExecutor(2) as ex:
                halves = list(ex.map(lambda i, k=k: run_sub(["floor", str(corpus), f"{i}/2"], f"floor2-{k}-{i}"),
                                     range(2)))
            docs = sum(h["docs"] for h in halves)
            res["floor2"].append({"docs": docs, "docs_per_s": docs / max(h["seconds"] for h in halves),
                                  "per_process_docs_per_s": [h["docs_per_s"] for h in halves]})
        save_results(res)
    if "core" in only:
        res["core"] = [run_sub(["core", str(corpus)], f"core-{k}") for k in range(args.reps_core)]
        save_results(res)
    if "diag2" in only:
        # One more 2-worker run, for the CPU seconds each kind of process used.
        res["diag_sieve2"] = sieve(2, "diag-sieve2")
        save_results(res)
    if "core2" in only:
        # Control: sieve's work without Prefect in two processes at once, each on every other shard.
        with ThreadPoolExecutor(2) as ex:
            halves = list(ex.map(lambda i: run_sub(["core", str(corpus), f"{i}/2"], f"core2-{i}"), range(2)))
        docs = sum(h["docs"] for h in halves)
        res["core2"] = [{"docs": docs, "docs_per_s": docs / max(h["seconds"] for h in halves),
                         "per_process_docs_per_s": [h["docs_per_s"] for h in halves]}]
        save_results(res)
    if "profile" in only:
        res["profile"] = run_sub(["profile", str(corpus), "--docs", str(args.profile_docs)], "profile")
        save_results(res)
    if "scale" in only:
        scale = res.setdefault("scale", {})
        # On synthetic pages (make_corpus.py): N, and the same pages hard-linked ten times.
        synthetic = synthetic_corpus(args.scale_n, args.seed)
        scale["N"] = sieve(2, "scale-N", synthetic)
        big = OUT / f"corpus-{args.scale_n}x10"
        print(f"replicating the synthetic corpus 10x into {big}", flush=True)
        replicate(synthetic, big, 10)
        scale["10N"] = sieve(2, "scale-10N", big)
        save_results(res)
    if "server" in only:
        # sieve, 1 and 2 workers, against a running Prefect server (`sieve server`): the set-up for
        # schedules and the UI. No ephemeral server to boot per run; the server's own start is not in
        # the runs' time, its work for the runs (their API requests) is: it shares the machine.
        res["floor_server_rounds"], res["sieve1_server"], res["sieve2_server"] = [], [], []
        with prefect_server(home or tempfile.mkdtemp(prefix="sieve-bench-prefect-")) as url:
            for k in range(max(args.reps_floor, args.reps_sieve1, args.reps_sieve2)):
                if k < args.reps_floor:
                    res["floor_server_rounds"].append(run_sub(["floor", str(corpus)], f"floor-server-{k}"))
                for workers, reps in ((1, args.reps_sieve1), (2, args.reps_sieve2)):
                    if k < reps:
                        res[f"sieve{workers}_server"].append(sieve(workers, f"sieve{workers}-server-{k}", api_url=url))
                save_results(res)
    if "scale_distinct" in only:
        # 10 x N distinct pages (the first N are the corpus above): content-keyed caches cannot hit.
        big = synthetic_corpus(10 * args.scale_n, args.seed)
        res.setdefault("scale", {})["10N_distinct"] = sieve(2, "scale-10N-distinct", big)
    if home:
        shutil.rmtree(home, ignore_errors=True)
    save_results(res)
    print()
    print(table(res))
    print()
    print(final_summary(res))
    return 0


def stage_ms_per_doc(runs: list[dict[str, Any]]) -> dict[str, float]:
    """CPU milliseconds per document of each stage (sieve's stages, or the floor's), median of the runs."""
    runs = [r for r in runs if r.get("stage_seconds") and r.get("docs") and not r.get("returncode")]
    stages = list(runs[0]["stage_seconds"]) if runs else []
    found = {k: statistics.median(1000 * r["stage_seconds"].get(k, 0.0) / r["docs"] for r in runs) for k in stages}
    if found:
        found["total"] = statistics.median(1000 * sum(r["stage_seconds"].values()) / r["docs"] for r in runs)
    return found


def final_summary(res: dict[str, Any]) -> str:
    """The issue's bars in a few lines: docs/s, the two ratios, peak RSS at N and 10 N."""
    floor = _median(res.get("floor", []), "docs_per_s")
    lines = [f"FINAL ({res.get('corpus', {}).get('docs')} docs; {res.get('prefect_home', '')})"]

    def fmt(v: float | None) -> str:
        return f"{v:.1f}" if v else "-"

    lines.append(f"  floor            {fmt(floor)} docs/s")
    for name in ("sieve1", "sieve2"):
        runs = res.get(name, [])
        lines.append(f"  {name}           {fmt(_median(runs, 'docs_per_s_flow'))} docs/s flow body, "
                     f"{fmt(_median(runs, 'docs_per_s_call'))} docs/s whole run "
                     f"(Prefect start-up {fmt(_median(runs, 'prefect_startup_seconds'))} s)")
    for name in ("sieve1", "sieve2"):
        if runs := res.get(f"{name}_server"):
            lines.append(f"  {name} against a running Prefect server: {fmt(_median(runs, 'docs_per_s_flow'))} docs/s "
                         f"flow body, {fmt(_median(runs, 'docs_per_s_call'))} docs/s whole run (start-up "
                         f"{fmt(_median(runs, 'prefect_startup_seconds'))} s)")
    cpu = {name: _median(res.get(name, []), "docs_per_cpu_s") for name in ("floor", "sieve1", "sieve2")}
    if all(cpu.values()):
        lines.append(f"  CPU view (a busy machine slows the wall clock, less so CPU time): docs per CPU-second, "
                     f"floor {cpu['floor']:.1f}, sieve1 {cpu['sieve1']:.1f} ({cpu['sieve1'] / cpu['floor']:.2f} x "
                     f"floor), sieve2 {cpu['sieve2']:.1f} (every process: main, Prefect server, workers)")
    per_core = {"floor": floor, "sieve1": _median(res.get("sieve1", []), "docs_per_s_call"),
                "sieve2": _median(res.get("sieve2", []), "docs_per_s_call")}
    if all(per_core.values()):
        lines.append(f"  docs/s per core (whole run / worker processes): floor {per_core['floor']:.1f}, "
                     f"sieve1 {per_core['sieve1']:.1f}, sieve2 {per_core['sieve2'] / 2:.1f}")
    for name in ("floor", "sieve1", "sieve2"):
        if stages := stage_ms_per_doc(res.get(name, [])):
            lines.append(f"  CPU per document, {name:<6} (ms, median of runs): "
                         + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    ratios = res.get("ratios", {})
    if "sieve2_over_sieve1_server_call_by_round" in ratios:
        lines.append(f"  against a running server, whole run, round by round: sieve1/floor "
                     f"{ratios.get('sieve1_server_over_floor_call_by_round')}, sieve2/sieve1 "
                     f"{ratios['sieve2_over_sieve1_server_call_by_round']}")
    for name, key in (("sieve1/floor", "sieve1_over_floor"), ("sieve2/sieve1", "sieve2_over_sieve1")):
        if f"{key}_call_by_round" in ratios:
            lines.append(f"  {name} round by round, flow body {ratios.get(f'{key}_flow_by_round')} (median "
                         f"{ratios.get(f'{key}_flow_round_median')}), whole run {ratios[f'{key}_call_by_round']} "
                         f"(median {ratios[f'{key}_call_round_median']})")
    bars = ratios.get("bars", {})
    lines.append("  bars (whole runs, Prefect's start-up included; a ratio is the median of the rounds' ratios):")
    for key in ("sieve1 >= 0.85 x floor (whole run)", "sieve2 >= 1.7 x sieve1 (whole run)",
                "sieve1 >= 0.85 x floor, running server (whole run)",
                "sieve2 >= 1.7 x sieve1, running server (whole run)",
                "peak RSS(10N replicated) <= 1.25 x RSS(N)"):
        if key in bars:
            lines.append(f"    {key:<58} {bars[key]}")
    lines.append("  second views:")
    lines += [f"    {key:<58} {value}" for key, value in ratios.get("second_views", {}).items()]
    scale = res.get("scale", {})
    if scale:
        lines.append("  peak RSS: " + ", ".join(f"{k} {v.get('peak_rss_mb')} MB ({v.get('docs')} docs, exit "
                                                 f"{v.get('returncode')}, {v.get('log_error_lines')} error lines)"
                                                 for k, v in scale.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "floor":
        part, parts = (int(x) for x in argv[2].split("/")) if len(argv) > 2 else (0, 1)
        print(json.dumps(floor_main(argv[1], part, parts)))
        return 0
    if argv and argv[0] == "sieve":
        config = argv[argv.index("--config") + 1] if "--config" in argv else None
        rest = [a for a in argv[4:] if a not in ("--config", config)]
        print(json.dumps(sieve_main(argv[1], argv[2], int(argv[3]), rest[0] if rest else None, config), default=str))
        return 0
    if argv and argv[0] == "core":
        part, parts = (int(x) for x in argv[2].split("/")) if len(argv) > 2 else (0, 1)
        print(json.dumps(core_main(argv[1], part, parts)))
        return 0
    if argv and argv[0] == "profile":
        docs = int(argv[argv.index("--docs") + 1]) if "--docs" in argv else 200
        print(json.dumps(profile_main(argv[1], docs)))
        return 0
    if argv and argv[0] == "table":
        print(table(load_results()))
        print()
        print(final_summary(load_results()))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000, help="real pages in the corpus (bench/real_corpus.py)")
    ap.add_argument("--scale-n", type=int, default=2000, help="synthetic pages of the memory test (10x for 10 N)")
    ap.add_argument("--synthetic", action="store_true", help="time synthetic pages (make_corpus.py) instead")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", default=None, help="corpus folder (default bench/out/real-N, written)")
    ap.add_argument("--reps-floor", type=int, default=3)
    ap.add_argument("--reps-sieve1", type=int, default=3)
    ap.add_argument("--reps-sieve2", type=int, default=3)
    ap.add_argument("--reps-core", type=int, default=1)
    ap.add_argument("--reps-floor2", type=int, default=1)
    ap.add_argument("--profile-docs", type=int, default=200)
    ap.add_argument("--only", default=None, help="comma-separated parts: floor,sieve1,sieve2,scale,server "
                                                 "(the default) and floor2,core,core2,profile,scale_distinct,diag2")
    ap.add_argument("--all", action="store_true", help="every part (about an hour on 2 CPUs)")
    ap.add_argument("--config", default=None, help="pipeline YAML for the sieve runs (default config/pipeline.yaml)")
    ap.add_argument("--fresh-home", action="store_true",
                    help="a fresh PREFECT_HOME per run (database created and migrated in every run)")
    ap.add_argument("--keep", action="store_true", help="merge into the existing results.json")
    return orchestrate(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
