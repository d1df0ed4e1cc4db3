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

How it is computed (the result is the same as judging every occurrence of
every candidate): only a word whose lone occurrences close up twice or more
in each of two paragraphs can be cut, so only such candidates are judged. In
Han text, whether a position keeps company does not depend on the word there,
so it is worked out for every position of the document at once, as rows of
flags in Python ints (one flag a byte: shifts and &, | at C speed), until a
cut; after one, every remaining candidate is judged. A candidate's
occurrences are found with str.find in the paragraphs joined. Between words,
the words counted to pick the candidates say which paragraphs hold each, and
a paragraph's lone occurrences are counted again once it is cut. Neighbours
are read by index. A candidate is given up as soon as too few of its
occurrences can be left stray for it to pass, and a Han n-gram that mostly
sits inside one longer recurring string is given up at once.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from tasks.clean.base import Rule
from tasks.record import Document, Paragraph
from tasks.text.measures import HAN_RUN, han_count
from tasks.text.words import zipf

# Function characters and words (的, 在, the, of) are this common or more.
COMMON_UNIT_ZIPF = 6.0
LATIN_MAX_ZIPF = 4.5
CHAR_CACHE = 8192
# A cut needs two closing stray occurrences in each of two paragraphs (`InjectedWord._cut`).
MIN_STRIKING = 2 * 2
LATIN_WORD = re.compile(r"[^\W\d_]{3,}")
# A whole word of letters (no digit or letter on either side): what `_word_pattern` matches.
BOUNDED_WORD = re.compile(r"(?<![^\W_])[^\W\d_]{3,}(?![^\W_])")
# A text split into what lies between words and words (maximal runs of letters and digits):
# separators at even places, words at odd.
UNIT_SPLIT = re.compile(r"([^\W_]+)")


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


@lru_cache(maxsize=CHAR_CACHE)
def _common_char(char: str) -> bool:
    """`_common` for a character of Han text (memoized: zipf's cache is shared with every word)."""
    return _common(char, True)


def _word_units(text: str) -> tuple[list[str], list[str]]:
    """The words of `text` (maximal runs of letters and digits), lowercased, and what lies
    before each word and after the last (separators[k] lies between words k - 1 and k)."""
    pieces = UNIT_SPLIT.split(text)
    return [w.lower() for w in pieces[1::2]], pieces[::2]


def _word_pairs(units: list[tuple[list[str], list[str]]]) -> Counter[tuple[str, str]]:
    """How often each pair of neighbouring words (`_word_units`) occurs in the texts."""
    out: Counter[tuple[str, str]] = Counter()
    for words, _ in units:
        out.update(itertools.pairwise(words))
    return out


def _grams(text: str, han: bool) -> list[str]:
    """What candidates are counted from: Han 2-, 3- and 4-grams, or words of letters."""
    if not han:
        return [w.lower() for w in LATIN_WORD.findall(text)]
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        two = list(map(str.__add__, run, run[1:]))
        three = list(map(str.__add__, two, run[2:]))
        out += two
        out += three
        out += map(str.__add__, three, run[3:])
    return out


def _has_border(word: str) -> bool:
    """A prefix equal to a suffix: two occurrences of the word can overlap (哈哈 in 哈哈哈)."""
    return any(word[:k] == word[-k:] for k in range(1, len(word)))


def _overlapping_count(text: str, word: str) -> int:
    """How many times `word` occurs in `text`, overlapping occurrences included (its n-gram count)."""
    if not _has_border(word):
        return text.count(word)
    n, pos = 0, text.find(word)
    while pos >= 0:
        n += 1
        pos = text.find(word, pos + 1)
    return n


# Character classes for `_Company.classes`, and bytes.translate tables reading one class bit.
_COMMON, _HAN = 1, 2
_COMMON_FLAG = bytes(c & _COMMON for c in range(256))
_HAN_FLAG = bytes((c & _HAN) >> 1 for c in range(256))


def _flags(data: bytes | bytearray) -> int:
    """One flag (0 or 1) per byte as an int, position i at bit 8 * i: shifting by 8 * k moves the
    flags k positions, and &, | combine whole rows of them at C speed."""
    return int.from_bytes(data, "little")


