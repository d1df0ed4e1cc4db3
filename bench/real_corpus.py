"""The benchmark's corpus of real pages: wcxb-dev's HTML plus Chinese pages from the sample pages.

- English: the 1,308 real pages of ../shared/dev/wcxb-dev/html (news, blogs,
  forums, docs, shops: seven kinds), gunzipped as fetched, bytes unchanged.
  Repeated (a second copy, a third...) when the corpus asks for more pages
  than there are; `describe` says how many copies.
- Chinese: there is no Chinese HTML corpus here, so the three Chinese sample
  pages (seeds/001, 003, 004: real pages saved as text, their menus, spam and
  footers included) are put into HTML, a `<p>` per line under the page's first
  line as `<title>`. Variant k of a page leaves out its line k, so the pages
  are distinct documents of real text; they are `zh_share` of the corpus.

Files are named NNNNN_<lang>.html (the language as known beforehand).
"""

from __future__ import annotations

import gzip
import html
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SIEVE_SHARED", ROOT.parent / "shared"))  # ../shared, or where it is
WCXB = SHARED / "dev" / "wcxb-dev" / "html"
CHINESE_SEEDS = ("001_a60c4e758812ea41.txt", "003_70ee1a5ae531a587.txt", "004_0c0d24ab21bbcc88.txt")


def chinese_page(text: str, leave_out: int) -> str:
    """A sample page's text as HTML: a paragraph per non-empty line, but line `leave_out`."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept = [line for k, line in enumerate(lines) if k != leave_out % len(lines)]
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in kept)
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(lines[0])}</title>'
            f"</head>\n<body><article>\n{body}\n</article></body></html>\n")


def write_real_corpus(folder: Path, n: int, zh_share: float = 0.1) -> dict[str, int]:
    """`n` pages into `folder` (emptied first): about `zh_share` Chinese, the rest wcxb-dev's."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    english = sorted(WCXB.glob("*.html.gz"))
    if not english:
        raise SystemExit(f"no pages in {WCXB}")
    n_zh = round(n * zh_share)
    k = 0
    for k in range(n - n_zh):
        with gzip.open(english[k % len(english)], "rb") as fh:
            (folder / f"{k:05d}_en.html").write_bytes(fh.read())
    texts = [(ROOT / "seeds" / name).read_text(encoding="utf-8") for name in CHINESE_SEEDS]
    for j in range(n_zh):
        page = chinese_page(texts[j % len(texts)], j // len(texts))
        (folder / f"{n - n_zh + j:05d}_zh.html").write_text(page, encoding="utf-8")
    return {"wcxb_pages": len(english), "wcxb_copies": -(-(n - n_zh) // len(english)), "english": n - n_zh,
            "chinese": n_zh, "chinese_sources": len(texts)}
