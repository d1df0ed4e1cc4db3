"""Content words of a text, in any of its scripts, with their commonness.

Han runs are segmented by wordfreq (jieba with wordfreq's dictionary, after
Traditional-to-Simplified conversion); runs of single characters it leaves
(names such as 王晟) are joined back into one word. Latin words inside Chinese
text are read as Latin words, not fed to the Chinese segmenter, which would
break them apart. Commonness is wordfreq's zipf value in the word's language.
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


@lru_cache(maxsize=300_000)
def zipf(word: str, lang: str) -> float:
    if HAN_RUN.match(word):
        return wordfreq.zipf_frequency(word, "zh")
    try:
        return wordfreq.zipf_frequency(word, lang if lang not in ("zh", "ja", "ko", "und") else "en")
    except Exception:  # noqa: BLE001 - a language wordfreq does not know
        return wordfreq.zipf_frequency(word, "en")


@lru_cache(maxsize=100_000)
def _segment_han(run: str) -> tuple[str, ...]:
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
    return tuple(out)


_SUFFIXES = ("ies", "ing", "ers", "ed", "es", "er", "s")


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """A light English suffix strip (bees -> bee, hives -> hiv, keeping -> keep): related forms meet."""
    if not word.isascii() or len(word) < 5:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_tokens(text: str, lang: str) -> list[str]:
    """Words that can carry a topic: no numbers, no very common words."""
    return list(_content_tokens(text, lang))


@lru_cache(maxsize=20_000)
def _content_tokens(text: str, lang: str) -> tuple[str, ...]:
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
    return tuple(stem(t) for t in tokens if len(t) > 1 and not t.isdigit() and zipf(t, lang) < COMMON_ZIPF)
