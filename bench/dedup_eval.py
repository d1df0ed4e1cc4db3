"""How well dedup finds copies and leaves distinct pages alone, on a test set built from pages.

    .venv/bin/python bench/dedup_eval.py                 # the project's own pages (seeds/, tests/fixtures/,
                                                         # bench/dedup_pages/: 25 wcxb gold texts)
    .venv/bin/python bench/dedup_eval.py --shared 150    # 150 wcxb-dev article texts that are not in the repo

Each base page is processed by the pipeline (process_document: extract, language, clean, normalize) and
its published text, read again as a text page, becomes a base document; from it come copies: the same text
in other bytes (`exact`), in Traditional script (`s2t`, Chinese only), framed by another site's navigation and footer
(`boilerplate`), with a spam string injected into its paragraphs (`spam`), and with 1, 2, 5 and 10 % of its
words (jieba words for Chinese) replaced, deleted or inserted (`edit_N`). Every document, bases and copies,
goes through the pipeline again and gets its signature; `find_copies` decides over all of them in input
order (bases first). Printed: per kind of copy, the share found as a copy of its own base (recall);
false merges: pairs of distinct bases merged (a base or one of its copies taken as a copy of another
base's group), over all pairs of bases; and the same figures for other thresholds, from the estimated
similarities (MinHash) of every copy to its base and of every pair of bases.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Settings  # noqa: E402
from tasks.dedup.index import find_copies  # noqa: E402
from tasks.dedup.signature import Signature, signature  # noqa: E402
from tasks.record import Document, Source  # noqa: E402
from tasks.stages.document import process_document  # noqa: E402

SHARED = ROOT.parent / "shared" / "dev" / "wcxb-dev"
EDITS = (0.01, 0.02, 0.05, 0.10)
HEADER = ["Home | World | Business | Technology | Sport | Culture | Contact", "You are here: Home > News > Latest"]
FOOTER = ["Share this article: Facebook Twitter LinkedIn Email",
          "© 2025 Northbridge Media Group. All rights reserved. Privacy policy | Terms of use"]
SPAM = {"en": " Win big at LuckySpin88 casino - claim your free bonus today!",
        "zh": "【点击下载幸运88彩票App，注册即送888元红包】"}


def process(name: str, raw: bytes, media: str, settings: Settings) -> Document:
    source = Source(uri=f"eval://{name}", kind="file", retrieved_at="2026-01-01T00:00:00Z",
                    sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    return process_document(Document(source=source, raw=raw, media=media), settings)


def repo_pages() -> list[tuple[str, bytes, str]]:
    from tests.fixtures.articles import BEEKEEPING_EN, RAIL_ZH_HANT  # noqa: PLC0415

    pages = [(p.name, p.read_bytes(), "text") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    pages += [(p.name, p.read_bytes(), "html") for p in sorted((ROOT / "tests/fixtures/html").glob("*.html"))]
    pages += [(name, "\n".join(paras).encode(), "text")
              for name, paras in (("beekeeping_en", BEEKEEPING_EN), ("rail_zh_hant", RAIL_ZH_HANT))]
    pages += [(p.name, p.read_bytes(), "text") for p in sorted((ROOT / "bench/dedup_pages").glob("*.txt"))]
    return pages


def shared_pages(n: int) -> list[tuple[str, bytes, str]]:
    """`n` wcxb-dev article gold texts not copied into the repo (bench/dedup_pages holds the first 25)."""
    in_repo = {p.stem.removeprefix("wcxb-") for p in (ROOT / "bench/dedup_pages").glob("*.txt")}
    pages = []
    for line in (SHARED / "index.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["page_type"] != "article" or entry["id"] in in_repo:
            continue
        gold = json.loads((SHARED / "gold" / f"{entry['id']}.json").read_text(encoding="utf-8"))
        pages.append((f"wcxb-{entry['id']}", gold["ground_truth"]["main_content"].encode(), "text"))
        if len(pages) >= n:
            break
    return pages


def tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        import jieba  # noqa: PLC0415

        return jieba.lcut(text)
    return text.split(" ")


def edited(text: str, lang: str, share: float, vocab: list[str], rng: random.Random) -> str:
    """`share` of the words replaced (2/3), deleted or doubled by an inserted word (1/6 each), line by line."""
    lines = []
    for line in text.split("\n"):
        words = tokens(line, lang)
        out = []
        for w in words:
            if w.strip() and rng.random() < share:
                op = rng.random()
                if op < 2 / 3:
                    out.append(rng.choice(vocab))
                elif op < 5 / 6:
                    continue
                else:
                    out += [w, rng.choice(vocab)]
            else:
                out.append(w)
        lines.append(("" if lang == "zh" else " ").join(out))
    return "\n".join(lines)


def copies(text: str, lang: str, vocab: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) copies of a base document's published text."""
    import opencc  # noqa: PLC0415

    paras = text.split("\n")
    made = [("exact", "\r\n\r\n".join(paras) + "\r\n")]
    if lang == "zh":
        made.append(("s2t", opencc.OpenCC("s2t").convert(text)))
    made.append(("boilerplate", "\n".join([*HEADER, *paras, *FOOTER])))
    spam = SPAM.get(lang, SPAM["en"])
    made.append(("spam", "\n".join(p + spam if k % 2 == 0 else p for k, p in enumerate(paras))))
    made += [(f"edit_{round(100 * s)}", edited(text, lang, s, vocab, rng)) for s in EDITS]
    return made


