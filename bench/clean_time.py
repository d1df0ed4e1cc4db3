"""CPU time of the cleaning stage alone (`tasks.clean.clean`) on pre-extracted documents.

    python bench/clean_time.py prepare /tmp/docs.pickle /tmp/cs_corpus -n 400   # decode, extract, language
    python bench/clean_time.py time /tmp/docs.pickle [--reps 3] [--profile out.pstats]
    python bench/clean_time.py compare /tmp/docs.pickle OLD_TREE NEW_TREE [--rounds 3]

`time` cleans a fresh copy of every document `--reps` times and prints the CPU
seconds (time.process_time) of each repetition, the median, and the seconds of
each rule. Five documents are cleaned first (loading wordfreq's lists, jieba's
dictionary, OpenCC), then the memo caches of tasks.clean are emptied before
each repetition, so each one is a fresh worker meeting these documents.

`compare` alternates `--tree TREE time --reps 1` in fresh interpreters, one per
tree (e.g. a `git archive` of the old commit and this checkout), round
after round, and prints both medians and their ratio. `callgrind` counts the
instructions of one cleaning pass under valgrind (a run with `--reps 1` minus
one with `--reps 0`), which the load of other processes does not change:

    python bench/clean_time.py callgrind /tmp/docs50.pickle OLD_TREE NEW_TREE   # ~2 min a run
"""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path


def prepare(out: Path, folder: Path, n: int) -> int:
    from config import Settings  # noqa: PLC0415
    from tasks.inputs.read import read_file  # noqa: PLC0415
    from tasks.stages.decode import decode  # noqa: PLC0415
    from tasks.stages.document import _language  # noqa: PLC0415
    from tasks.stages.extract import extract  # noqa: PLC0415

    settings = Settings()
    docs = []
    for path in sorted(folder.iterdir())[:n]:
        doc = read_file(path, settings.read)
        doc.text = decode(doc.raw or b"", None, html=doc.media == "html").text
        doc.raw = None
        extract(doc, settings.extract)
        if doc.paragraphs:
            _language(doc, settings)
            docs.append(doc)
    out.write_bytes(pickle.dumps(docs))
    print(f"{len(docs)} documents -> {out}")
    return 0


def _clear_caches() -> None:
    for name, mod in list(sys.modules.items()):
        if name.startswith("tasks.clean") and mod is not None:
            for val in list(vars(mod).values()):
                if callable(getattr(val, "cache_clear", None)):
                    val.cache_clear()


def time_clean(path: Path, reps: int, profile: Path | None, as_json: bool) -> int:
    from config import Settings  # noqa: PLC0415
    from tasks.clean import RULES, Context, clean  # noqa: PLC0415

    settings = Settings()
    docs = pickle.loads(path.read_bytes())
    totals, per_rule = [], {r.name: [] for r in RULES}
    profiler = None
    if profile:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
    # Warm up (wordfreq's lists, jieba's dictionary, OpenCC, compiled regexes), then start cold.
    for doc in copy.deepcopy(docs[:5]):
        clean(doc, Context(settings.clean, doc.lang or "und", settings.languages))
    copies = [copy.deepcopy(docs) for _ in range(max(1, reps))]
    for work in copies[:reps]:
        _clear_caches()
        seconds = dict.fromkeys(per_rule, 0.0)
        if profiler:
            profiler.enable()
        for doc in work:
            ctx = Context(settings.clean, doc.lang or "und", settings.languages)
            for rule in RULES:
                t = time.process_time()
                rule(ctx).run(doc)
                seconds[rule.name] += time.process_time() - t
        if profiler:
            profiler.disable()
        totals.append(sum(seconds.values()))
        for k, v in seconds.items():
            per_rule[k].append(v)
    if profiler:
        profiler.dump_stats(str(profile))
    if not reps:
        return 0
    if as_json:
        print(json.dumps({"totals": totals, "rules": per_rule}))
        return 0
    print(f"{len(docs)} documents, clean CPU s per repetition: {', '.join(f'{t:.2f}' for t in totals)}; "
          f"median {statistics.median(totals):.2f}, min {min(totals):.2f}")
    for k, v in sorted(per_rule.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {k:20} median {statistics.median(v):7.3f}  min {min(v):7.3f}")
    return 0


def compare(path: Path, trees: list[Path], rounds: int) -> int:
    results: dict[Path, list[float]] = {t: [] for t in trees}
    rules: dict[Path, list[dict[str, list[float]]]] = {t: [] for t in trees}
    for _ in range(rounds):
        for tree in trees:
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--tree", str(tree), "time",
                                  str(path), "--reps", "1", "--json"], capture_output=True, text=True, check=True)
            data = json.loads(out.stdout.strip().splitlines()[-1])
            results[tree].append(data["totals"][0])
            rules[tree].append(data["rules"])
    medians = {t: statistics.median(v) for t, v in results.items()}
    for tree, v in results.items():
        print(f"{tree}: {', '.join(f'{x:.2f}' for x in v)} CPU s; median {medians[tree]:.2f}")
        per = {k: statistics.median(r[k][0] for r in rules[tree]) for k in rules[tree][0]}
        print("   " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])))
    base = medians[trees[0]]
    for tree in trees[1:]:
        print(f"{trees[0]} / {tree}: {base / medians[tree]:.2f} x")
    return 0


def use_tree(tree: Path) -> None:
    """Import sieve (tasks, config) from `tree` instead of the editable install's checkout."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")]
    sys.path.insert(0, str(tree.resolve()))


def callgrind(path: Path, trees: list[Path]) -> int:
    """Instructions (valgrind's Ir) of one cleaning pass: a run with one repetition minus one with none."""
    counts = {}
    for tree in trees:
        ir = []
        for reps in ("0", "1"):
            out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                                  str(Path(__file__).resolve()), "--tree", str(tree), "time", str(path), "--reps",
                                  reps], capture_output=True, text=True, check=True)
            ir.append(int(re.search(r"Collected : (\d+)", out.stderr).group(1)))
        counts[tree] = ir[1] - ir[0]
        print(f"{tree}: {counts[tree] / 1e9:.3f} G instructions", flush=True)
    base = counts[trees[0]]
    for tree in trees[1:]:
        print(f"{trees[0]} / {tree}: {base / counts[tree]:.2f} x")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=Path, default=None, help="import tasks/ and config/ from this checkout")
    sub = ap.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("prepare")
    pr.add_argument("out", type=Path)
    pr.add_argument("folder", type=Path)
    pr.add_argument("-n", type=int, default=200)
    tm = sub.add_parser("time")
    tm.add_argument("docs", type=Path)
    tm.add_argument("--reps", type=int, default=3)
    tm.add_argument("--profile", type=Path, default=None)
    tm.add_argument("--json", action="store_true")
    cp = sub.add_parser("compare")
    cp.add_argument("docs", type=Path)
    cp.add_argument("trees", type=Path, nargs="+")
    cp.add_argument("--rounds", type=int, default=3)
    cg = sub.add_parser("callgrind")
    cg.add_argument("docs", type=Path)
    cg.add_argument("trees", type=Path, nargs="+")
    args = ap.parse_args(argv)
    if args.tree:
        use_tree(args.tree)
    if args.cmd == "prepare":
        return prepare(args.out, args.folder, args.n)
    if args.cmd == "time":
        return time_clean(args.docs, args.reps, args.profile, args.json)
    if args.cmd == "callgrind":
        return callgrind(args.docs, args.trees)
    return compare(args.docs, args.trees, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
