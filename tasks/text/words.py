"""Content words of a text, in any of its scripts, with their commonness.

Han runs are segmented by wordfreq's public `tokenize(run, "zh")` (jieba with
wordfreq's dictionary, after Traditional-to-Simplified conversion); runs of
single characters it leaves (names such as 王晟) are joined back into one word.
Latin words inside Chinese text are read as Latin words, not fed to the Chinese
segmenter, which would break them apart. Commonness is wordfreq's zipf value in the word's language.

The memo caches here are small (a few thousand words or runs, well under a
megabyte each): they serve the words a document and its neighbours share, and
a worker's memory does not grow with the documents it has seen. Whole
paragraphs are memoized per document (`Context.content_tokens`).
"""

from __future__ import annotations

import itertools
import logging
import re
from functools import lru_cache

import jieba
import wordfreq

from tasks.stages.language import converter
from tasks.text.measures import HAN_RUN

jieba.setLogLevel(logging.WARNING)  # wordfreq segments Chinese with jieba; its loading chatter is noise

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+.-]*[A-Za-z0-9]")
# Words this common in the language carry no topic (zipf scale: 6 = once per 1000 words).
COMMON_ZIPF = 5.5


# Entries of the memo caches: words (zipf, content_word) and Han runs (_han_content).
WORD_CACHE = 1024
RUN_CACHE = 512


@lru_cache(maxsize=WORD_CACHE)
def zipf(word: str, lang: str) -> float:
    if HAN_RUN.match(word):
        return wordfreq.zipf_frequency(word, "zh")
    try:
        return wordfreq.zipf_frequency(word, lang if lang not in ("zh", "ja", "ko", "und") else "en")
    except Exception:  # noqa: BLE001 - a language wordfreq does not know
        return wordfreq.zipf_frequency(word, "en")


def han_pieces(run: str) -> list[str]:
    """The pieces wordfreq cuts a Han run into (`wordfreq.tokenize(run, "zh")`: NFKC, case-folded,
    converted to Simplified character by character, segmented by jieba with wordfreq's dictionary
    and no HMM), each a span of the run as written."""
    return wordfreq.tokenize(run, "zh")


# wordfreq's TOKEN_RE (the `regex` module, Unicode word boundaries of UAX #29) restricted to ASCII
# text that wordfreq's English preprocessing has lower-cased. There a word is [a-z0-9_]+ runs joined
# by one ':', '.' or "'" between letters, or one ',', ';', '.' or "'" between digits (UAX #29 rules
# WB5-WB13b), and a boundary after a letter is where neither continues. In TOKEN_RE's order:
# "@s" at a boundary; a word not starting with an elision (l'a, qu'i: one or two word characters, an
# apostrophe, one of its vowels), with "@" or "@s" glued to its end when no word character follows;
# else the elided part ("qu'").
_ASCII_WORD = r"[a-z0-9_]+(?:(?<=[a-z])[:.'](?=[a-z])[a-z0-9_]+|(?<=[0-9])[,;.'](?=[0-9])[a-z0-9_]+)*"
ASCII_EN_TOKEN = re.compile(r"@s(?![a-z0-9_]|[:.'][a-z])"
                            r"|(?![a-z0-9_]{1,2}'[aehiouy])" + _ASCII_WORD + r"(?:@s?(?![a-z0-9_]))?"
                            r"|[a-z0-9_]{1,2}'")


def english_tokens(text: str) -> list[str]:
    """`wordfreq.tokenize(text, "en")`; for ASCII text 4-5x faster (tests/test_words.py compares them).

    For English, wordfreq normalizes (NFC, nothing to do in ASCII), case-folds (lower-cases ASCII),
    matches TOKEN_RE and strips apostrophes from the tokens' ends; so does this, with the same
    expression written for ASCII in Python's `re`: wordfreq's Unicode one is most of the cost of
    the topic test on English pages. Other text goes to wordfreq."""
    if not text.isascii():
        return wordfreq.tokenize(text, "en")
    return [token.strip("'") for token in ASCII_EN_TOKEN.findall(text.lower())]


_SUFFIXES = ("ies", "ing", "ers", "ed", "es", "er", "s")


def stem(word: str) -> str:
    """A light English suffix strip (bees -> bee, hives -> hiv, keeping -> keep): related forms meet."""
    if not word.isascii() or len(word) < 5:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=WORD_CACHE)
def content_word(token: str, lang: str) -> str | None:
    """The token stemmed if it can carry a topic (not a number, not a very common word), else None."""
    if len(token) > 1 and not token.isdigit() and zipf(token, lang) < COMMON_ZIPF:
        return stem(token)
    return None


def han_words(run: str) -> list[str]:
    """The words of a Han run: wordfreq's pieces, runs of uncommon single characters joined (names)."""
    out: list[str] = []
    singles = ""
    for p in [*han_pieces(run), ""]:
        if len(p) == 1 and zipf(p, "zh") < COMMON_ZIPF:
            singles += p
            continue
        if len(singles) > 1:
            out.append(singles)
        singles = ""
        if p:
            out.append(p)
    return out


@lru_cache(maxsize=RUN_CACHE)
def _han_content(run: str, lang: str) -> str:
    """The content words of a Han run joined by NUL: one small string per cache entry."""
    return "\0".join(filter(None, map(content_word, han_words(run), itertools.repeat(lang))))


def han_content_words(run: str, lang: str) -> list[str]:
    """`content_word` of each of the run's `han_words` that is one, memoized per run."""
    words = _han_content(run, lang)
    return words.split("\0") if words else []


def _han_and_other_words(text: str, lang: str) -> tuple[list[str], list[str]]:
    """A text's Han content words (segmented, in Simplified script) and its other words as tokens."""
    if HAN_RUN.search(text):
        text = converter("t2s").convert(text)
        han = [w for run in HAN_RUN.findall(text) for w in han_content_words(run, lang)]
        return han, [w.lower() for w in LATIN_WORD.findall(HAN_RUN.sub(" ", text))]
    if lang == "en":
        return [], english_tokens(text)
    try:
        return [], wordfreq.tokenize(text, lang)
    except Exception:  # noqa: BLE001 - wordfreq refuses some language codes
        return [], wordfreq.tokenize(text, "en")


def content_tokens(text: str, lang: str) -> list[str]:
    """Words that can carry a topic: no numbers, no very common words."""
    han, latin = _han_and_other_words(text, lang)
    return [*han, *filter(None, map(content_word, latin, itertools.repeat(lang)))]


def rare_tokens(text: str, lang: str, max_zipf: float) -> list[str]:
    """The `content_tokens` of the words at most `max_zipf` common in the language (names, terms).

    Rarity is read on the word as written: a stem such as "provid" is no word wordfreq knows, and
    would pass for a rare one."""
    han, latin = _han_and_other_words(text, lang)
    return [*(w for w in han if zipf(w, lang) <= max_zipf),
            *(stem(t) for t in latin if content_word(t, lang) is not None and zipf(t, lang) <= max_zipf)]
