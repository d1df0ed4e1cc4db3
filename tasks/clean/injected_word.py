"""A word injected many times where it does not belong.

A real word keeps company: the pairs it forms with its neighbours recur in the
document. An injected word lands between arbitrary neighbours, so each of its
pairs occurs once, and the text closes up without it: the two neighbours it
separates also meet elsewhere. It lands several times in each paragraph it
strikes. A word with such occurrences two or more times in each of at least
two paragraphs (at least `injected_word_min_count` in all, most of its uses)
is an injected word: its stray occurrences in the struck paragraphs are cut,
its other occurrences (a headline using the word for real) stay. Pairs are
character pairs in Han text, word pairs otherwise.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from tasks.clean.base import Rule
from tasks.clean.text import HAN
from tasks.clean.words import zipf
from tasks.record import Document

# Function characters and words (的, 在, the, of) are this common or more.
COMMON_UNIT_ZIPF = 6.0
LATIN_MAX_ZIPF = 4.5
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[^\W\d_]{3,}")


def _neighbours(text: str, start: int, end: int, han: bool) -> tuple[str | None, str | None]:
    """The unit (char or word) just before `start` and just after `end`, spaces skipped."""
    if han:
        left = text[:start].rstrip()
        right = text[end:].lstrip()
        return (left[-1] if left else None, right[0] if right else None)
    lm = re.search(r"([^\W_]+)\W*$", text[:start])
    rm = re.match(r"\W*([^\W_]+)", text[end:])
    return (lm.group(1).lower() if lm else None, rm.group(1).lower() if rm else None)


def _common(unit: str, han: bool) -> bool:
    """Punctuation, digits and function words: neighbours that anything can have."""
    if not unit[:1].isalpha():
        return True
    return zipf(unit, "zh" if han else "en") >= COMMON_UNIT_ZIPF


def _pairs(texts: list[str], han: bool) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for t in texts:
        units = [c for c in t if not c.isspace()] if han else [w.lower() for w in re.findall(r"[^\W_]+", t)]
        out.update(itertools.pairwise(units))
    return out


class InjectedWord(Rule):
    name = "injected_word"

    def run(self, doc: Document) -> None:
        s = self.settings
        texts = [p.text for p in doc.paragraphs]
        han = sum(len(HAN.findall(t)) for t in texts) > sum(len(t) for t in texts) * 0.2
        # Injected words are content words; in word-spaced text only fairly rare ones are judged,
        # since common words are the ones met in ever-new company. A candidate must already look
        # like an injection by count: twice or more in each of at least two paragraphs.
        max_zipf = COMMON_UNIT_ZIPF if han else LATIN_MAX_ZIPF
        total: Counter[str] = Counter()
        repeated_in: Counter[str] = Counter()
        for text in texts:
            here: Counter[str] = Counter()
            if han:
                for run in HAN_RUN.findall(text):
                    for n in (2, 3, 4):
                        here.update(run[i:i + n] for i in range(len(run) - n + 1))
            else:
                here.update(w.lower() for w in LATIN_WORD.findall(text))
            total.update(here)
            repeated_in.update(w for w, c in here.items() if c >= 2)
        candidates = sorted((w for w, c in repeated_in.items()
                             if c >= 2 and total[w] >= s.injected_word_min_count
                             and zipf(w, "zh" if han else "en") < max_zipf),
                            key=lambda w: (-len(w), w))
        if not candidates:
            return
        pairs = _pairs(texts, han)
        for word in candidates:
            self._judge(doc, word, pairs, han)

    def _occurrences(self, doc: Document, word: str, han: bool) -> list[tuple[int, int, int]]:
        rx = re.compile(re.escape(word)) if han else re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.I)
        return [(i, m.start(), m.end()) for i, p in enumerate(doc.paragraphs) for m in rx.finditer(p.text)]

    def _judge(self, doc: Document, word: str, pairs: Counter[tuple[str, str]], han: bool) -> None:
        s = self.settings
        occ = self._occurrences(doc, word, han)
        if len(occ) < s.injected_word_min_count:
            return
        first, last = (word[0], word[-1]) if han else (word.lower(), word.lower())
        stray = []
        for i, a, b in occ:
            left, right = _neighbours(doc.paragraphs[i].text, a, b, han)
            # A real word recurs in the same company; an injected one meets new neighbours every time.
            # In Han text meeting a function character twice says nothing (的 precedes anything);
            # in word-spaced text function words are what real words keep meeting.
            company = [p for p, other in (((left, first), left), ((last, right), right))
                       if other is not None and not (han and _common(other, han))]
            if any(pairs[p] > 1 for p in company):
                continue
            # ... and the text closes up without it: its two neighbours meet elsewhere (or, between
            # words, one of them is a function word, which joins anything).
            closes = left is not None and right is not None and (
                pairs[(left, right)] > 0 or (not han and (_common(left, han) or _common(right, han))))
            stray.append((i, a, b, closes))
        closing = Counter(i for i, _, _, closes in stray if closes)
        if sum(c >= 2 for c in closing.values()) < 2:
            return
        per_paragraph = Counter(i for i, _, _, _ in stray)
        struck = {i for i, c in per_paragraph.items() if c >= 2}
        doomed = [(i, a, b) for i, a, b, _ in stray if i in struck]
        share = s.injected_word_min_share if han else max(s.injected_word_min_share, 0.8)
        if len(doomed) < s.injected_word_min_count or len(doomed) / len(occ) < share:
            return
        # Occurrences outside the struck paragraphs (a headline, say) are the word's real uses.
        for i, a, b in sorted(doomed, key=lambda t: (t[0], -t[1])):
            doc.remove(i, a, b, "injected_word", self.name)