@dataclass(frozen=True)
class _Units:
    """The paragraphs' characters with spaces left out, joined by newlines: neighbours are read
    across spaces but not across paragraphs. An n-gram does not span a space, so where spaces
    were is kept (`spaced`, flags by boundary: boundary b lies before joined[b])."""

    joined: str
    starts: list[int]  # where each paragraph starts in `joined`
    spaced: int

    @classmethod
    def of(cls, texts: list[str]) -> _Units:
        pieces = [t.split() for t in texts]
        units = ["".join(p) for p in pieces]
        joined = "\n".join(units)
        starts = list(itertools.accumulate((len(u) + 1 for u in units), initial=0))[:-1]
        spaced = bytearray(len(joined) + 1)
        for start, p in zip(starts, pieces, strict=True):
            for pos in itertools.accumulate(map(len, p[:-1])):
                spaced[start + pos] = 1
        return cls(joined, starts, _flags(spaced))


def _char_pairs(text: str) -> list[str]:
    """Each pair of neighbouring characters, as a 2-character string, in order."""
    return list(map(operator.concat, text, text[1:]))


@dataclass(frozen=True)
class _Company:
    """What says whether a Han position keeps company, for one document: how often each character
    pair occurs in a paragraph (spaces left out), the pairs met once, the characters anything can
    stand next to (punctuation, digits, function characters), and a str.translate table giving
    each character of `_Units.joined` its class (`_COMMON` and `_HAN` bits)."""

    pairs: Counter[str]
    once: frozenset[str]
    common: frozenset[str]
    classes: dict[int, str]

    @classmethod
    def of(cls, units: _Units, bigrams: list[str]) -> _Company:
        """`bigrams`: the character pairs of `units.joined`."""
        pairs = Counter(bigrams)
        # Every character is in a pair, unless the text is one character.
        chars = set("".join(pairs)) if pairs else set(units.joined)
        for start in units.starts[1:]:  # the pairs made with a newline between paragraphs are not in the text
            newline = start - 1
            for key in bigrams[max(newline - 1, 0):newline + 1]:
                pairs.pop(key, None)
        # Cuts only take characters away, so these hold for the document's text throughout.
        common = frozenset(c for c in chars if _common_char(c))
        han = set("".join(HAN_RUN.findall("".join(chars))))
        classes = dict.fromkeys(map(ord, chars), chr(0))
        for members, code in ((common - han, _COMMON), (han - common, _HAN), (han & common, _COMMON | _HAN)):
            classes.update(dict.fromkeys(map(ord, members), chr(code)))
        return cls(pairs, frozenset(k for k, c in pairs.items() if c == 1), common, classes)


def _closing_grams(units: _Units, bigrams: list[str], company: _Company) -> tuple[list[str], list[int]]:
    """The Han 2-, 3- and 4-grams that keep company on neither side (see `_HanText.kept`) and
    whose two neighbours meet elsewhere (the text closes up without them), with where each
    starts in `units.joined`: only these can be the stray occurrences a cut takes.

    A position's company is worked out for all positions at once, as rows of flags (see
    `_flags`) indexed by boundary: boundary b lies before joined[b]. The newlines between
    paragraphs count as common characters: nothing keeps company across them.
    """
    text = units.joined
    n = len(text)
    classes = text.translate(company.classes).encode("latin-1")
    common = _flags(classes.translate(_COMMON_FLAG))
    han = _flags(classes.translate(_HAN_FLAG))
    # A pair met once is no company; the text's two ends have none either.
    once = _flags(b"\x01" + bytes(map(company.once.__contains__, bigrams)) + b"\x01")
    alone_before = once | common << 8  # an n-gram starting at b has no company before it
    alone_after = once | common  # one ending at b has none after it
    joined = han & han << 8 & ~units.spaced  # b inside a Han run: Han on both sides, no space between
    pairs = company.pairs
    padded = " " + text + " "  # padded[i] is the character before text[i]; a space stands for none
    grams: list[str] = []
    where: list[int] = []
    inside = alone_before
    for size in (2, 3, 4):
        inside &= joined >> 8 * (size - 1)  # an n-gram of this size starting at b lies in one run
        starts = (inside & alone_after >> 8 * size).to_bytes(n + 1, "little")
        for i in itertools.compress(range(n), starts):
            if padded[i] + padded[i + size + 1] in pairs:
                grams.append(text[i:i + size])
                where.append(i)
    return grams, where


