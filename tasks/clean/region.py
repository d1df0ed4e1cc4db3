"""Where the article is: menus before it, footers and related lists after it,
link lists inside it.

Body text ("good": sentence-like and long) scores positive, everything else
negative; the article is the stretch with the highest total (the body-text
extraction idea of Finn et al., on paragraphs instead of tags). Short lines
inside it (sub-headings, list items) stay; outside it they go, except the
headline: the heading-shaped line before the article that shares the most of
its topic terms. A related-articles list announces itself by a short line
(a date, "read more") repeating at a regular interval over short items, or by
short items that each end with a date; such a list (however long) weighs as one
boilerplate line, so a box of links inside an article does not end it. In
plain text, lines of code and the short items of a list that a line ending with
a colon announces (with body text after them) are neutral: a tutorial's example
or a list of tools must not cut off the article's beginning. A list nothing
announces still weighs as chrome (a known limit: a bare list of six items after
two paragraphs cuts them).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import CLOSERS, CODE_LIKE, NOT_INSIDE_SPACES, SENTENCE_MARK, is_sentence_like, weight

# Reasons for drops that mark a boilerplate zone (they push the article's edge);
# injected strings and off-topic insertions occur inside articles too.
ZONE_REASONS = {"contact", "footer", "pagination", "link", "navigation", "keyword_stuffing", "related_list", "repeated",
                "markup", "teasers", "trailing"}
ZONE_SCORE = -2.0
HEADLINE_LOOKBACK = 6
TITLE_SEPARATOR = re.compile(rf"{NOT_INSIDE_SPACES}\s*(?:_|\s[|｜\-–—]\s)\s*+")
# A headline does not end like a statement (a question or exclamation may).
STATEMENT_END = re.compile(rf"[.\u3002\uff0e][{CLOSERS}]*\s*$")  # . 。 ．
# Body text whose topic test gives a p-value below this counts proportionally less.
ON_TOPIC_P = 0.2
# A short sentence scores this; body text scores more.
BODY_SCORE = 0.1
# A short line that is not a sentence, in plain text: chrome unless something says otherwise.
CHROME_SCORE = -1.0
LIST_INTRO = re.compile(r"[:\uff1a]\s*$")  # : ：
LIST_INTRO_WORDS = 2.5  # "You will need:", "所需工具："; not a label like "Author:"
LIST_ITEM_MAX_WORDS = 6


class MainRegion(Rule):
    name = "main_region"

    def paragraph_score(self, i: int, text: str, html: bool = False) -> float:
        """Body text scores by its length, discounted when it is weakly on topic."""
        w = self.ctx.weight(text)
        good = (w >= self.settings.good_min_letters / 5 and is_sentence_like(text)) or (
            w >= 40 and SENTENCE_MARK.search(text) is not None)
        if good and w > 8:
            return (w - 8) / 8 * min(1.0, self.ctx.topic_p.get(i, 1.0) / ON_TOPIC_P)
        # A short sentence is neutral (an opening line, a list item); other short lines are chrome
        # in plain text. In HTML, trafilatura already chose the content block by its markup, so a
        # short line left in it (list item, code, byline, address) is no evidence either way.
        if w >= 5 and is_sentence_like(text):
            return BODY_SCORE
        # A line of code is no menu item either (a tutorial's examples sit between its paragraphs).
        return 0.0 if html or CODE_LIKE.search(text) else CHROME_SCORE

    def dropped_score(self, text: str, reasons: set[str]) -> float:
        """Dropped paragraphs still say where the article is not."""
        if reasons & ZONE_REASONS:
            return ZONE_SCORE
        if "off_topic" in reasons:
            return -max(1.0, (self.ctx.weight(text) - 8) / 16)
        return 0.0

    def run(self, doc: Document) -> None:
        n = len(doc.paragraphs)
        if not n:
            return
        html = doc.media == "html"
        reasons: dict[int, set[str]] = {}
        for r in doc.removed:
            if r.paragraph is not None:
                reasons.setdefault(r.paragraph, set()).add(r.reason)
        scores = [self.dropped_score(para.original, reasons.get(i, set())) if para.dropped
                  else self.paragraph_score(i, para.text, html) for i, para in enumerate(doc.paragraphs)]
        scores = _lists_as_one(scores, [p.dropped and "related_list" in reasons.get(i, ()) for i, p in
                                        enumerate(doc.paragraphs)])
        if not html:
            scores = _announced_lists(scores, [p.text for p in doc.paragraphs],
                                      [self.ctx.weight(p.text) for p in doc.paragraphs])
        start, end = _best_span(scores)
        if end < start:
            return
        keep = [start <= i <= end for i in range(n)]
        if html:
            keep = _html_keep(keep, scores)
        headline = self.headline(doc, start, end)
        for i, para in enumerate(doc.paragraphs):
            if para.dropped or keep[i] or i == headline:
                continue
            doc.drop_paragraph(i, "boilerplate", "before_main_content" if i < start else "after_main_content")

    def headline(self, doc: Document, start: int, end: int) -> int | None:
        """The heading-shaped line just before the article that shares most of its words."""
        first = doc.paragraphs[start].text
        if self.ctx.weight(first) <= 40 and not STATEMENT_END.search(first):
            return None  # the article opens with its own headline
        body: set[str] = set()
        for i in range(start, end + 1):
            if not doc.paragraphs[i].dropped:
                body.update(self.ctx.content_tokens(doc.paragraphs[i].text))
        best, best_key = None, (0, 0.0)
        for i in range(max(0, start - HEADLINE_LOOKBACK), start):
            para = doc.paragraphs[i]
            if para.dropped or not 1 <= self.ctx.weight(para.text) <= 40 or STATEMENT_END.search(para.text):
                continue
            toks = set(self.ctx.content_tokens(para.text))
            hits = len(toks & body)
            key = (hits, hits / max(1, len(toks)))
            if hits and key[1] >= 0.3 and key > best_key:
                best, best_key = i, key
        if best is not None:
            self.strip_unrelated_suffix(doc, best, body)
        return best

    def strip_unrelated_suffix(self, doc: Document, i: int, body: set[str]) -> None:
        """Cut tail segments of a headline ("_keyword", "| site") that share no topic with the article."""
        text = doc.paragraphs[i].text
        cuts = [m.start() for m in TITLE_SEPARATOR.finditer(text)]
        for pos in reversed(cuts):
            tail = text[pos:]
            toks = set(self.ctx.content_tokens(tail))
            if toks and len(toks & body) / len(toks) < 0.34 and weight(text[:pos]) >= 2:
                doc.remove(i, pos, len(text), "seo_suffix", "headline_suffix")
                text = text[:pos]
            else:
                break


def _html_keep(keep: list[bool], scores: list[float]) -> list[bool]:
    """In HTML, trafilatura already chose the content by its markup, so only evidence of chrome
    removes: body text stays wherever it is, and neutral lines (score 0) next to kept text stay."""
    keep = [k or s > BODY_SCORE for k, s in zip(keep, scores, strict=True)]
    n = len(keep)
    for i in range(1, n):  # forwards, then backwards: a neutral run next to kept text stays whole
        keep[i] = keep[i] or (scores[i] >= 0 and keep[i - 1])
    for i in range(n - 2, -1, -1):
        keep[i] = keep[i] or (scores[i] >= 0 and keep[i + 1])
    return keep


def _lists_as_one(scores: list[float], listed: list[bool]) -> list[float]:
    """A run of paragraphs the list rule dropped is one box: it scores as one zone line, spread
    over its items (a list of ten links says no more about where the article ends than one of three)."""
    out = list(scores)
    i, n = 0, len(scores)
    while i < n:
        j = i
        while j < n and listed[j]:
            j += 1
        if j > i:
            out[i:j] = [ZONE_SCORE / (j - i)] * (j - i)
        i = max(j, i + 1)
    return out


def _announced_lists(scores: list[float], texts: list[str], weights: list[float]) -> list[float]:
    """Short items after a line that ends with a colon ("You will need:"), when body text follows
    them, are the list that line announces: neutral, not chrome. A menu announces nothing, a box
    of links after an article is not followed by more of it, a label ("Author:", "Source:") says
    too little to announce anything, and headlines are longer than list items."""
    out = list(scores)
    n = len(scores)
    for i in range(n - 1):
        if weights[i] < LIST_INTRO_WORDS or not LIST_INTRO.search(texts[i]):  # (a dropped paragraph has no text)
            continue
        j = i + 1
        while j < n and scores[j] == CHROME_SCORE and weights[j] <= LIST_ITEM_MAX_WORDS:
            j += 1
        if j > i + 1 and j < n and scores[j] > BODY_SCORE:
            out[i + 1:j] = [0.0] * (j - i - 1)
            if out[i] == CHROME_SCORE:
                out[i] = 0.0
    return out


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


# A date as link lists print it: 2024-03-11, 2024/3/11, 11.03.2024, 2024年3月11日, Mar 11, 2024.
ITEM_DATE = re.compile(r"\b\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|"
                       r"\b[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\b")
MIN_LIST_ITEMS = 3
LIST_ITEM_WORDS = 16


class RelatedList(Rule):
    """Links to other articles: short items separated by the same short line at a
    regular interval, or a run of short dated items (a "related" or "latest" widget)."""

    name = "related_list"

    def run(self, doc: Document) -> None:
        self.separated_items(doc)
        self.dated_items(doc)

    def separated_items(self, doc: Document) -> None:
        positions: dict[str, list[int]] = defaultdict(list)
        for i, para in enumerate(doc.paragraphs):
            text = para.original.strip()
            if text and self.ctx.weight(text) <= 8:
                positions[text].append(i)
        for pos in positions.values():
            if len(pos) < 3:
                continue
            gaps = [b - a for a, b in itertools.pairwise(pos)]
            gap = sorted(gaps)[len(gaps) // 2]
            if gap < 2 or gap > 6 or any(abs(g - gap) > 1 for g in gaps):
                continue
            first, last = max(0, pos[0] - gap + 1), pos[-1]
            items = [doc.paragraphs[i].text for i in range(first, last + 1)]
            if sum(map(self.ctx.weight, items)) / len(pos) > 80:
                continue  # long items: an article with a repeated marker, not a list
            self.drop(doc, range(first, last + 1))

    def dated_items(self, doc: Document) -> None:
        """Three or more consecutive short lines that each carry a date, with the short
        heading line just before them ("Related", "Latest news")."""
        run: list[int] = []
        for i, para in enumerate([*doc.paragraphs, None]):
            if para is not None and not para.dropped and self.ctx.weight(para.text) <= LIST_ITEM_WORDS \
                    and ITEM_DATE.search(para.text):  # the weight first: separated_items has taken it
                run.append(i)
                continue
            if len(run) >= MIN_LIST_ITEMS:
                head = run[0] - 1
                if head >= 0 and not doc.paragraphs[head].dropped and self.ctx.weight(doc.paragraphs[head].text) <= 4 \
                        and not is_sentence_like(doc.paragraphs[head].text):
                    run.insert(0, head)
                self.drop(doc, run)
            run = []

    def drop(self, doc: Document, indexes) -> None:
        for i in indexes:
            if not doc.paragraphs[i].dropped:
                doc.drop_paragraph(i, "related_list", self.name)
