"""What a page prints after its article: an editor's line, a reprint notice, links
to the previous and next articles. In plain text they come right after the last
paragraph and read like short paragraphs of their own.

They are found by what they say nothing about: an article keeps coming back to
its names and terms, and these lines use none of them. The tail is the longest
end of the page whose longer paragraphs each have rare words (names, terms:
wordfreq zipf at most `RARE_ZIPF`) none of which the page before it uses; the
tail's lines may share words with each other ("Previous article: ...", "Next
article: ..."). Its paragraphs of that kind are cut; short lines that do not
tell (a title on the same subject) are left to the main-region rule. Plain text
only.
"""

from __future__ import annotations

from collections import Counter

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import is_sentence_like
from tasks.text.words import zipf

RARE_ZIPF = 4.0
# A paragraph is foreign to the page when none of its rare words occurs elsewhere, and it has at
# least this many to judge by.
MIN_RARE = 2
# The page before the tail must be this many paragraphs long for the test to mean anything.
MIN_BODY = 5
# At most this share of the page's paragraphs is trailing matter (an article is not its own tail).
MAX_TAIL_SHARE = 0.3


SHORT_LINE_WORDS = 15


class TrailingMatter(Rule):
    name = "trailing_matter"

    def is_short_line(self, text: str) -> bool:
        return self.ctx.weight(text) <= SHORT_LINE_WORDS and not is_sentence_like(text)

    def run(self, doc: Document) -> None:
        if doc.media != "text":
            return
        live = [i for i, p in enumerate(doc.paragraphs) if not p.dropped]
        if len(live) < MIN_BODY + 1:
            return
        lang = self.ctx.lang
        rare = [{t for t in self.ctx.content_tokens(doc.paragraphs[i].text) if zipf(t, lang) <= RARE_ZIPF}
                for i in live]
        short = [self.is_short_line(doc.paragraphs[i].text) for i in live]
        for j in self.tail(rare, short):
            doc.drop_paragraph(live[j], "trailing", self.name)

    @staticmethod
    def tail(rare: list[set[str]], short: list[bool]) -> list[int]:
        """The foreign paragraphs of the longest suffix whose longer paragraphs are all foreign to
        the page before the suffix (trailing lines may share words with each other: "Previous
        article: ...", "Next article: ...")."""
        n = len(rare)
        df = Counter(w for words in rare for w in words)  # the words of the page before the suffix
        best: list[int] = []
        pending: list[int] = []  # longer paragraphs of the suffix that still share a word with the page
        for s in range(n - 1, MIN_BODY - 1, -1):
            if n - s > MAX_TAIL_SHARE * n:
                break
            df.subtract(rare[s])
            if not short[s]:
                pending.append(s)
            pending = [j for j in pending if not is_foreign(rare[j], df)]
            if len(pending) > 1:
                break  # the article's own paragraphs
            if not pending and is_foreign(rare[s], df):
                best = [j for j in range(s, n) if is_foreign(rare[j], df)]
        return best


def is_foreign(words: set[str], df: Counter[str]) -> bool:
    """Enough rare words to judge by, none of them used by the page (`df` counts its words)."""
    return len(words) >= MIN_RARE and not any(df[w] > 0 for w in words)
