"""Per-stage CPU and extraction quality of sieve's per-document work on real pages.

Runs `process_document` (its StageTimer: decode, extract, language, clean, normalize)
and, on the same page, a bare `trafilatura.extract(html, deduplicate=False)` (the
floor's extraction), for `--rounds` rounds over the first `--n` pages of a folder of
`*.html` or `*.html.gz` files; prints the median over rounds of each stage's CPU
seconds, the ratio of sieve's extraction stage to the bare extraction, and (with a
WCXB gold folder beside the pages) word F1 of sieve's extracted text, of its
published text and of the bare extraction, WCXB's metric: bags of lower-cased `\\w+`
tokens, a page without output scoring 0.

    python bench/real_pages.py ../shared/dev/wcxb-dev/html --n 300 --rounds 3
    python bench/real_pages.py ../shared/dev/wcxb-dev/html --n 300 --set extract.fast=true
    PYTHONPATH=/tmp/old python bench/real_pages.py ...     # an older checkout (git archive C | tar -x)

It only calls `process_document`, `read_file` and the settings, so it runs against older
checkouts too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

WORD = re.compile(r"\w+")


def word_f1(found: str, gold: str) -> float:
    got, want = Counter(WORD.findall(found.lower())), Counter(WORD.findall(gold.lower()))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def pages(folder: Path, n: int, step: int) -> list[tuple[str, bytes]]:
    paths = sorted(p for p in folder.iterdir() if p.name.endswith((".html", ".html.gz")))[::step][:n]
    return [(p.name.split(".")[0], gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes())
            for p in paths]


def settings_with(overrides: list[str]):
    from config import Settings  # noqa: PLC0415 - after PYTHONPATH picks the checkout

    data: dict = {}
    for item in overrides:
        key, value = item.split("=", 1)
        section, name = key.split(".")
        data.setdefault(section, {})[name] = json.loads(value)
    return Settings(**data)


def one_round(docs: list[tuple[str, bytes]], settings, tmp: Path) -> tuple[dict[str, float], dict[str, dict]]:
    import trafilatura  # noqa: PLC0415

    from tasks.inputs.read import read_file  # noqa: PLC0415
    from tasks.stages.document import StageTimer, process_document  # noqa: PLC0415

    timer = StageTimer()
    timer.clock = staticmethod(time.process_time)
    bare = 0.0
    outputs = {}
    for name, raw in docs:
        path = tmp / f"{name}.html"
        path.write_bytes(raw)
        doc = process_document(read_file(path, settings.read), settings, timer)
        start = time.process_time()
        floor_text = trafilatura.extract(raw.decode("utf-8", "replace"), deduplicate=False) or ""
        bare += time.process_time() - start
        outputs[name] = {"extracted": "\n".join(p.original for p in doc.paragraphs),
                         "published": "" if doc.reject_reason else (doc.published_text or ""),
                         "bare": floor_text}
    return {**timer.seconds, "bare_extract": bare}, outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--step", type=int, default=4, help="take every STEP-th page (all kinds of page)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=JSON")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    import tempfile  # noqa: PLC0415

    settings = settings_with(args.set)
    docs = pages(args.folder, args.n, args.step)
    with tempfile.TemporaryDirectory() as tmp:
        one_round(docs[:5], settings, Path(tmp))  # imports, profiles, caches
        rounds = [one_round(docs, settings, Path(tmp)) for _ in range(args.rounds)]
    stages = {k: statistics.median(r[0][k] for r in rounds) for k in rounds[0][0]}
    per_round_ratio = [r[0]["extract"] / r[0]["bare_extract"] for r in rounds]
    result = {"pages": len(docs), "rounds": args.rounds, "settings": args.set,
              "cpu_s": {k: round(v, 3) for k, v in stages.items()},
              "extract_over_bare": round(statistics.median(per_round_ratio), 3),
              "extract_over_bare_rounds": [round(x, 3) for x in per_round_ratio]}
    gold_dir = args.folder.parent / "gold"
    if gold_dir.is_dir():
        outputs = rounds[-1][1]
        golds = {name: json.loads((gold_dir / f"{name}.json").read_text())["ground_truth"]["main_content"]
                 for name in outputs}
        for kind in ("extracted", "published", "bare"):
            result[f"f1_{kind}"] = round(statistics.mean(word_f1(o[kind], golds[n]) for n, o in outputs.items()), 4)
    if args.json:
        args.json.write_text(json.dumps({**result, "texts": rounds[-1][1]}, ensure_ascii=False))
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
