"""Content words of a text, in any of its scripts, with their commonness.

Han runs are segmented by wordfreq (jieba with wordfreq's dictionary, after
Traditional-to-Simplified conversion); runs of single characters it leaves
(names such as 王晟) are joined back into one word. A run jieba reads as one
block of its Han range is segmented here directly, by the same dictionary and
the same dynamic programme as `jieba.Tokenizer.cut(HMM=False)` (a faster path
to the identical result; tests/test_words.py compares the two). Latin words inside Chinese
text are read as Latin words, not fed to the Chinese segmenter, which would
break them apart. Commonness is wordfreq's zipf value in the word's language.

The memo caches here are small (a few thousand words or runs, well under a
megabyte each): they serve the words a document and its neighbours share, and
a worker's memory does not grow with the documents it has seen. Whole
paragraphs are memoized per document (`Context.content_tokens`).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from functools import lru_cache

import jieba
import wordfreq
import wordfreq.chinese
from wordfreq.tokens import PUNCT_RE

from tasks.language import converter

jieba.setLogLevel(logging.WARNING)  # wordfreq segments Chinese with jieba; its loading chatter is noise

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+.-]*[A-Za-z0-9]")
# Words this common in the language carry no topic (zipf scale: 6 = once per 1000 words).
COMMON_ZIPF = 5.5


# Entries of the memo caches: words (zipf, content_word) and Han runs (_segment_han).
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


# jieba's Han range (its re_han_default, without the Latin letters and digits it also takes).
JIEBA_HAN = re.compile(r"[\u4e00-\u9fd5]+")


def _jieba() -> jieba.Tokenizer:
    if wordfreq.chinese.jieba_tokenizer is None:
        wordfreq.tokenize("中文", "zh")  # wordfreq builds its tokenizer on first use
    tokenizer = wordfreq.chinese.jieba_tokenizer
    tokenizer.check_initialized()
    return tokenizer


def han_pieces(run: str) -> list[str]:
    """`wordfreq.tokenize(run, "zh")` for a run of Han characters.

    wordfreq normalizes the run (NFKC, casefold: no change to characters of jieba's Han range),
    converts it character by character to Simplified and lets jieba (no HMM) cut that; the
    pieces are the same spans of the run. When the run and its conversion lie in jieba's Han
    range, jieba cuts it as one block: the most probable path through the dictionary's words,
    computed here as jieba computes it (same floating-point sums, ties to the longer word).
    Any other run goes to wordfreq.
    """
    if not JIEBA_HAN.fullmatch(run):
        return wordfreq.tokenize(run, "zh")
    simple = run.translate(wordfreq.chinese.SIMPLIFIED_MAP).casefold()
    if not JIEBA_HAN.fullmatch(simple):
        return wordfreq.tokenize(run, "zh")
    tokenizer = _jieba()
    freq, logtotal, log = tokenizer.FREQ, math.log(tokenizer.total), math.log
    n = len(simple)
    score = [0.0] * (n + 1)
    end = list(range(n))
    for k in range(n - 1, -1, -1):
        best = None
        i, frag = k, simple[k]
        while i < n and frag in freq:  # the dictionary holds every prefix of its words
            if f := freq[frag]:
                v = log(f) - logtotal + score[i + 1]
                if best is None or v >= best:
                    best, end[k] = v, i
            i += 1
            frag = simple[k:i + 1]
        score[k] = log(freq.get(simple[k]) or 1) - logtotal + score[k + 1] if best is None else best
    pieces, k = [], 0
    while k < n:
        pieces.append(run[k:end[k] + 1])
        k = end[k] + 1
    return [p for p in pieces if not PUNCT_RE.match(p)]


@lru_cache(maxsize=RUN_CACHE)
def _segmented(run: str) -> str:
    """The words of a Han run joined by NUL: one small string per cache entry."""
    pieces = han_pieces(run)
    out: list[str] = []
    singles = ""
    for p in [*pieces, ""]:
        if len(p) == 1 and zipf(p, "zh") < COMMON_ZIPF:
            singles += p
            continue
        if len(singles) > 1:
            out.append(singles)
        singles = ""
        if p:
            out.append(p)
    return "\0".join(out)


def _segment_han(run: str) -> list[str]:
    words = _segmented(run)
    return words.split("\0") if words else []


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


def content_tokens(text: str, lang: str) -> list[str]:
    """Words that can carry a topic: no numbers, no very common words."""
    tokens: list[str] = []
    if HAN_RUN.search(text):
        text = converter("t2s").convert(text)
        for run in HAN_RUN.findall(text):
            tokens.extend(_segment_han(run))
        latin = [w.lower() for w in LATIN_WORD.findall(HAN_RUN.sub(" ", text))]
    else:
        try:
            latin = wordfreq.tokenize(text, lang)
        except Exception:  # noqa: BLE001 - wordfreq refuses some language codes
            latin = wordfreq.tokenize(text, "en")
    tokens.extend(latin)
    return list(filter(None, map(content_word, tokens, itertools.repeat(lang))))
