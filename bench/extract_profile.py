"""Where sieve's HTML extraction spends its CPU on real pages, against a bare `trafilatura.extract`.

Profiles (cProfile) `tasks.stages.extract.html_paragraphs` and, separately,
`trafilatura.extract(html, deduplicate=False)` (the floor's extraction) over the same
pages, and prints for each the CPU seconds of the parts named below (cumulative: a part
includes what it calls) and the top functions by own time.

    python bench/extract_profile.py ../shared/dev/wcxb-dev/html --n 200
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import io
import pstats
from pathlib import Path

# (label, file suffix, function name): the parts of an extraction worth naming.
PARTS = [
    ("lxml.html.fromstring (sieve's parse)", "lxml/html/__init__.py", "fromstring"),
    ("load_html (trafilatura's parse)", "trafilatura/utils.py", "load_html"),
    ("drop_hidden_elements", "tasks/stages/extract.py", "drop_hidden_elements"),
    ("bare_extraction", "trafilatura/core.py", "bare_extraction"),
    ("  extract_metadata", "trafilatura/metadata.py", "extract_metadata"),
    ("    find_date (htmldate)", "htmldate/core.py", "find_date"),
    ("  trafilatura_sequence", "trafilatura/core.py", "trafilatura_sequence"),
    ("    tree_cleaning", "trafilatura/htmlprocessing.py", "tree_cleaning"),
    ("    convert_tags", "trafilatura/htmlprocessing.py", "convert_tags"),
    ("    extract_content", "trafilatura/main_extractor.py", "extract_content"),
    ("    extract_comments", "trafilatura/main_extractor.py", "extract_comments"),
    ("    compare_extraction", "trafilatura/external.py", "compare_extraction"),
    ("      try_readability", "trafilatura/external.py", "try_readability"),
    ("      justext_rescue", "trafilatura/external.py", "justext_rescue"),
    ("    baseline", "trafilatura/baseline.py", "baseline"),
    ("    html2txt", "trafilatura/baseline.py", "html2txt"),
    ("  xmltotxt", "trafilatura/xml.py", "xmltotxt"),
    ("copy (of the tree)", "copy.py", "copy"),
    ("page_metadata (sieve's, from markup)", "tasks/stages/metadata.py", "page_metadata"),
]


def part_seconds(stats: pstats.Stats) -> dict[str, float]:
    out = {}
    for label, suffix, name in PARTS:
        out[label] = sum(v[3] for (file, _line, func), v in stats.stats.items()  # type: ignore[attr-defined]
                         if func == name and file.endswith(suffix))
    return out


def profile(func, htmls: list[str]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for html in htmls:
        func(html)
    profiler.disable()
    return pstats.Stats(profiler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--step", type=int, default=4)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()

    import trafilatura  # noqa: PLC0415

    from config import Settings  # noqa: PLC0415
    from tasks.stages.document import extract_settings  # noqa: PLC0415
    from tasks.stages.extract import ExtractError, html_paragraphs  # noqa: PLC0415

    paths = sorted(p for p in args.folder.iterdir() if p.name.endswith((".html", ".html.gz")))[::args.step][:args.n]
    htmls = [(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).decode("utf-8", "replace")
             for p in paths]
    settings = extract_settings(Settings(), "html")  # what a run uses: the hidden-element pass off by default

    def sieve(html: str) -> None:
        with contextlib.suppress(ExtractError):
            html_paragraphs(html, settings)

    def bare(html: str) -> None:
        trafilatura.extract(html, deduplicate=False)

    for html in htmls[:5]:  # imports and first-use tables out of the profile
        sieve(html)
        bare(html)
    results = {"sieve": profile(sieve, htmls), "bare": profile(bare, htmls)}
    totals = {k: s.total_tt for k, s in results.items()}  # type: ignore[attr-defined]
    parts = {k: part_seconds(s) for k, s in results.items()}
    print(f"{len(htmls)} pages; profiled CPU s: sieve html_paragraphs {totals['sieve']:.2f}, "
          f"bare trafilatura.extract {totals['bare']:.2f} (x{totals['sieve'] / totals['bare']:.3f})")
    print(f"{'part (cumulative)':42} {'sieve':>8} {'bare':>8}")
    for label, *_ in PARTS:
        print(f"{label:42} {parts['sieve'][label]:8.2f} {parts['bare'][label]:8.2f}")
    for name, stats in results.items():
        buf = io.StringIO()
        stats.stream = buf  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(args.top)
        print(f"--- {name}: top {args.top} by own time")
        print("\n".join(line for line in buf.getvalue().splitlines()[7:] if line.strip()))


if __name__ == "__main__":
    main()
