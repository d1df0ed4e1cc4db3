"""What a page prints after its article: an editor's line, a reprint notice, links
to the previous and next articles. In plain text they come right after the last
paragraph and read like short paragraphs of their own.

They are found by what they say nothing about: an article keeps coming back to
its names and terms, and these lines use none of them. Walking back from the
end of the page, a paragraph whose rare words (names, terms: wordfreq zipf at
most `RARE_ZIPF`) the rest of the page hardly uses is trailing matter; the walk
stops at the first paragraph that shares them (the article's last paragraph)
or that has too few rare words to judge by; short lines that do not tell (a title on the
same subject) are passed over, and left to the main-region rule. Plain text only.
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
        df = Counter(w for words in rare for w in words)
        tail: list[int] = []
        for j in range(len(live) - 1, MIN_BODY - 1, -1):
            if len(tail) + 1 > MAX_TAIL_SHARE * len(live):
                break
            words = rare[j]
            df.subtract(words)  # the rest of the page: without this paragraph and the tail after it
            foreign = len(words) >= MIN_RARE and not any(df[w] > 0 for w in words)
            if foreign:
                tail.append(live[j])
            elif not self.is_short_line(doc.paragraphs[live[j]].text):
                break  # the article's last paragraph
            # (a short line that does not tell, "Next: <a title on the same subject>", is passed over)
        for i in tail:
            doc.drop_paragraph(i, "trailing", self.name)
