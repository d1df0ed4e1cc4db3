"""A word injected many times where it does not belong.

An occurrence is injected when the text reads like the rest of the document
without it and not with it: the pair its neighbours would form once it is
taken out occurs elsewhere in the document, while the pairs it forms with its
neighbours occur nowhere else. A word most of whose (many) occurrences look
injected is an injected word; those occurrences are cut, the others (the real
uses of the word) stay. Pairs are character pairs in Han text, word pairs
otherwise.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from tasks.clean.base import Rule
from tasks.clean.text import HAN
from tasks.record import Document

HAN_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}")
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
        joined = "\n".join(texts)
        han = len(HAN.findall(joined)) > len(joined) * 0.2
        counts: Counter[str] = Counter()
        if han:
            for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", joined):
                for n in (2, 3, 4):
                    counts.update(run[i:i + n] for i in range(len(run) - n + 1))
        else:
            counts.update(w.lower() for w in LATIN_WORD.findall(joined))
        candidates = sorted((w for w, c in counts.items() if c >= s.injected_word_min_count),
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
        own: Counter[tuple[str, str]] = Counter()
        sides = []
        for i, a, b in occ:
            left, right = _neighbours(doc.paragraphs[i].text, a, b, han)
            sides.append((left, right))
            own[(left, first)] += 1
            own[(last, right)] += 1
        injected, unsure = [], []
        for (i, a, b), (left, right) in zip(occ, sides, strict=True):
            kept_pairs = [(left, first)] if left else []
            kept_pairs += [(last, right)] if right else []
            if any(pairs[p] - own[p] > 0 for p in kept_pairs):
                continue  # reads like the rest of the document with the word: a real use
            if left is not None and right is not None and pairs[(left, right)] > 0:
                injected.append((i, a, b))
            else:
                unsure.append((i, a, b))
        if len(injected) < s.injected_word_min_count or len(injected) / len(occ) < s.injected_word_min_share:
            return
        # Undecided occurrences go with their paragraph: where the injector struck, or not at all.
        struck = {i for i, _, _ in injected}
        doomed = injected + [o for o in unsure if o[0] in struck]
        for i, a, b in sorted(doomed, key=lambda t: (t[0], -t[1])):
            doc.remove(i, a, b, "injected_word", self.name)
