"""Metadata against WCXB's gold title, author and date: sieve's markup reader beside trafilatura's own.

For each page of a WCXB-layout folder whose gold names the field, counts exact matches
(title and author compared as lower-cased `\\w+` words, dates by their first 10 characters)
of `tasks.stages.metadata.page_metadata` and of `trafilatura.bare_extraction(with_metadata=True)`
on the same parsed tree, and the CPU seconds each took.

    python bench/metadata_gold.py ../shared/dev/wcxb-dev [--step 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

WORD = re.compile(r"\w+")
FIELDS = (("title", "title"), ("author", "author"), ("date", "publish_date"))


def same(field: str, found: object, gold: str) -> bool:
    found = str(found) if found else ""
    if field == "date":
        return bool(found) and found[:10] == gold[:10]
    return WORD.findall(found.lower()) == WORD.findall(gold.lower())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args()

    import trafilatura  # noqa: PLC0415
    from trafilatura.settings import Extractor  # noqa: PLC0415

    from tasks.stages.metadata import DATE_PARAMS, page_metadata  # noqa: PLC0415
    from tasks.stages.parse import parse_html  # noqa: PLC0415

    options = Extractor(output_format="python", comments=False, dedup=False, with_metadata=True,
                        date_params=DATE_PARAMS)
    counts = {"pages": dict.fromkeys([f for f, _ in FIELDS], 0)}
    hits = {name: dict.fromkeys([f for f, _ in FIELDS], 0) for name in ("markup", "trafilatura")}
    cpu = {"markup": 0.0, "trafilatura": 0.0}
    for path in sorted((args.folder / "html").glob("*.html.gz"))[::args.step]:
        gold = json.loads((args.folder / "gold" / f"{path.name.split('.')[0]}.json").read_text())["ground_truth"]
        tree, *_ = parse_html(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        start = time.process_time()
        ours = page_metadata(tree)
        cpu["markup"] += time.process_time() - start
        start = time.process_time()
        theirs = trafilatura.bare_extraction(tree, options=options)  # text too: metadata alone is not public
        cpu["trafilatura"] += time.process_time() - start
        for field, key in FIELDS:
            if want := gold.get(key):
                counts["pages"][field] += 1
                hits["markup"][field] += same(field, getattr(ours, field), str(want))
                hits["trafilatura"][field] += same(field, getattr(theirs, field, None) if theirs else None, str(want))
    print(json.dumps({"pages with the field in the gold": counts["pages"], "exact matches": hits,
                      "cpu_s (trafilatura's includes its text extraction)": cpu}, indent=1))


if __name__ == "__main__":
    main()
