"""Small text measures shared by the cleaning rules (language-neutral)."""

from __future__ import annotations

import re
from collections import Counter

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Sentence ends in Latin and CJK punctuation, half- and full-width (a closing quote or
# bracket may follow). Written as escapes: an editor's width folding must not drop them.
SENTENCE_END_CHARS = ".!?;\u3002\uff01\uff1f\uff1b\uff0e\u2026"  # . ! ? ; 。 ！ ？ ； ． …
CLOSERS = "\"'\u201d\u2019)\uff09\u300d\u300f\u300b\u3011"  # " ' ” ’ ) ） 」 』 》 】
SENTENCE_END = re.compile(rf"[{SENTENCE_END_CHARS}][{CLOSERS}]*\s*$")
SENTENCE_MARK = re.compile(r"[.!?;,\u3002\uff01\uff1f\uff1b\uff0c\u3001]")  # also 。 ！ ？ ； ， 、
# Where a pattern that begins with optional spaces is tried: where a run of spaces starts, or at a
# non-space. A match found inside a run extends to the run's start, and a long run of spaces followed
# by no match would otherwise be scanned again from each of its positions (quadratic). After a match,
# its trailing spaces taken, the next try is at a non-space: split, sub and finditer find the same.
NOT_INSIDE_SPACES = r"(?:(?<!\s)|(?!\s))"
URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
# A line that reads as code: an ASCII call or index (`f(`, `a[`), an assignment, a line that opens
# or closes a block or ends a statement, a method call like `list.sort!`. Menus, headlines and
# dates do not look like that; a tutorial repeats such lines between its paragraphs.
CODE_LIKE = re.compile(r"[A-Za-z0-9_][(\[]|[A-Za-z0-9_\])]\s*[-+*/]?=\s*\S|[{};]\s*$|^\s*[{}]"
                       r"|\.[A-Za-z_]\w*[!?]\s*$")


def han_count(text: str) -> int:
    return 0 if text.isascii() else sum(map(len, HAN_RUN.findall(text)))


def weight(text: str) -> float:
    """Roughly how many words a text holds: Latin words plus Han characters / 1.5."""
    han = han_count(text)
    words = len(WORD.findall(HAN_RUN.sub(" ", text) if han else text))
    return words + han / 1.5


def tokens(text: str) -> list[str]:
    """Content tokens: lowercase words of 2+ letters, and Han character bigrams."""
    out = [w.lower() for w in WORD.findall(HAN.sub(" ", text))]
    for run in HAN_RUN.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def token_counts(text: str) -> Counter[str]:
    return Counter(tokens(text))


def is_sentence_like(text: str) -> bool:
    return bool(SENTENCE_END.search(text)) or len(SENTENCE_MARK.findall(text)) >= 2


def squash(text: str) -> str:
    """The text without whitespace, lower-cased: what two copies of a line share however they were wrapped."""
    return "".join(text.split()).lower()  # the same as removing r"\s+", five times faster
