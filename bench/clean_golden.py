"""Golden outputs of the per-document work, to check that a change to cleaning
changes nothing it should not.

For every input (a generated corpus, the seeds, the HTML test fixtures) this
runs `tasks.stages.document.process_document` and saves, one JSON line per document,
its published text, verdict (reject reason), title, metadata, language (scores, script, paragraphs'
languages) and removals list.

    python bench/make_corpus.py /tmp/cs_corpus -n 400
    python bench/clean_golden.py save /tmp/golden-before.jsonl --corpus /tmp/cs_corpus
    ... change tasks/clean ...
    python bench/clean_golden.py save /tmp/golden-after.jsonl --corpus /tmp/cs_corpus
    python bench/clean_golden.py diff /tmp/golden-before.jsonl /tmp/golden-after.jsonl

For the outputs of an older commit, unpack it (`git archive C | tar -x -C /tmp/old`) and run
this script from there with PYTHONPATH=/tmp/old: the editable install otherwise imports this
checkout's `tasks`.

`diff` prints every document whose output changed (published text as a
unified diff, then the removals only one side has) and exits 1 if any did.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [ROOT / "seeds", ROOT / "tests" / "fixtures" / "html"]
SUFFIXES = (".html", ".htm", ".txt")


def inputs(corpora: list[Path]) -> list[tuple[str, Path]]:
    out = []
    for folder in [*corpora, *DEFAULT_SETS]:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in SUFFIXES:
                out.append((f"{folder.name}/{path.name}", path))
    return out


def run(corpora: list[Path]) -> list[dict]:
    from config import Settings  # noqa: PLC0415 - after sys.path is settled
    from tasks.inputs.read import read_file  # noqa: PLC0415
    from tasks.stages.document import process_document  # noqa: PLC0415

    settings = Settings()
    rows = []
    for key, path in inputs(corpora):
        doc = process_document(read_file(path, settings.read), settings)
        rows.append({"key": key, "reject_reason": doc.reject_reason, "title": doc.title, "metadata": doc.metadata,
                     "lang": doc.lang, "lang_scores": doc.lang_scores, "script": doc.script,
                     "source_script": doc.source_script, "paragraph_langs": doc.paragraph_langs,
                     "published_text": doc.published_text,
                     "removed": [asdict(r) for r in doc.removed]})
    return rows


def save(out: Path, corpora: list[Path]) -> int:
    t = time.perf_counter()
    rows = run(corpora)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} documents -> {out} ({time.perf_counter() - t:.1f} s)")
    return 0


def load(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as fh:
        return {row["key"]: row for row in map(json.loads, fh)}


def _removal(r: dict) -> str:
    return f"{r['rule']}/{r['reason']} p{r['paragraph']} {r['start']}:{r['end']} {r['snippet']!r}"


def diff(a_path: Path, b_path: Path, limit: int) -> int:
    a, b = load(a_path), load(b_path)
    changed = 0
    for key in sorted(set(a) | set(b)):
        ra, rb = a.get(key), b.get(key)
        if ra == rb:
            continue
        changed += 1
        if changed > limit:
            continue
        print(f"=== {key}")
        if ra is None or rb is None:
            print("  only in", a_path if rb is None else b_path)
            continue
        for field in ("reject_reason", "title", "metadata", "lang", "lang_scores", "script", "source_script",
                      "paragraph_langs"):
            if ra.get(field) != rb.get(field):
                print(f"  {field}: {ra.get(field)!r} -> {rb.get(field)!r}")
        if ra["published_text"] != rb["published_text"]:
            lines = difflib.unified_diff(ra["published_text"].split("\n"), rb["published_text"].split("\n"),
                                         "before", "after", n=0, lineterm="")
            print("\n".join("  " + line for line in lines))
        sa, sb = [_removal(r) for r in ra["removed"]], [_removal(r) for r in rb["removed"]]
        if sa != sb:
            for line in difflib.unified_diff(sa, sb, "removed before", "removed after", n=0, lineterm=""):
                print("  " + line)
    print(f"{len(a)} vs {len(b)} documents, {changed} changed")
    return 1 if changed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("save")
    sv.add_argument("out", type=Path)
    sv.add_argument("--corpus", type=Path, action="append", default=[],
                    help="a folder of pages (bench/make_corpus.py); repeatable")
    df = sub.add_parser("diff")
    df.add_argument("a", type=Path)
    df.add_argument("b", type=Path)
    df.add_argument("--limit", type=int, default=20, help="documents shown in full")
    args = ap.parse_args(argv)
    if args.cmd == "save":
        return save(args.out, args.corpus)
    return diff(args.a, args.b, args.limit)


if __name__ == "__main__":
    sys.exit(main())
