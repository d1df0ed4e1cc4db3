"""tasks/clean/injected_word.py: the shortcuts give what judging every position and every
candidate gives."""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections import Counter
from pathlib import Path

import pytest

import tasks.clean.injected_word as iw
from config import Settings
from tasks.clean.base import Context
from tasks.clean.injected_word import (
    BOUNDED_WORD,
    HAN_RUN,
    InjectedWord,
    _char_pairs,
    _closing_grams,
    _closing_words,
    _common,
    _Company,
    _neighbours,
    _Units,
    _word_pairs,
    _word_units,
    _Words,
)
from tasks.record import Document, Paragraph, Source

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# Function characters (common), other Han characters (one of extension A), punctuation, digits,
# letters and spaces (a tab, a newline inside a paragraph): few, so that pairs recur.
ALPHABET = "的是了在天地人山水火木金石竹書㐀，。!12ab  \t\n"


def random_texts(rng: random.Random) -> list[str]:
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60))) for _ in range(rng.randint(1, 8))]
    return [*texts, *rng.sample(["", " ", "天地人", "天 地人"], rng.randint(0, 2))]


def reference_closing_grams(texts: list[str]) -> Counter[tuple[int, str]]:
    """(paragraph, n-gram) of every Han 2-, 3- and 4-gram occurrence that keeps no company on
    either side and whose neighbours meet elsewhere, position by position as the judge sees it."""
    pairs = Counter(x + y for t in texts for x, y in itertools.pairwise("".join(t.split())))

    def company(x: str | None, y: str | None, char: str | None) -> bool:
        return char is not None and not _common(char, True) and pairs[x + y] > 1

    out: Counter[tuple[int, str]] = Counter()
    for i, t in enumerate(texts):
        for m in HAN_RUN.finditer(t):
            for a, size in itertools.product(range(m.start(), m.end()), (2, 3, 4)):
                b = a + size
                if b > m.end():
                    continue
                left, right = _neighbours(t, a, b, True)
                if company(left, t[a], left) or company(t[b - 1], right, right):
                    continue
                if left is not None and right is not None and pairs[left + right] > 0:
                    out[i, t[a:b]] += 1
    return out


def closing_grams(texts: list[str]) -> Counter[tuple[int, str]]:
    units = _Units.of(texts)
    bigrams = _char_pairs(units.joined)
    grams, where = _closing_grams(units, bigrams, _Company.of(units, bigrams))
    return Counter((bisect.bisect_right(units.starts, w) - 1, g) for g, w in zip(grams, where, strict=True))


def test_closing_grams_are_those_found_position_by_position():
    rng = random.Random(11)
    for _ in range(400):
        texts = random_texts(rng)
        assert closing_grams(texts) == reference_closing_grams(texts), texts


def test_character_pairs_are_those_of_each_paragraph_spaces_left_out():
    rng = random.Random(12)
    for _ in range(200):
        texts = random_texts(rng)
        units = _Units.of(texts)
        company = _Company.of(units, _char_pairs(units.joined))
        assert company.pairs == Counter(x + y for t in texts for x, y in itertools.pairwise("".join(t.split())))


def chinese_article() -> list[str]:
    """The body of sample page 004 (Simplified Chinese), as a carrier for injected words."""
    lines = (SEEDS / "004_0c0d24ab21bbcc88.txt").read_text(encoding="utf-8").split("\n")[114:245]
    return [" ".join(line.split()) for line in lines if line.strip()]


def injected(rng: random.Random, body: list[str]) -> list[str]:
    """Made-up words inserted at random places of a few paragraphs, sometimes next to each other."""
    out = list(body)
    for _ in range(rng.randint(1, 3)):
        word = "".join(rng.choice("袋鼠鸭嘴兽考拉企鹅") for _ in range(rng.randint(2, 4)))
        for k in rng.sample(range(len(out)), rng.randint(2, 5)):
            text = out[k]
            places = [m.end() for m in re.finditer("[的,、。 ]", text)] or [len(text)]
            for pos in sorted(rng.sample(places, min(len(places), rng.randint(1, 5))), reverse=True):
                text = text[:pos] + word + text[pos:]
            out[k] = text
    return out


def removals(texts: list[str], lang: str = "zh") -> list[tuple[int | None, int, int]]:
    settings = Settings()
    doc = Document(source=Source(uri="test://injected", kind="file", retrieved_at="now", sha256=""),
                   paragraphs=[Paragraph(t) for t in texts])
    InjectedWord(Context(settings.clean, lang)).run(doc)
    return [(r.paragraph, r.start, r.end) for r in doc.removed]


