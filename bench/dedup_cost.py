"""What dedup costs a run: whole `sieve run`s on real pages with dedup on and off, interleaved.

    .venv/bin/python bench/dedup_cost.py /tmp/pages --rounds 3 --workers 1
    .venv/bin/python bench/dedup_cost.py --decide 100000    # the flow's decision step alone, at scale

PAGES: a folder of pages (e.g. some of ../shared/dev/wcxb-dev/html/*.html.gz, gunzipped). Each round runs
both sides back to back (alternately first) into fresh output folders with a shared, warmed PREFECT_HOME,
and measures the CPU seconds of the whole process tree (the run, its Prefect server, its workers), sampled
every 50 ms by bench.py's TreeSampler. Prints
each round's ratio (on / off) and the median, and the per-document cost dedup's own figures report: the
workers' signature time (stage `dedup`) and the flow's decision time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIEVE = ROOT / ".venv" / "bin" / "sieve"
sys.path.insert(0, str(ROOT / "bench"))

from bench import TreeSampler  # noqa: E402 - CPU of every process of the run's tree (workers are grandchildren)


def run(pages: Path, enabled: bool, workers: int, home: str, tmp: Path) -> tuple[float, dict]:
    config = tmp / f"config-{enabled}.yaml"
    config.write_text(f"languages: [en, zh]\ndedup:\n  enabled: {str(enabled).lower()}\n", encoding="utf-8")
    out = tmp / f"out-{enabled}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PREFECT_HOME": home, "PREFECT_LOGGING_LEVEL": "WARNING"}
    proc = subprocess.Popen([str(SIEVE), "run", str(pages), "--out", str(out), "--config", str(config),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = TreeSampler(proc.pid, interval=0.05)
    sampler.start()
    if proc.wait() != 0:
        raise SystemExit(f"sieve run failed ({proc.returncode})")
    sampler.stop.set()
    sampler.join()
    cpu = sum(seconds for _kind, seconds in sampler.cpu.values())
    return cpu, json.loads((out / "reports" / "summary.json").read_text(encoding="utf-8"))


def decide_at_scale(n: int) -> None:
    """The flow's decision step alone on `n` distinct synthetic signatures: CPU and peak memory (tracemalloc)."""
    import time  # noqa: PLC0415
    import tracemalloc  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from config import DedupSettings  # noqa: PLC0415
    from tasks.dedup.index import find_copies  # noqa: PLC0415
    from tasks.dedup.signature import Signature  # noqa: PLC0415

    settings = DedupSettings()
    rng = np.random.default_rng(0)
    tracemalloc.start()
    sigs = [Signature(f"{k:024x}", f"{k // 500:05d}", k % 500, f"https://site{k % 1000}.example/{k}",
                      f"site{k % 1000}.example", f"{k:024x}",
                      rng.integers(0, 2**32, settings.num_perm, dtype=np.uint32).tobytes(), ())
            for k in range(n)]
    held = tracemalloc.get_traced_memory()[0]
    started = time.process_time()
    decisions = find_copies(sigs, [], settings)
    cpu = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    print(f"{n} signatures: {held / n:.0f} bytes each held; deciding took {cpu:.2f} CPU-s "
          f"({1e6 * cpu / n:.0f} us per document), peak {peak / 1e6:.0f} MB ({peak / n:.0f} bytes per document), "
          f"{len(decisions.copies)} copies")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--decide", type=int, help="instead: time the decision step on this many signatures")
    args = parser.parse_args()
    if args.decide:
        sys.path.insert(0, str(ROOT))
        decide_at_scale(args.decide)
        return
    if args.pages is None:
        parser.error("give PAGES, or --decide N")
    tmp = Path(tempfile.mkdtemp(prefix="sieve-dedup-cost-"))
    home = str(tmp / "prefect-home")
    run(args.pages, False, args.workers, home, tmp)  # warms PREFECT_HOME (database created) and the page cache
    ratios, per_doc = [], []
    for k in range(args.rounds):
        sides = [True, False] if k % 2 == 0 else [False, True]
        cpu = {}
        for enabled in sides:
            cpu[enabled], summary = run(args.pages, enabled, args.workers, home, tmp)
            if enabled:
                d = summary["dedup"]
                sig = summary["stage_seconds"].get("dedup", {}).get("seconds", 0.0)
                per_doc.append(1000 * (sig + d["decide_cpu_seconds"]) / max(1, d["signatures"]))
                docs = summary["documents"]
        ratios.append(cpu[True] / cpu[False])
        print(f"round {k + 1}: on {cpu[True]:.2f} CPU-s, off {cpu[False]:.2f} CPU-s, ratio {ratios[-1]:.3f}; "
              f"dedup {per_doc[-1]:.2f} ms per published document", flush=True)
    print(f"{docs} documents, {args.workers} worker(s): median ratio on/off {statistics.median(ratios):.3f} "
          f"(+{100 * (statistics.median(ratios) - 1):.1f} % CPU), dedup's own cost "
          f"{statistics.median(per_doc):.2f} ms per published document")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