def _strikable(units: _Units, grams: list[str], where: list[int]) -> set[str]:
    """The n-grams a cut can take while the text is as counted, from `_closing_grams`: a word is
    cut only where two or more of its stray occurrences close up, in two or more paragraphs
    (`InjectedWord._cut`), and its stray occurrences are among its lone n-grams."""
    total = Counter(grams)
    if not any(c >= MIN_STRIKING for c in total.values()):
        return set()
    per_paragraph = Counter((w, bisect.bisect_right(units.starts, i)) for w, i in zip(grams, where, strict=True)
                            if total[w] >= MIN_STRIKING)
    twice = Counter(w for (w, _), c in per_paragraph.items() if c >= 2)
    return {w for w, c in twice.items() if c >= 2}


class _HanText:
    """The paragraphs' current text, joined (a candidate is looked for in all of it at once), and
    whether each position keeps company with the character before (after) it: a pair that recurs
    in the document, with a neighbour that is not a function character. That depends on the
    position only, not on the word there, so it is worked out once per position."""

    def __init__(self, texts: list[str], company: _Company) -> None:
        self.texts = texts
        self.pairs = company.pairs
        self.common = company.common.__contains__
        self.changed = False  # some paragraph was cut: n-gram counts no longer describe the text
        self._join()

    def _join(self) -> None:
        self.joined = "\n".join(self.texts)
        self.starts, pos = [], 0
        for t in self.texts:
            self.starts.append(pos)
            pos += len(t) + 1
        self._before: dict[int, bool] = {}
        self._after: dict[int, bool] = {}

    def update(self, paragraphs: list[Paragraph]) -> None:
        """Take the current text of paragraphs that were cut."""
        for i, p in enumerate(paragraphs):
            self.texts[i] = p.text
        self.changed = True
        self._join()

    def occurrences(self, word: str) -> Iterator[tuple[int, int, int]]:
        """(paragraph, start, end) of each occurrence, as a search paragraph by paragraph finds them."""
        joined, starts, size = self.joined, self.starts, len(word)
        i = 0
        pos = joined.find(word)
        while pos >= 0:
            i = bisect.bisect_right(starts, pos, i) - 1
            yield i, pos - starts[i], pos - starts[i] + size
            pos = joined.find(word, pos + size)

    def kept(self, i: int, a: int, b: int) -> bool:
        """Whether the occurrence text[a:b] of paragraph i keeps company on either side."""
        key = self.starts[i] + a
        hit = self._before.get(key)
        if hit is None:
            text = self.texts[i]
            j = a - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            hit = self._before[key] = (j >= 0 and not self.common(text[j])
                                       and self.pairs.get(text[j] + text[a], 0) > 1)
        if hit:
            return True
        key = self.starts[i] + b
        hit = self._after.get(key)
        if hit is None:
            text = self.texts[i]
            k, n = b, len(text)
            while k < n and text[k].isspace():
                k += 1
            hit = self._after[key] = (k < n and not self.common(text[k])
                                      and self.pairs.get(text[b - 1] + text[k], 0) > 1)
        return hit


def _has_exotic_word(text: str) -> bool:
    """Whether `text` holds a word with a non-ASCII letter: matching a word case-insensitively
    there is not comparing lowercased words."""
    return not text.isascii() and any(not m.group().isascii() for m in BOUNDED_WORD.finditer(text))


def _closing_words(units: tuple[list[str], list[str]], wanted: set[str], pairs: Counter[tuple[str, str]],
                   common: Callable[[str], bool]) -> Counter[str]:
    """How many occurrences of each wanted word a text (its `_word_units`) holds that keep company
    on neither side and close up (as `InjectedWord._judge_words` judges them), words compared
    lowercased.

    Neighbours are read as `_neighbours` reads them: the words on either side, unless an
    underscore lies between (then there is none).
    """
    words, separators = units
    last = len(words) - 1
    out: Counter[str] = Counter()
    for k in itertools.compress(range(len(words)), map(wanted.__contains__, words)):
        word = words[k]
        left = words[k - 1] if k > 0 and "_" not in separators[k] else None
        right = words[k + 1] if k < last and "_" not in separators[k + 1] else None
        if (left is not None and pairs.get((left, word), 0) > 1) or (
                right is not None and pairs.get((word, right), 0) > 1):
            continue
        if left is not None and right is not None and (
                pairs.get((left, right), 0) > 0 or common(left) or common(right)):
            out[word] += 1
    return out


