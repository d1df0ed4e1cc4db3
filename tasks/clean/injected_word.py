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

How it is computed: the n-grams (Han text) or words counted to pick the
candidates also say which paragraphs hold each candidate, so a candidate's
occurrences are looked up only there (and in paragraphs an earlier candidate
cut, whose text changed); neighbours are read by index, without copying the
text; a candidate is given up as soon as too few of its occurrences are left
to be stray for it to pass.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable

from tasks.clean.base import Rule
from tasks.clean.text import HAN
from tasks.clean.words import zipf
from tasks.record import Document

# Function characters and words (的, 在, the, of) are this common or more.
COMMON_UNIT_ZIPF = 6.0
LATIN_MAX_ZIPF = 4.5
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[^\W\d_]{3,}")
# A whole word of letters (no digit or letter on either side): what `_word_pattern` matches.
BOUNDED_WORD = re.compile(r"(?<![^\W_])[^\W\d_]{3,}(?![^\W_])")
UNIT = re.compile(r"[^\W_]+")


def _word_pattern(word: str, han: bool) -> re.Pattern[str]:
    return re.compile(re.escape(word)) if han else re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.I)


def _neighbours(text: str, start: int, end: int, han: bool) -> tuple[str | None, str | None]:
    """The unit (char or word) just before `start` and just after `end`, spaces skipped.

    Between words, only non-word characters are skipped (an underscore stops the search:
    there is no neighbour word then); a word is a maximal run of letters and digits.
    """
    n = len(text)
    j, k = start - 1, end
    if han:
        while j >= 0 and text[j].isspace():
            j -= 1
        while k < n and text[k].isspace():
            k += 1
        return (text[j] if j >= 0 else None, text[k] if k < n else None)
    left = right = None
    while j >= 0 and not (c := text[j]).isalnum():
        j = -2 if c == "_" else j - 1
    if j >= 0:
        i = j
        while i > 0 and text[i - 1].isalnum():
            i -= 1
        left = text[i:j + 1].lower()
    while k < n and not (c := text[k]).isalnum():
        k = n + 1 if c == "_" else k + 1
    if k < n:
        i = k + 1
        while i < n and text[i].isalnum():
            i += 1
        right = text[k:i].lower()
    return (left, right)


def _common(unit: str, han: bool) -> bool:
    """Punctuation, digits and function words: neighbours that anything can have."""
    if not unit[:1].isalpha():
        return True
    return zipf(unit, "zh" if han else "en") >= COMMON_UNIT_ZIPF


def _pairs(texts: list[str], han: bool) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for t in texts:
        units = [c for c in t if not c.isspace()] if han else [w.lower() for w in UNIT.findall(t)]
        out.update(itertools.pairwise(units))
    return out


def _grams(text: str, han: bool) -> list[str]:
    """What candidates are counted from: Han 2-, 3- and 4-grams, or words of letters."""
    if not han:
        return [w.lower() for w in LATIN_WORD.findall(text)]
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        for n in (2, 3, 4):
            out.extend([run[i:i + n] for i in range(len(run) - n + 1)])
    return out


