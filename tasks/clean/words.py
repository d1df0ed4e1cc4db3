"""Content words of a text, in any of its scripts, with their commonness.

Han runs are segmented by wordfreq (jieba with wordfreq's dictionary, after
Traditional-to-Simplified conversion); runs of single characters it leaves
(names such as 王晟) are joined back into one word. Latin words inside Chinese
text are read as Latin words, not fed to the Chinese segmenter, which would
break them apart. Commonness is wordfreq's zipf value in the word's language.

The memo caches here are small (a few thousand words or runs, well under a
megabyte each): they serve the words a document and its neighbours share, and
a worker's memory does not grow with the documents it has seen. Whole
paragraphs are memoized per document (`Context.content_tokens`).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
import wordfreq

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


@lru_cache(maxsize=RUN_CACHE)
def _segmented(run: str) -> str:
    """The words of a Han run joined by NUL: one small string per cache entry."""
    pieces = wordfreq.tokenize(run, "zh")
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
    return [w for w in (content_word(t, lang) for t in tokens) if w is not None]
