"""A string injected into many paragraphs (a site slogan, a spam signature).

Found by repetition, not by a list: character n-grams that recur in a large
share of paragraphs are grown into maximal runs; a run long enough and common
enough is the injected string. It is cut wherever it occurs (also truncated at
a paragraph's end or start), and the rest of each paragraph is kept, including
the punctuation that ended the sentence the string was appended to.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from difflib import SequenceMatcher

from tasks.clean.base import Rule
from tasks.record import Document

N = 6


# A stretch covered by frequent n-grams: n-gram starts (1) no more than N apart.
_COVERED = re.compile(rb"\x01(?:\x00{0,%d}\x01)*" % (N - 1))


def _grams(text: str) -> list[str]:
    return [text[i:i + N] for i in range(len(text) - N + 1)]


def _runs(text: str, frequent: set[str], grams: list[str] | None = None) -> list[tuple[int, int]]:
    """Maximal stretches of `text` every character of which is inside a frequent n-gram."""
    starts = bytes(map(frequent.__contains__, _grams(text) if grams is None else grams))
    return [(m.start(), m.end() - 1 + N) for m in _COVERED.finditer(starts)]


def _share(a: str, b: str, size: int) -> bool:
    """Whether `a` and `b` have a common substring of `size` characters (str.find at C speed)."""
    return any(a[i:i + size] in b for i in range(len(a) - size + 1))


def _core(runs: list[str]) -> str:
    """The part shared by the most frequent runs (drops the neighbours' characters)."""
    common = [r for r, _ in Counter(runs).most_common(5)]
    core = common[0]
    for other in common[1:]:
        # Most runs share less than that with the core: a quick sure "no" before the longest match.
        if not _share(core, other, math.ceil(len(core) * 0.6)):
            continue
        m = SequenceMatcher(None, core, other, autojunk=False).find_longest_match(0, len(core), 0, len(other))
        if m.size >= len(core) * 0.6:
            core = core[m.a: m.a + m.size]
    return core.strip()


# The end of a sentence: its final punctuation, and a closing quote or bracket after it.
SENTENCE_CLOSE = re.compile(r"[.!?。！？…;；]+[\"'”’)」』）]*")


def _after_sentence_end(core: str) -> str:
    """The injected string without the end of the sentence it was appended to.

    A string appended to every paragraph follows the full stop that ends each of them, so the
    common part grows back over that full stop: it belongs to the sentence, not to the
    injection (the space or separator after it goes with the injection).
    """
    m = SENTENCE_CLOSE.match(core)
    return core[m.end():] if m and core[m.end():].strip() else core


class InjectedString(Rule):
    name = "injected_string"

    def candidates(self, texts: list[str]) -> list[str]:
        s = self.settings
        eligible = [t for t in texts if len(t) >= N]
        if len(eligible) < s.injection_min_paragraphs:
            return []
        grams = [_grams(t) for t in eligible]
        # In how many paragraphs each n-gram occurs (dict.fromkeys: each paragraph's distinct n-grams).
        df = Counter(itertools.chain.from_iterable(map(dict.fromkeys, grams)))
        need = max(s.injection_min_paragraphs, s.injection_min_share * len(eligible))
        frequent = {g for g, c in df.items() if c >= need and g.strip()}
        if not frequent:
            return []
        runs: list[str] = []
        edge = 0
        for t, g in zip(eligible, grams, strict=True):
            for a, b in _runs(t, frequent, g):
                if b - a >= s.injection_min_chars:
                    runs.append(t[a:b])
                    edge += a <= 1 or b >= len(t) - 1
        if not runs:
            return []
        core = _core(runs)
        holders = sum(core in t for t in eligible)
        whole = sum(core == t.strip() for t in eligible)
        share = holders / len(eligible)
        at_edge = edge / len(runs)
        # Long, or pinned to paragraph edges, or nearly everywhere: an injection.
        # A natural phrase repeated this often is short and sits mid-sentence.
        long_enough = len(core) >= 3 * s.injection_min_chars or (
            len(core) >= s.injection_min_chars and (at_edge >= 0.6 or share >= 0.5))
        if holders >= need and long_enough and whole < holders:
            return [_after_sentence_end(core)]
        return []

    def run(self, doc: Document) -> None:
        texts = [p.text for p in doc.paragraphs]
        for core in self.candidates(texts):
            for i, para in enumerate(doc.paragraphs):
                while (pos := para.text.find(core)) >= 0:
                    doc.remove(i, pos, pos + len(core), "injected_string", self.name)
                self._cut_truncated(doc, i, core)

    def _cut_truncated(self, doc: Document, i: int, core: str) -> None:
        """A paragraph cut short mid-injection ends with a prefix of it (or starts with a suffix)."""
        text = doc.paragraphs[i].text
        shortest = max(N, len(core) // 3)
        for k in range(min(len(core) - 1, len(text)), shortest - 1, -1):
            if text.endswith(core[:k]):
                doc.remove(i, len(text) - k, len(text), "injected_string", self.name)
                return
        for k in range(min(len(core) - 1, len(text)), shortest - 1, -1):
            if text.startswith(core[-k:]):
                doc.remove(i, 0, k, "injected_string", self.name)
                return
