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
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_corpus import write_corpus  # noqa: E402

from bench import OUT, ROOT, run_sub, warm_home  # noqa: E402


def export(rev: str, into: Path) -> Path:
    """REV's files (tracked ones, as committed) in `into`."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def whole_run(tree: Path, corpus: Path, workers: int, home: str, label: str) -> tuple[float, dict[str, float]]:
    """Seconds of one `sieve run` of `tree`'s code (the run_pipeline call, as bench.py times it), and the
    CPU seconds of its processes by kind (main, prefect_server, workers), sampled as bench.py does:
    CPU time is much less at the mercy of the machine's drift than the wall clock."""
    out = OUT / "runs" / "ab"
    shutil.rmtree(out, ignore_errors=True)
    res = run_sub(["sieve", str(corpus), str(out), str(workers)], label, sample=True, home=home, root=tree)
    if res["returncode"] or "call_seconds" not in res:
        raise RuntimeError(f"{tree}: sieve run failed ({res['returncode']}), see {res['log']}")
    return res["call_seconds"], res.get("cpu_seconds_by_kind", {})


def _cpu(by_kind: dict[str, float]) -> str:
    return f"{sum(by_kind.values()):.1f} CPU-s (" + ", ".join(f"{k} {v:.1f}" for k, v in sorted(by_kind.items())
                                                           if v) + ")"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the commit to compare this checkout with")
    ap.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=2000, help="pages in the corpus (default 2000)")
    args = ap.parse_args()
    corpus = OUT / f"corpus-{args.n}"
    if not corpus.exists() or len(list(corpus.glob("*.html"))) != args.n:
        write_corpus(corpus, args.n, 0)
    home, _ = warm_home(corpus)  # the database created and migrated once, outside the rounds
    try:
        with tempfile.TemporaryDirectory(prefix="sieve-ab-") as tmp:
            old = export(args.rev, Path(tmp) / "old")
            for workers in map(int, args.workers.split(",")):
                ratios, cpu_ratios = [], []
                for k in range(args.rounds):
                    sides = [("rev", old), ("this", ROOT)]
                    runs = {name: whole_run(tree, corpus, workers, home, f"ab-{name}-{workers}-{k}")
                            for name, tree in sides[:: 1 - 2 * (k % 2)]}
                    (rev_s, rev_cpu), (this_s, this_cpu) = runs["rev"], runs["this"]
                    ratios.append(rev_s / this_s)
                    if sum(this_cpu.values()):
                        cpu_ratios.append(sum(rev_cpu.values()) / sum(this_cpu.values()))
                    print(f"{workers} worker(s), round {k + 1}: {args.rev} {rev_s:.2f} s, this checkout "
                          f"{this_s:.2f} s ({args.n / this_s:.1f} docs/s) -> x{ratios[-1]:.3f}; "
                          f"{args.rev} {_cpu(rev_cpu)}, this checkout {_cpu(this_cpu)}", flush=True)
                print(f"{workers} worker(s): this checkout / {args.rev}, docs/s, round by round "
                      f"{[round(r, 3) for r in ratios]}, median x{statistics.median(ratios):.3f}; docs per CPU-s "
                      f"{[round(r, 3) for r in cpu_ratios]}, median x{statistics.median(cpu_ratios or [0]):.3f}",
                      flush=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
