"""Is a change faster? sieve at a given commit against this checkout, runs interleaved.

On a machine whose speed drifts by 10-20 % from minute to minute, two benchmark
runs taken minutes apart cannot tell a 3 % change from the drift. This runs the
two versions back to back, alternating which goes first, `--rounds` times for
each worker count, and prints each round's ratio (this checkout's docs/s over
REV's) and the median: the drift hits both sides of a round alike.

    .venv/bin/python bench/ab.py bae485d                    # 3 rounds, 1 and 2 workers, 2,000 pages
    .venv/bin/python bench/ab.py HEAD~2 --workers 1 --rounds 5

REV's tree is exported with `git archive` and run with its own `bench/bench.py
sieve` (its code, this venv: REV must work with the installed dependencies).
Whole runs (`sieve run`, Prefect's start-up included), one PREFECT_HOME warmed
by a 5-page run, the corpus of `bench.py` (bench/out/corpus-N, generated if missing).
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))


def export(rev: str, into: Path) -> Path:
    """REV's files (tracked ones, as committed) in `into`."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def whole_run(tree: Path, corpus: Path, workers: int, home: str) -> float:
    """Seconds of one `sieve run` of `tree`'s code (the run_pipeline call, as bench.py times it)."""
    out = OUT / "runs" / "ab"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, str(tree / "bench" / "bench.py"), "sieve", str(corpus), str(out),
                           str(workers)], capture_output=True, text=True, env=env, cwd=str(tree), check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{tree}: sieve run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])["call_seconds"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the commit to compare this checkout with")
    ap.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=2000, help="pages in the corpus (default 2000)")
    args = ap.parse_args()
    from make_corpus import write_corpus  # noqa: PLC0415

    corpus = OUT / f"corpus-{args.n}"
    if not corpus.exists() or len(list(corpus.glob("*.html"))) != args.n:
        write_corpus(corpus, args.n, 0)
    docs = len(list(corpus.glob("*.html")))
    with tempfile.TemporaryDirectory(prefix="sieve-ab-") as tmp:
        old = export(args.rev, Path(tmp) / "old")
        home = str(Path(tmp) / "prefect-home")
        warm = OUT / "corpus-warm-ab"
        shutil.rmtree(warm, ignore_errors=True)
        warm.mkdir(parents=True)
        for page in sorted(corpus.glob("*.html"))[:5]:
            os.link(page, warm / page.name)
        whole_run(ROOT, warm, 1, home)  # the database created and migrated once, outside the rounds
        for workers in map(int, args.workers.split(",")):
            ratios = []
            for k in range(args.rounds):
                sides = [("rev", old), ("this", ROOT)]
                seconds = {name: whole_run(tree, corpus, workers, home) for name, tree in sides[:: 1 - 2 * (k % 2)]}
                ratios.append(seconds["rev"] / seconds["this"])
                print(f"{workers} worker(s), round {k + 1}: {args.rev} {seconds['rev']:.2f} s, this checkout "
                      f"{seconds['this']:.2f} s ({docs / seconds['this']:.1f} docs/s) -> x{ratios[-1]:.3f}",
                      flush=True)
            print(f"{workers} worker(s): this checkout / {args.rev}, docs/s, round by round "
                  f"{[round(r, 3) for r in ratios]}, median x{statistics.median(ratios):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