class _Words:
    """Where each candidate occurs between words in the paragraphs' current text (as
    `_word_pattern` finds it): the words counted say which paragraphs hold it. Also how many of
    its occurrences there can be stray and close up (`may_strike`)."""

    def __init__(self, texts: list[str], units: list[tuple[list[str], list[str]]], counts: list[Counter[str]],
                 wanted: set[str]) -> None:
        self.texts = texts
        self.units = units  # each text's `_word_units`
        self.counts = counts  # what each paragraph held when counted (at least its matches)
        self.where: dict[str, list[int]] = {}
        for i, here in enumerate(counts):
            for w in here.keys() & wanted:
                self.where.setdefault(w, []).append(i)
        self.wanted = wanted
        self.changed: set[int] = set()  # paragraphs cut since they were counted
        self._words: dict[int, dict[str, list[tuple[int, int]]]] = {}
        self._closing: dict[int, Counter[str]] = {}
        self._lengths: dict[int, Counter[int]] = {}
        # Paragraphs with non-ASCII words: case-insensitive matching is not plain lowercasing there.
        self._exotic = {i for i, t in enumerate(texts) if _has_exotic_word(t)}

    def _words_of(self, i: int) -> dict[str, list[tuple[int, int]]]:
        words = self._words.get(i)
        if words is None:
            words = {}
            for m in BOUNDED_WORD.finditer(self.texts[i]):
                words.setdefault(m.group().lower(), []).append(m.span())
            self._words[i] = words
        return words

    def plan(self, word: str) -> tuple[int, list[tuple[int, int, list[tuple[int, int]] | None]]]:
        """At most how many occurrences `word` has, and (paragraph, at most how many occurrences
        it holds there, those occurrences if already found) in paragraph order.

        Paragraphs whose count is not a safe bound (cut since, or holding words that do not
        lowercase plainly) are searched now; the others by `find`.
        """
        texts = self.texts
        if not word.isascii():
            rx = _word_pattern(word, False)
            found = [(i, len(spans), spans) for i, t in enumerate(texts)
                     if (spans := [m.span() for m in rx.finditer(t)])]
            return sum(n for _, n, _ in found), found
        scan = self.changed | self._exotic
        out: list[tuple[int, int, list[tuple[int, int]] | None]] = []
        rx = None
        for i in sorted({*self.where.get(word, ()), *scan}):
            if i in scan:
                rx = rx or _word_pattern(word, False)
                if spans := [m.span() for m in rx.finditer(texts[i])]:
                    out.append((i, len(spans), spans))
            else:
                out.append((i, self.counts[i][word], None))
        return sum(n for _, n, _ in out), out

    def find(self, word: str, i: int) -> list[tuple[int, int]]:
        """The occurrences of `word` in paragraph `i` (not one of `plan`'s searched paragraphs)."""
        return self._words_of(i).get(word, [])

    def may_strike(self, word: str, pairs: Counter[tuple[str, str]], common: Callable[[str], bool]) -> bool:
        """Whether `word` can have two or more stray occurrences that close up in each of two or
        more paragraphs, what a cut needs (`InjectedWord._cut`), as the text is now. Counted with
        plain lowercasing (`_closing_words`); where that is not how the word is matched (see
        `_exotic`), each non-ASCII word of its length may be one more. A non-ASCII word always may."""
        if not word.isascii():
            return True
        struck = 0
        for i in {*self.where.get(word, ()), *self.changed, *self._exotic}:
            n = self._closing_of(i, pairs, common)[word]
            if i in self._exotic:
                n += self._non_ascii_lengths(i)[len(word)]
            struck += n >= 2
            if struck >= 2:
                return True
        return False

    def _non_ascii_lengths(self, i: int) -> Counter[int]:
        lengths = self._lengths.get(i)
        if lengths is None:
            lengths = self._lengths[i] = Counter(len(m.group()) for m in BOUNDED_WORD.finditer(self.texts[i])
                                                 if not m.group().isascii())
        return lengths

    def _closing_of(self, i: int, pairs: Counter[tuple[str, str]], common: Callable[[str], bool]) -> Counter[str]:
        closing = self._closing.get(i)
        if closing is None:
            closing = self._closing[i] = _closing_words(self.units[i], self.wanted, pairs, common)
        return closing

    def cut(self, i: int, text: str) -> None:
        self.texts[i] = text
        self.changed.add(i)
        self._words.pop(i, None)
        self._closing.pop(i, None)
        self._lengths.pop(i, None)
        self.units[i] = _word_units(text)
        if _has_exotic_word(text):
            self._exotic.add(i)


