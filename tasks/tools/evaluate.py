"""Score published records against line-labelled gold pages (the format of
`tests/gold/seeds.json`, explained in its `_format` entry).

Token-level precision and recall (a Han character is a token, any other word
is a token, after Traditional-to-Simplified conversion and NFKC folding), plus
the violations a user cares about: forbidden strings published, required
sentences missing, Traditional characters left, spaces before Chinese
punctuation, wrong language label.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.stages.language import converter

TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
SPACE_BEFORE_CJK_PUNCT = re.compile(r"(?<![ \t\u3000])[ \t\u3000]++[，。、：；！？”）》」』,.]")  # from a run's start


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", converter("t2s").convert(s)).lower()


def tokens(s: str) -> list[str]:
    return TOKEN.findall(_norm(s))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", _norm(s))


def line_ranges(specs: Iterable[str]) -> set[int]:
    """Line numbers of gold specs such as "3" and "5-9" (the gold format's `keep`, `optional`, ...)."""
    out: set[int] = set()
    for spec in specs:
        a, _, b = spec.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


@dataclass
class PageScore:
    page: str
    records: int
    precision: float
    recall: float
    forbidden: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / max(1e-9, self.precision + self.recall)

    @property
    def violations(self) -> int:
        return len(self.forbidden) + len(self.missing) + len(self.issues)


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def score_page(name: str, gold: dict[str, Any], raw: str, records: list[dict[str, Any]]) -> PageScore:
    keep, opt = line_ranges(gold["keep"]), line_ranges(gold.get("optional", []))
    exempt = line_ranges(gold.get("strip_except_lines", []))
    k, o = [], []
    for i, raw_line in enumerate(raw.split("\n"), 1):
        if not raw_line.strip() or (i not in keep and i not in opt):
            continue
        line = raw_line
        if i not in exempt:
            for s in gold.get("strip", []):
                line = line.replace(s, "")
        (k if i in keep else o).append(line)
    recs = [r for r in records if any(s.endswith(name) for s in _strings(r.get("source", {})))]
    out = "\n".join(r.get("text", "") for r in recs)
    out_t, keep_t, allow_t = Counter(tokens(out)), Counter(tokens("\n".join(k))), Counter(tokens("\n".join(k + o)))
    if not keep_t:
        recall, precision = 1.0, 0.0 if out_t else 1.0
    else:
        recall = sum((out_t & keep_t).values()) / max(1, sum(keep_t.values()))
        precision = sum((out_t & allow_t).values()) / max(1, sum(out_t.values())) if out_t else 0.0
    sq = _squash(out)
    score = PageScore(name, len(recs), precision, recall,
                      [f for f in gold.get("forbid", []) if _squash(f) in sq],
                      [r for r in gold.get("require", []) if _squash(r) not in sq])
    if gold.get("script") == "Hans":
        if trad := sum(a != b for a, b in zip(out, converter("t2s").convert(out), strict=False)):
            score.issues.append(f"{trad} traditional characters")
        if spaces := len(SPACE_BEFORE_CJK_PUNCT.findall(out)):
            score.issues.append(f"{spaces} spaces before Chinese punctuation")
    langs = sorted({str(r.get("lang")) for r in recs})
    if recs and langs != [gold["lang"]]:
        score.issues.append(f"language {langs} != {gold['lang']}")
    if not recs and keep_t:
        score.issues.append("no published record")
    return score


def score(gold: dict[str, Any], pages: Path, records: list[dict[str, Any]]) -> list[PageScore]:
    return [score_page(name, g, (pages / name).read_text(encoding="utf-8"), records)
            for name, g in gold.items() if not name.startswith("_")]
