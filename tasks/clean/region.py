"""Where the article is: menus before it, footers and related lists after it,
link lists inside it.

Body text ("good": sentence-like and long) scores positive, everything else
negative; the article is the stretch with the highest total (the body-text
extraction idea of Finn et al., on paragraphs instead of tags). Short lines
inside it (sub-headings, list items) stay; outside it they go, except the
headline: the heading-shaped line before the article that shares the most of
its topic terms. A related-articles list announces itself by a short line
(a date, "read more") repeating at a regular interval over short items.
"""

from __future__ import annotations

from collections import defaultdict

from tasks.clean.base import Rule
from tasks.clean.text import is_sentence_like, weight
from tasks.clean.topic import content_tokens
from tasks.record import Document

# Reasons for drops that mark a boilerplate zone (they push the article's edge);
# injected strings and off-topic insertions occur inside articles too.
ZONE_REASONS = {"contact", "footer", "pagination", "link", "keyword_stuffing", "related_list", "repeated",
                "markup"}
HEADLINE_LOOKBACK = 6


class MainRegion(Rule):
    name = "main_region"

    def paragraph_score(self, text: str) -> float:
        w = weight(text)
        good = w >= self.settings.good_min_letters / 5 and is_sentence_like(text) or \
            w >= self.settings.good_min_letters / 2.5
        return (w - 8) / 8 if good and w > 8 else -1.0

    def run(self, doc: Document) -> None:
        n = len(doc.paragraphs)
        if not n:
            return
        zone = {r.paragraph for r in doc.removed if r.reason in ZONE_REASONS and r.paragraph is not None}
        scores = []
        for i, para in enumerate(doc.paragraphs):
            if para.dropped:
                scores.append(-2.0 if i in zone else 0.0)
            else:
                scores.append(self.paragraph_score(para.text))
        start, end = _best_span(scores)
        if end < start:
            return
        headline = self.headline(doc, start, end)
        for i, para in enumerate(doc.paragraphs):
            if para.dropped or start <= i <= end or i == headline:
                continue
            doc.drop_paragraph(i, "boilerplate", "before_main_content" if i < start else "after_main_content")

    def headline(self, doc: Document, start: int, end: int) -> int | None:
        body = set()
        for i in range(start, end + 1):
            if not doc.paragraphs[i].dropped:
                body.update(content_tokens(doc.paragraphs[i].text, self.ctx.lang))
        best, best_hits = None, 0
        for i in range(max(0, start - HEADLINE_LOOKBACK), start):
            para = doc.paragraphs[i]
            if para.dropped or not 1 <= weight(para.text) <= 40:
                continue
            toks = set(content_tokens(para.text, self.ctx.lang))
            hits = len(toks & body)
            if hits and hits / len(toks) >= 0.3 and hits >= best_hits:
                best, best_hits = i, hits
        return best


def _best_span(scores: list[float]) -> tuple[int, int]:
    """Maximum-sum contiguous span (Kadane); (0, -1) when nothing scores positive."""
    best, best_span = 0.0, (0, -1)
    total, start = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += s
        if total > best:
            best, best_span = total, (start, i)
    return best_span


class RelatedList(Rule):
    """Short items separated by the same short line at a regular interval."""

    name = "related_list"

    def run(self, doc: Document) -> None:
        positions: dict[str, list[int]] = defaultdict(list)
        for i, para in enumerate(doc.paragraphs):
            text = para.original.strip()
            if text and weight(text) <= 8:
                positions[text].append(i)
        for pos in positions.values():
            if len(pos) < 3:
                continue
            gaps = [b - a for a, b in zip(pos, pos[1:], strict=False)]
            gap = sorted(gaps)[len(gaps) // 2]
            if gap < 2 or gap > 6 or any(abs(g - gap) > 1 for g in gaps):
                continue
            first, last = max(0, pos[0] - gap + 1), pos[-1]
            items = [doc.paragraphs[i].text for i in range(first, last + 1)]
            if sum(weight(t) for t in items) / len(pos) > 80:
                continue  # long items: an article with a repeated marker, not a list
            for i in range(first, last + 1):
                if not doc.paragraphs[i].dropped:
                    doc.drop_paragraph(i, "related_list", self.name)
