"""A paragraph pasted into an article from somewhere else (a news flash), also
where the article is too short for the topic test.

Two cues, independent of each other, must agree. The paragraph is isolated:
none of its rare words (names, terms) and hardly any of its content words occur
anywhere else on the page, not even in the paragraphs on either side (a genuine
paragraph that brings in a new name still shares a word or two with its
neighbours). And the article goes on around it: the paragraphs on either side
share words with each other, or each shares a rare word with the rest of the
page, so the text closes up without it.

In HTML the page's markup made the paragraphs, and a genuine one may share no
word with its neighbours and only one with the page (a digression on keeping
warm in an article on meteors): there the paragraph must share none of its
content words with the page, or announce itself as a separate item, opening
with a label and a colon ("Breaking:", "快讯："), and share at most one in twenty.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import HAN_RUN
from tasks.text.words import rare_tokens

RARE_ZIPF = 4.0
# What there must be to judge by: this many words (a Han character 2/3), this many rare words.
MIN_WORDS = 15
MIN_RARE = 3
# At most this share of the paragraph's content words occurs elsewhere on the page.
MAX_SHARED = 0.2
# In HTML: two rare words are enough, a labelled paragraph shares at most this share, a label is at most
# this many words (a Han character 2/3) before a colon.
MIN_RARE_HTML = 2
MAX_SHARED_LABELLED = 0.05
MAX_LABEL_WORDS = 3
# A list item or a table row (trafilatura writes them "- " and "| "): part of a list, not a pasted item.
LIST_OR_ROW = re.compile(r"[-*•|] ")
LABEL = re.compile(r"([^\s:：]{1,24}+(?: [^\s:：]{1,24}+){0,2}+) ?[:：]")


def keys(tokens: Iterable[str]) -> set[str]:
    """What two paragraphs share when they share a word: the word, or for a Chinese word its character
    pairs (the segmenter reads 高速铁路 as one word and 铁路 as another; they share 铁路)."""
    out: set[str] = set()
    for t in tokens:
        if len(t) > 2 and HAN_RUN.fullmatch(t):
            out.update(t[k:k + 2] for k in range(len(t) - 1))
        else:
            out.add(t)
    return out


class IsolatedParagraph(Rule):
    name = "isolated_paragraph"

    def stands_apart(self, text: str, shared: int, n_words: int) -> bool:
        """In HTML: shares no content word with the page, or is labelled as an item of its own."""
        if not shared:
            return True
        label = LABEL.match(text)
        return bool(label) and self.ctx.weight(label[1]) <= MAX_LABEL_WORDS and shared <= MAX_SHARED_LABELLED * n_words

    @staticmethod
    def anchored(rare: set[str], df: Counter[str]) -> bool:
        """A paragraph with these rare words shares one with the page (it belongs to the article)."""
        return any(df[w] > 1 for w in rare)

    def run(self, doc: Document) -> None:
        html = doc.media != "text"
        min_rare = MIN_RARE_HTML if html else MIN_RARE
        live = [i for i, p in enumerate(doc.paragraphs) if not p.dropped]
        if len(live) < 5:
            return
        texts = [doc.paragraphs[i].text for i in live]
        words = [keys(self.ctx.content_tokens(text)) for text in texts]
        df = Counter(w for ws in words for w in ws)
        rare: dict[int, set[str]] = {}  # read only where the cheaper tests leave a candidate

        def rare_at(j: int) -> set[str]:
            if j not in rare:
                rare[j] = keys(rare_tokens(texts[j], self.ctx.lang, RARE_ZIPF))
            return rare[j]

        pasted = []
        for j in range(1, len(live) - 1):
            if self.ctx.weight(texts[j]) < MIN_WORDS or words[j] & (words[j - 1] | words[j + 1]):
                continue  # too short to judge, or it shares a word with a neighbour
            if LIST_OR_ROW.match(texts[j]):
                continue
            shared = sum(df[w] > 1 for w in words[j])
            if shared > MAX_SHARED * len(words[j]) or (html and not self.stands_apart(texts[j], shared, len(words[j]))):
                continue
            if len(rare_at(j)) < min_rare or any(df[w] > 1 for w in rare_at(j)):
                continue  # too few names to judge by, or its names recur
            if words[j - 1] & words[j + 1] or (self.anchored(rare_at(j - 1), df) and self.anchored(rare_at(j + 1), df)):
                pasted.append(live[j])
        for i in pasted:
            doc.drop_paragraph(i, "off_topic", self.name)
