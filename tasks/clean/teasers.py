"""Teasers of other articles: a title line, then the first lines of that article
cut off mid-sentence (often with an ellipsis), perhaps a date, and again.

In plain text scraped from a page, such a block ("related", "latest", "you may
also like") reads like body text: its excerpts are long enough to score as
paragraphs. What gives it away is its shape, repeated: a line shaped like a
headline followed by a line that stops where no sentence ends. An article's own
sub-headings are followed by paragraphs that end their sentences, so a run of
two or more such pairs, most of them cut, is a block of teasers. The short
heading line just above the block goes with it. Plain text only: in HTML,
trafilatura's choice of the content block already leaves such boxes out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import CLOSERS, SENTENCE_END_CHARS, is_sentence_like
from tasks.text.words import zipf

# An excerpt cut short says so: three dots, an ellipsis, "[...]", "(…)".
ELLIPSIS = re.compile(r"(?:\.{3}|\u2026|\[\s*(?:\.{3}|\u2026)\s*\]|\(\s*(?:\.{3}|\u2026)\s*\))\s*$")
# A headline does not end like a statement, and a line ending with a colon announces what follows.
TITLE_END = re.compile(rf"[.\u3002\uff0e:\uff1a][{CLOSERS}]*\s*$")
# A line that is only a date and time, as teaser lists print them under each item.
DATE_LINE = re.compile(r"^\s*\d{4}[-/.\u5e74]\d{1,2}[-/.\u6708]\d{1,2}\u65e5?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
TITLE_MAX_WORDS = 30
EXCERPT_MIN_WORDS = 16
# An excerpt is clearly longer than its title (a heading above a title is not an item).
EXCERPT_OVER_TITLE = 1.5
HEADING_MAX_WORDS = 6
MIN_ITEMS = 2
# Words at most this common (zipf) are rare: names and terms. Items cut without an ellipsis are
# teasers only when less than this share of their rare words occurs in the rest of the page.
RARE_ZIPF = 4.0
OWN_TOPIC_SHARE = 0.25


@dataclass(frozen=True)
class Item:
    """One teaser: its title line, excerpt line and (optional) date line, as paragraph indexes;
    whether the excerpt stops mid-sentence, and whether it says so with an ellipsis."""

    lines: tuple[int, ...]
    cut: bool
    ellipsis: bool


def is_cut(text: str) -> bool:
    """The line stops where no sentence ends: an ellipsis, or a last character that ends nothing."""
    stripped = text.rstrip()
    if ELLIPSIS.search(stripped):
        return True
    last = stripped[-1:]
    return bool(last) and last not in SENTENCE_END_CHARS and last not in CLOSERS and last not in ":\uff1a)]}" \
        and (last.isalnum() or last in ",\uff0c\u3001")


class Teasers(Rule):
    name = "teasers"

    def run(self, doc: Document) -> None:
        if doc.media != "text":
            return
        live = [i for i, p in enumerate(doc.paragraphs) if not p.dropped]
        texts = [doc.paragraphs[i].text for i in live]
        for block in self.blocks(texts):
            for j in block:
                doc.drop_paragraph(live[j], "teasers", self.name)

    def is_title(self, text: str) -> bool:
        return 1 <= self.ctx.weight(text) <= TITLE_MAX_WORDS and not TITLE_END.search(text) \
            and not DATE_LINE.match(text)

    def item_at(self, texts: list[str], j: int) -> Item | None:
        if j + 1 >= len(texts) or not self.is_title(texts[j]):
            return None
        excerpt = texts[j + 1]
        if self.ctx.weight(excerpt) < max(EXCERPT_MIN_WORDS, EXCERPT_OVER_TITLE * self.ctx.weight(texts[j])):
            return None
        lines = (j, j + 1, j + 2) if j + 2 < len(texts) and DATE_LINE.match(texts[j + 2]) else (j, j + 1)
        return Item(lines, is_cut(excerpt), ELLIPSIS.search(excerpt.rstrip()) is not None)

    def is_teaser_block(self, items: list[Item], texts: list[str], block: list[int]) -> bool:
        """Two items or more, most of them cut: with ellipses, that is enough; cut bare, the items
        must also be about something else than the rest of the page (an FAQ's answers, a forum's
        posts, a product's spec lines stop without a full stop too, but on the page's own topic)."""
        if len(items) < MIN_ITEMS:
            return False
        if sum(it.ellipsis for it in items) >= max(MIN_ITEMS, (len(items) + 1) // 2):
            return True
        if sum(it.cut for it in items) < max(MIN_ITEMS, (len(items) + 1) // 2):
            return False
        return self.shared_rare_words(texts, block) < OWN_TOPIC_SHARE

    def shared_rare_words(self, texts: list[str], block: list[int]) -> float:
        """The share of the block's rare words (names, terms) that the rest of the page uses too."""
        inside = set(block)
        rest: set[str] = set()
        for j, text in enumerate(texts):
            if j not in inside:
                rest.update(self.ctx.content_tokens(text))
        words = {t for j in block for t in self.ctx.content_tokens(texts[j]) if zipf(t, self.ctx.lang) <= RARE_ZIPF}
        return len(words & rest) / len(words) if words else 1.0

    def blocks(self, texts: list[str]) -> list[list[int]]:
        """Runs of consecutive items, most of them cut, with the short heading above them."""
        out: list[list[int]] = []
        j = 0
        while j < len(texts):
            items: list[Item] = []
            k = j
            while (item := self.item_at(texts, k)) is not None:
                items.append(item)
                k = item.lines[-1] + 1
            block = [i for it in items for i in it.lines]
            if self.is_teaser_block(items, texts, block):
                head = j - 1
                if head >= 0 and self.ctx.weight(texts[head]) <= HEADING_MAX_WORDS \
                        and not is_sentence_like(texts[head]):
                    block.insert(0, head)
                out.append(block)
                j = k
            else:
                j += 1
        return out