def evaluate(pages: list[tuple[str, bytes, str]], settings: Settings, seed: int = 0) -> dict:
    rng = random.Random(seed)
    started = time.process_time()
    bases = []
    for name, raw, media in pages:
        page = process(name, raw, media, settings)
        # The base is the page's published text read again as a text page, as its copies are (HTML runs
        # other cleaning rules than text: a copy would differ from an HTML base by the rules, not the copying).
        doc = process(f"{name}#base", page.published_text.encode(), "text", settings)
        if not page.reject_reason and not doc.reject_reason:
            bases.append((name, doc))
    vocab = {lang: sorted({w for _, d in bases if d.lang == lang for w in tokens(d.published_text, lang)
                           if w.strip()}) for lang in ("en", "zh")}
    docs: list[tuple[int, str, Document]] = [(g, "base", doc) for g, (_, doc) in enumerate(bases)]
    for g, (_, base) in enumerate(bases):
        for kind, text in copies(base.published_text, base.lang, vocab[base.lang or "en"], rng):
            doc = process(f"{bases[g][0]}#{kind}", text.encode(), "text", settings)
            docs.append((g, kind, doc))
    sigs: list[Signature] = []
    group: dict[str, int] = {}
    kinds: dict[str, str] = {}
    lost: dict[str, int] = {}
    for n, (g, kind, doc) in enumerate(docs):
        if doc.reject_reason:  # a copy the pipeline itself rejects (too short once edited) is not counted
            lost[kind] = lost.get(kind, 0) + 1
            continue
        sig = signature(doc, "00000", n, doc.source.uri, settings.dedup)
        sigs.append(sig)
        group[sig.doc_id], kinds[sig.doc_id] = g, kind
    decisions = find_copies(sigs, [], settings.dedup)
    found: dict[str, list[int]] = {}
    merged: set[tuple[int, int]] = set()
    for sig in sigs:
        copy = decisions.copies.get(sig.doc_id)
        right = copy is not None and group[copy.duplicate_of] == group[sig.doc_id]
        exact_right = right and (copy.reason == "duplicate")
        if copy is not None and not right:
            merged.add(tuple(sorted((group[sig.doc_id], group[copy.duplicate_of]))))
        kind = kinds[sig.doc_id]
        tally = found.setdefault(kind, [0, 0, 0])
        tally[0] += 1
        tally[1] += int(right)
        tally[2] += int(exact_right)
    pairs = len(bases) * (len(bases) - 1) // 2
    sweep = threshold_sweep(sigs, group, kinds, len(bases))
    return {"bases": len(bases), "languages": {lang: sum(d.lang == lang for _, d in bases) for lang in ("en", "zh")},
            "documents": len(sigs), "threshold": settings.dedup.threshold,
            "by_kind": {k: {"copies": v[0], "found": v[1], "recall": round(v[1] / v[0], 4) if v[0] else None,
                            "as_exact": v[2]} for k, v in found.items()},
            "rejected_by_pipeline": lost, "false_merges": len(merged), "distinct_pairs": pairs,
            "false_merge_rate": round(len(merged) / pairs, 6) if pairs else 0.0,
            "sweep": sweep, "cpu_seconds": round(time.process_time() - started, 1)}


def threshold_sweep(sigs: list[Signature], group: dict[str, int], kinds: dict[str, str], n_groups: int) -> dict:
    """Recall of the edited copies (similarity to their base) and false merges between bases, by threshold."""
    values = {s.doc_id: np.frombuffer(s.minhash, dtype=np.uint32) for s in sigs}
    base_of = {group[s.doc_id]: s.doc_id for s in sigs if kinds[s.doc_id] == "base"}
    sim_copy = [float(np.mean(values[s.doc_id] == values[base_of[group[s.doc_id]]]))
                for s in sigs if kinds[s.doc_id].startswith("edit") and group[s.doc_id] in base_of]
    sim_base = [float(np.mean(values[a] == values[b])) for a, b in combinations(base_of.values(), 2)]
    pairs = max(1, n_groups * (n_groups - 1) // 2)
    return {f"{t:.2f}": {"edit_recall": round(sum(s >= t for s in sim_copy) / max(1, len(sim_copy)), 4),
                         "base_pairs_above": sum(s >= t for s in sim_base),
                         "false_merge_rate": round(sum(s >= t for s in sim_base) / pairs, 6)}
            for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)} | {"max_base_pair_similarity": round(max(sim_base, default=0), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=int, default=0, help="this many wcxb-dev article texts not in the repo")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--threshold", type=float, help="dedup.threshold to evaluate (default: the config's)")
    parser.add_argument("--word-ngram", type=int, help="dedup.word_ngram to evaluate (default: the config's)")
    parser.add_argument("--char-ngram", type=int, help="dedup.char_ngram to evaluate (default: the config's)")
    args = parser.parse_args()
    pages = shared_pages(args.shared) if args.shared else repo_pages()
    settings = Settings()
    chosen = {"threshold": args.threshold, "word_ngram": args.word_ngram, "char_ngram": args.char_ngram}
    dedup = settings.dedup.model_copy(update={k: v for k, v in chosen.items() if v is not None})
    settings = settings.model_copy(update={"dedup": dedup})
    result = evaluate(pages, settings)
    print(json.dumps(result, indent=1))
    bars = {"exact_found_as_exact_1.0": all(result["by_kind"][k]["as_exact"] == result["by_kind"][k]["copies"]
                                            for k in ("exact", "s2t") if k in result["by_kind"]),
            "near_recall_0.95": all(result["by_kind"][k]["recall"] >= 0.95 for k in result["by_kind"]
                                    if k.startswith("edit") or k in ("boilerplate", "spam")),
            "false_merges_below_0.1%": result["false_merge_rate"] < 0.001}
    print("bars:", ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in bars.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