class InjectedWord(Rule):
    name = "injected_word"

    def run(self, doc: Document) -> None:
        s = self.settings
        texts = [p.text for p in doc.paragraphs]
        han = sum(map(han_count, texts)) > sum(len(t) for t in texts) * 0.2
        # Injected words are content words; in word-spaced text only fairly rare ones are judged,
        # since common words are the ones met in ever-new company. A candidate must already look
        # like an injection by count: twice or more in each of at least two paragraphs.
        # (In Han text, where nearly every n-gram is rare enough, how common a candidate is is
        # asked only when it is about to be cut: a candidate has no effect otherwise.)
        if han:
            self._run_han(doc, texts)
            return
        grams = [_grams(t, False) for t in texts]
        heres = [Counter(g) for g in grams]
        total = Counter(itertools.chain.from_iterable(grams))
        repeated_in = Counter(w for here in heres for w, c in here.items() if c >= 2)
        candidates = sorted((w for w, c in repeated_in.items()
                             if c >= 2 and total[w] >= s.injected_word_min_count and zipf(w, "en") < LATIN_MAX_ZIPF),
                            key=lambda w: (-len(w), w))
        if not candidates:
            return
        units = [_word_units(t) for t in texts]
        pairs = _word_pairs(units)
        common_cache: dict[str, bool] = {}

        def common(unit: str) -> bool:
            hit = common_cache.get(unit)
            if hit is None:
                hit = common_cache[unit] = _common(unit, False)
            return hit

        words = _Words(list(texts), units, heres, set(candidates))
        for word in candidates:
            if words.may_strike(word, pairs, common):
                self._judge_words(doc, word, words, pairs, common)

    def _run_han(self, doc: Document, texts: list[str]) -> None:
        """The candidates of Han text, judged in order. Until a paragraph is cut, only n-grams that
        occur twice or more without company, closing up, in each of two paragraphs can be cut (see
        `_strikable`), so only those are judged; after a cut (new neighbours meet) every remaining
        candidate is."""
        s = self.settings
        units = _Units.of(texts)
        bigrams = _char_pairs(units.joined)
        company = _Company.of(units, bigrams)
        text = _HanText(list(texts), company)
        counted = text.joined  # the text as counted
        order = sorted(_strikable(units, *_closing_grams(units, bigrams, company)), key=lambda w: (-len(w), w))
        for word in order:
            total = _overlapping_count(counted, word)
            if total >= s.injected_word_min_count and self._judge_han(doc, word, text, total):
                # The text changed: from here on, every candidate (as counted first) is judged.
                grams = [_grams(t, True) for t in texts]
                repeated_in = Counter(w for g in grams for w, c in Counter(g).items() if c >= 2)
                every = Counter(itertools.chain.from_iterable(grams))
                key = (-len(word), word)
                for later in sorted((w for w, c in repeated_in.items()
                                     if c >= 2 and every[w] >= s.injected_word_min_count and (-len(w), w) > key),
                                    key=lambda w: (-len(w), w)):
                    self._judge_han(doc, later, text, every[later])
                return

    def _judge_han(self, doc: Document, word: str, text: _HanText, total: int) -> bool:
        """Judge one candidate (`total`: its n-gram count in the text as counted); True if it was cut."""
        s = self.settings
        min_count, share = s.injected_word_min_count, s.injected_word_min_share
        border = _has_border(word)
        # Occurrences of a word that cannot overlap itself are its n-gram count, while the text is as counted.
        n_occ = text.joined.count(word) if border or text.changed else total
        if n_occ < min_count or (not border and self._kept_by_an_extension(word, n_occ, text, min_count, share)):
            return False
        stray = []
        kept = 0
        pairs = text.pairs.get
        for i, a, b in text.occurrences(word):
            # A real word recurs in the same company; an injected one meets new neighbours every time.
            # In Han text meeting a function character twice says nothing (的 precedes anything).
            if text.kept(i, a, b):
                kept += 1
                # Only stray occurrences can be cut: give up once too few are left to pass.
                if n_occ - kept < min_count or (n_occ - kept) / n_occ < share:
                    return False
                continue
            # ... and the text closes up without it: its two neighbours meet elsewhere.
            left, right = _neighbours(text.texts[i], a, b, True)
            stray.append((i, a, b, left is not None and right is not None and pairs(left + right, 0) > 0))
        if self._cut(doc, word, stray, n_occ, share, COMMON_UNIT_ZIPF, "zh"):
            text.update(doc.paragraphs)
            return True
        return False

    @staticmethod
    def _kept_by_an_extension(word: str, n_occ: int, text: _HanText, min_count: int, share: float) -> bool:
        """A quick sure "no" for a Han n-gram that mostly sits inside one longer string (a piece
        of a recurring phrase): if the character next to its first occurrence forms with it a
        string whose every occurrence keeps company, and these alone leave too few occurrences
        to be stray, the word is not injected.

        Only for a word no two occurrences of which can overlap (no prefix equal to a suffix):
        then every occurrence of the longer string holds its own occurrence of the word."""
        joined = text.joined
        pos = joined.find(word)
        end = pos + len(word)
        kept = 0
        for x, before in ((joined[pos - 1] if pos > 0 else "\n", True),
                          (joined[end] if end < len(joined) else "\n", False)):
            if x.isspace() or text.common(x) or text.pairs.get(x + word[0] if before else word[-1] + x, 0) <= 1:
                continue
            kept = max(kept, joined.count(x + word if before else word + x))
        return kept > 0 and (n_occ - kept < min_count or (n_occ - kept) / n_occ < share)

    def _judge_words(self, doc: Document, word: str, words: _Words, pairs: Counter[tuple[str, str]],
                     common: Callable[[str], bool]) -> None:
        s = self.settings
        min_count = s.injected_word_min_count
        share = max(s.injected_word_min_share, 0.8)
        count = pairs.get
        lower = word.lower()
        # At most this many occurrences (exact once every paragraph has been searched).
        n_occ, plan = words.plan(word)
        stray = []
        kept = 0
        for i, bound, known in plan:
            spans = words.find(word, i) if known is None else known
            n_occ += len(spans) - bound
            text = words.texts[i]
            for a, b in spans:
                left, right = _neighbours(text, a, b, False)
                # A real word recurs in the same company; an injected one meets new neighbours every
                # time. In word-spaced text function words are what real words keep meeting.
                if (left is not None and count((left, lower), 0) > 1) or (
                        right is not None and count((lower, right), 0) > 1):
                    kept += 1
                    # Only stray occurrences can be cut: give up once too few can be left to pass.
                    if n_occ - kept < min_count or (n_occ - kept) / n_occ < share:
                        return
                    continue
                # ... and the text closes up without it: its two neighbours meet elsewhere (or one of
                # them is a function word, which joins anything).
                closes = left is not None and right is not None and (
                    count((left, right), 0) > 0 or common(left) or common(right))
                stray.append((i, a, b, closes))
            if n_occ - kept < min_count or (n_occ and (n_occ - kept) / n_occ < share):
                return
        if self._cut(doc, word, stray, n_occ, share, LATIN_MAX_ZIPF, "en"):
            for i in {i for i, _, _, _ in stray}:
                words.cut(i, doc.paragraphs[i].text)

    def _cut(self, doc: Document, word: str, stray: list[tuple[int, int, int, bool]], n_occ: int, share: float,
             max_zipf: float, lang: str) -> bool:
        """Cut the stray occurrences of the paragraphs it strikes, if the word is injected."""
        min_count = self.settings.injected_word_min_count
        closing = Counter(i for i, _, _, closes in stray if closes)
        if sum(c >= 2 for c in closing.values()) < 2:
            return False
        per_paragraph = Counter(i for i, _, _, _ in stray)
        struck = {i for i, c in per_paragraph.items() if c >= 2}
        doomed = [(i, a, b) for i, a, b, _ in stray if i in struck]
        if len(doomed) < min_count or len(doomed) / n_occ < share or zipf(word, lang) >= max_zipf:
            return False
        # Occurrences outside the struck paragraphs (a headline, say) are the word's real uses.
        for i, a, b in sorted(doomed, key=lambda t: (t[0], -t[1])):
            doc.remove(i, a, b, "injected_word", self.name)
        return True