def every_gram(units: _Units, grams: list[str], where: list[int]) -> set[str]:
    """No shortcut: every Han 2-, 3- and 4-gram of the text is judged."""
    return {run[i:i + n] for run in HAN_RUN.findall(units.joined) for n in (2, 3, 4) for i in range(len(run) - 1)}


@pytest.mark.parametrize("seed", range(12))
def test_only_ngrams_that_cannot_be_cut_are_left_unjudged(seed, monkeypatch):
    rng = random.Random(seed)
    docs = [injected(rng, chinese_article()), injected(rng, [t * 3 for t in random_texts(rng)] * 3)]
    before = [removals(texts) for texts in docs]
    monkeypatch.setattr(iw, "_strikable", every_gram)
    assert [removals(texts) for texts in docs] == before


# --- between words ---------------------------------------------------------------------------

WORDS = ["bee", "Bee", "hive", "honey", "wax", "queen", "the", "of", "2024", "x1", "café", "Straße", "ſun", "sun"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "_", " _ ", "-", " (", ") "]


def random_words(rng: random.Random) -> list[str]:
    return ["".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(0, 25)))
            for _ in range(rng.randint(1, 8))]


def reference_closing_words(texts: list[str], wanted: set[str]) -> Counter[tuple[int, str]]:
    """(paragraph, word) of each occurrence of a wanted word that keeps no company and closes up, found
    and judged occurrence by occurrence as the judge does (in paragraphs of ASCII words)."""
    pairs = _word_pairs([_word_units(t) for t in texts])
    out: Counter[tuple[int, str]] = Counter()
    for i, t in enumerate(texts):
        for m in BOUNDED_WORD.finditer(t):
            word = m.group().lower()
            if word not in wanted:
                continue
            left, right = _neighbours(t, m.start(), m.end(), False)
            if (left is not None and pairs[left, word] > 1) or (right is not None and pairs[word, right] > 1):
                continue
            if left is not None and right is not None and (
                    pairs[left, right] > 0 or _common(left, False) or _common(right, False)):
                out[i, word] += 1
    return out


def test_closing_words_are_those_found_occurrence_by_occurrence():
    rng = random.Random(21)
    for _ in range(400):
        texts = random_words(rng)
        units = [_word_units(t) for t in texts]
        pairs = _word_pairs(units)
        wanted = {w.lower() for w in WORDS if w.isascii() and w.isalpha() and len(w) >= 3}  # as candidates are
        found = Counter({(i, w): c for i, u in enumerate(units)
                         for w, c in _closing_words(u, wanted, pairs, lambda w: _common(w, False)).items()})
        assert found == reference_closing_words(texts, wanted), texts


def english_article() -> list[str]:
    """The body of sample page 000 (English), as a carrier for injected words."""
    lines = (SEEDS / "000_da662a36e63dfc30.txt").read_text(encoding="utf-8").split("\n")[47:102]
    return [line.strip() for line in lines if line.strip()]


def injected_words(rng: random.Random, body: list[str]) -> list[str]:
    """Made-up words inserted two to four times between words of two or three paragraphs, once in a
    while spelt otherwise (upper case, a long s, a Kelvin sign, after an underscore)."""
    out = list(body)
    for _ in range(rng.randint(1, 4)):
        word = "".join(rng.choice("zeplinquoaksr") for _ in range(rng.randint(4, 8)))
        for k in rng.sample(range(len(out)), min(len(out), rng.randint(2, 3))):
            words = out[k].split(" ")
            for pos in sorted(rng.sample(range(1, len(words) + 1), min(len(words), rng.randint(2, 4))), reverse=True):
                other = rng.choice([word.upper(), word.replace("s", "ſ"), word.replace("k", "\u212a"), f"_{word}"])
                words.insert(pos, other if rng.random() < 0.15 else word)
            out[k] = " ".join(words)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_only_words_that_cannot_be_cut_are_left_unjudged(seed, monkeypatch):
    rng = random.Random(seed)
    docs = [injected_words(rng, english_article()), injected_words(rng, [t * 3 for t in random_words(rng)] * 3)]
    before = [removals(texts, "en") for texts in docs]
    monkeypatch.setattr(_Words, "may_strike", lambda *_: True)
    assert [removals(texts, "en") for texts in docs] == before


def test_the_injected_carriers_show_cuts():
    """The comparisons above see injected words cut (in most of the carrier articles)."""
    han = [removals(injected(random.Random(seed), chinese_article())) for seed in range(12)]
    words = [removals(injected_words(random.Random(seed), english_article()), "en") for seed in range(12)]
    assert sum(map(bool, han)) >= 4 and sum(map(bool, words)) >= 4