class _Occurrences:
    """Where each candidate occurs in the paragraphs' current text (as `_word_pattern` finds it)."""

    def __init__(self, texts: list[str], han: bool, counts: list[Counter[str]], total: Counter[str],
                 where: dict[str, list[int]]) -> None:
        self.texts = texts  # the current text of each paragraph
        self.han = han
        self.counts = counts  # what each paragraph's text held when counted (an upper bound on matches)
        self.total = total
        self.where = where  # candidate -> paragraphs whose text (as counted) holds it
        self.changed: set[int] = set()  # paragraphs cut since they were counted
        self._words: dict[int, dict[str, list[tuple[int, int]]]] = {}
        self._joined: str | None = None
        self._exotic = set() if han else {
            i for i, t in enumerate(texts)
            if not t.isascii() and any(not m.group().isascii() for m in BOUNDED_WORD.finditer(t))}

    def _words_of(self, i: int) -> dict[str, list[tuple[int, int]]]:
        words = self._words.get(i)
        if words is None:
            words = {}
            for m in BOUNDED_WORD.finditer(self.texts[i]):
                words.setdefault(m.group().lower(), []).append(m.span())
            self._words[i] = words
        return words

    def plan(self, word: str) -> tuple[int, Iterable[tuple[int, int, list[tuple[int, int]] | None]]]:
        """At most how many occurrences `word` has, and (paragraph, at most how many occurrences
        it holds there, those occurrences if already found) in paragraph order.

        Paragraphs whose count is not a safe bound (cut since, or, between words, holding
        words that do not lowercase plainly) are searched now; the others by `find`.
        """
        texts, han = self.texts, self.han
        if not han and not word.isascii():
            rx = _word_pattern(word, han)
            found = [(i, len(spans), spans) for i, t in enumerate(texts)
                     if (spans := [m.span() for m in rx.finditer(t)])]
            return sum(n for _, n, _ in found), found
        scan = self.changed | self._exotic
        counts = self.counts
        if not scan:
            return self.total[word], ((i, counts[i][word], None) for i in self.where.get(word, ()))
        out: list[tuple[int, int, list[tuple[int, int]] | None]] = []
        rx = None
        for i in sorted({*self.where.get(word, ()), *scan}):
            if i in scan:
                if han:
                    spans = self.find(word, i)
                else:
                    rx = rx or _word_pattern(word, han)
                    spans = [m.span() for m in rx.finditer(texts[i])]
                if spans:
                    out.append((i, len(spans), spans))
            else:
                out.append((i, counts[i][word], None))
        return sum(n for _, n, _ in out), out

    def find(self, word: str, i: int) -> list[tuple[int, int]]:
        """The occurrences of `word` in paragraph `i` (not one of `plan`'s searched paragraphs)."""
        if not self.han:
            return self._words_of(i).get(word, [])
        text, size, out = self.texts[i], len(word), []
        pos = text.find(word)
        while pos >= 0:
            out.append((pos, pos + size))
            pos = text.find(word, pos + size)
        return out

    def joined(self) -> str:
        """The paragraphs' text as counted, in one string (paragraphs apart)."""
        if self._joined is None:
            self._joined = "\n".join(self.texts)
        return self._joined

    def cut(self, i: int, text: str) -> None:
        self.texts[i] = text
        self.changed.add(i)
        self._words.pop(i, None)
        self._joined = None


class _Company:
    """Whether the character before (after) a position of a Han paragraph keeps company with the
    character there: a pair that recurs in the document, with a neighbour that is not a function
    character. It depends on the position only, not on the word there, so it is kept per position."""

    def __init__(self, pairs: Counter[tuple[str, str]], common: Callable[[str], bool]) -> None:
        self.pairs = pairs
        self.common = common
        self.before: dict[int, dict[int, bool]] = {}
        self.after: dict[int, dict[int, bool]] = {}

    def kept(self, i: int, text: str, a: int, b: int) -> bool:
        seen = self.before.setdefault(i, {})
        hit = seen.get(a)
        if hit is None:
            j = a - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            hit = seen[a] = j >= 0 and not self.common(text[j]) and self.pairs.get((text[j], text[a]), 0) > 1
        if hit:
            return True
        seen = self.after.setdefault(i, {})
        hit = seen.get(b)
        if hit is None:
            k, n = b, len(text)
            while k < n and text[k].isspace():
                k += 1
            hit = seen[b] = k < n and not self.common(text[k]) and self.pairs.get((text[b - 1], text[k]), 0) > 1
        return hit

    def cut(self, i: int) -> None:
        self.before.pop(i, None)
        self.after.pop(i, None)


class InjectedWord(Rule):
    name = "injected_word"

    def run(self, doc: Document) -> None:
        s = self.settings
        texts = [p.text for p in doc.paragraphs]
        han = sum(len(HAN.findall(t)) for t in texts) > sum(len(t) for t in texts) * 0.2
        # Injected words are content words; in word-spaced text only fairly rare ones are judged,
        # since common words are the ones met in ever-new company. A candidate must already look
        # like an injection by count: twice or more in each of at least two paragraphs.
        # (How common a candidate is is asked only of one about to be cut: a candidate has no effect
        # unless it is, and the order of the others does not depend on it.)
        grams = [_grams(t, han) for t in texts]
        heres = [Counter(g) for g in grams]
        total = Counter(itertools.chain.from_iterable(grams))
        repeated_in = Counter(w for here in heres for w, c in here.items() if c >= 2)
        candidates = sorted((w for w, c in repeated_in.items()
                             if c >= 2 and total[w] >= s.injected_word_min_count),
                            key=lambda w: (-len(w), w))
        if not candidates:
            return
        wanted = set(candidates)
        where: dict[str, list[int]] = {}
        for i, here in enumerate(heres):
            for w in here.keys() & wanted:
                where.setdefault(w, []).append(i)
        pairs = _pairs(texts, han)
        occurrences = _Occurrences(list(texts), han, heres, total, where)
        common_cache: dict[str, bool] = {}

        def common(unit: str) -> bool:
            hit = common_cache.get(unit)
            if hit is None:
                hit = common_cache[unit] = _common(unit, han)
            return hit

        company = _Company(pairs, common) if han else None
        for word in candidates:
            self._judge(doc, word, occurrences, pairs, han, common, company)

    @staticmethod
    def _kept_by_an_extension(word: str, occurrences: _Occurrences, common: Callable[[str], bool],
                              min_count: int, share: float) -> bool:
        """A quick sure "no" for a Han n-gram that mostly sits inside one longer string (a piece
        of a recurring phrase): the character next to its first occurrence, if it forms with the
        word a string found twice or more, keeps company at each of them; if these alone leave
        too few occurrences to be stray, the word is not injected.

        Exact only for a word no two occurrences of which can overlap (no prefix equal to a
        suffix): then its occurrences are its n-gram count. Paragraphs must not have been cut."""
        if occurrences.changed or any(word[:k] == word[-k:] for k in range(1, len(word))):
            return False
        text = occurrences.texts[occurrences.where[word][0]]
        a = text.find(word)
        b = a + len(word)
        joined = occurrences.joined()
        kept = 0
        for neighbour, string in ((text[a - 1] if a > 0 else "", 0), (text[b] if b < len(text) else "", 1)):
            if neighbour and not common(neighbour):
                n = joined.count(neighbour + word if string == 0 else word + neighbour)
                if n >= 2:
                    kept = max(kept, n)
        n_occ = occurrences.total[word]
        return kept > 0 and (n_occ - kept < min_count or (n_occ - kept) / n_occ < share)

    def _judge(self, doc: Document, word: str, occurrences: _Occurrences, pairs: Counter[tuple[str, str]],
               han: bool, common: Callable[[str], bool], company: _Company | None) -> None:
        s = self.settings
        min_count = s.injected_word_min_count
        share = s.injected_word_min_share if han else max(s.injected_word_min_share, 0.8)
        first, last = (word[0], word[-1]) if han else (word.lower(), word.lower())
        texts = occurrences.texts
        count = pairs.get
        if han and self._kept_by_an_extension(word, occurrences, common, min_count, share):
            return
        # At most this many occurrences (exact once every paragraph has been searched).
        n_occ, plan = occurrences.plan(word)
        stray = []
        kept = 0
        for i, bound, known in plan:
            spans = occurrences.find(word, i) if known is None else known
            n_occ += len(spans) - bound
            text = texts[i]
            for a, b in spans:
                # A real word recurs in the same company; an injected one meets new neighbours every time.
                # In Han text meeting a function character twice says nothing (的 precedes anything);
                # in word-spaced text function words are what real words keep meeting.
                if company is not None:
                    keeps = company.kept(i, text, a, b)
                    left = right = None
                else:
                    left, right = _neighbours(text, a, b, han)
                    keeps = (left is not None and count((left, first), 0) > 1) or (
                        right is not None and count((last, right), 0) > 1)
                if keeps:
                    kept += 1
                    # Only stray occurrences can be cut: give up once too few can be left to pass.
                    if n_occ - kept < min_count or (n_occ - kept) / n_occ < share:
                        return
                    continue
                if company is not None:
                    left, right = _neighbours(text, a, b, han)
                # ... and the text closes up without it: its two neighbours meet elsewhere (or, between
                # words, one of them is a function word, which joins anything).
                closes = left is not None and right is not None and (
                    count((left, right), 0) > 0 or (not han and (common(left) or common(right))))
                stray.append((i, a, b, closes))
            if n_occ - kept < min_count or (n_occ and (n_occ - kept) / n_occ < share):
                return
        closing = Counter(i for i, _, _, closes in stray if closes)
        if sum(c >= 2 for c in closing.values()) < 2:
            return
        per_paragraph = Counter(i for i, _, _, _ in stray)
        struck = {i for i, c in per_paragraph.items() if c >= 2}
        doomed = [(i, a, b) for i, a, b, _ in stray if i in struck]
        if len(doomed) < min_count or len(doomed) / n_occ < share:
            return
        if zipf(word, "zh" if han else "en") >= (COMMON_UNIT_ZIPF if han else LATIN_MAX_ZIPF):
            return
        # Occurrences outside the struck paragraphs (a headline, say) are the word's real uses.
        for i, a, b in sorted(doomed, key=lambda t: (t[0], -t[1])):
            doc.remove(i, a, b, "injected_word", self.name)
        for i in struck:
            occurrences.cut(i, doc.paragraphs[i].text)
            if company is not None:
                company.cut(i)
