"""langdetect's Detector with its per-character loops rewritten: the same n-grams, the same probabilities.

langdetect 1.0.9 walks the text character by character in Python four times
(`append`, `cleaning_text`, `_extract_ngrams`, each character through
`NGram.normalize`'s block search) and updates 55 language probabilities in an
indexed loop per sampled n-gram. On a 1,500-character sample that is ~5 ms, more
than trafilatura's extraction of the page. Here each step does exactly what
langdetect's does (same order of floating-point operations, same random draws),
with regular expressions, a per-document table of normalized characters and list
comprehensions; `tests/test_fast_detector.py` holds it to langdetect's own
results.
"""

from __future__ import annotations

import re

from langdetect.detector import Detector
from langdetect.utils.ngram import NGram

_LATIN = re.compile("[A-z]")  # langdetect's 'A' <= ch <= 'z', [ \ ] ^ _ ` included
# cleaning_text's ch >= U+0300: it also means to leave out Latin Extended Additional, but compares
# unicode_block's number with the block's name, so no character is left out.
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")
_SPACES = re.compile(" {2,}")


class FastDetector(Detector):
    """A drop-in Detector (built from the loaded DetectorFactory) with langdetect's results, faster."""

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        # A space is kept only after a character that is not one (the first one always).
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        latin = len(_LATIN.findall(self.text))
        if latin * 2 < len(_NON_LATIN.findall(self.text)):
            self.text = _LATIN.sub("", self.text)

    def _extract_ngrams(self) -> list[str]:
        """langdetect's n-grams in its order, a word at a time.

        Its n-gram buffer starts afresh after every space, so a word (a run of normalized
        characters between spaces) always yields the same n-grams, the closing ones of the
        space after it included: they are worked out once per distinct word."""
        known = self.word_lang_prob_map
        normal = {ord(ch): NGram.normalize(ch) for ch in set(self.text)}
        words = self.text.translate(normal).split(" ")
        last = words.pop()  # not followed by a space
        memo: dict[str, list[str]] = {}
        result: list[str] = []
        for word in words:
            if word:
                grams = memo.get(word)
                if grams is None:
                    grams = memo[word] = _word_ngrams(word, True, known)
                result += grams
        if last:
            result += _word_ngrams(last, False, known)
        return result

    def _update_lang_prob(self, prob: list[float], word: str | None, alpha: float) -> bool:
        if word is None or word not in self.word_lang_prob_map:
            return False
        weight = alpha / self.BASE_FREQ
        prob[:] = [p * (weight + q) for p, q in zip(prob, self.word_lang_prob_map[word], strict=True)]
        return True

    def _normalize_prob(self, prob: list[float]) -> float:
        """Scale to sum 1 and return the largest, as langdetect's."""
        total = sum(prob)
        prob[:] = [p / total for p in prob]
        return max(prob)


def _word_ngrams(word: str, spaced: bool, known: dict) -> list[str]:
    """The n-grams langdetect takes from ' ' + word (+ ' ' when a space follows), in order.

    Where a character and the one before it are both upper case (an acronym), it takes none."""
    text = " " + word + (" " if spaced else "")
    out = []
    for i in range(1, len(text)):
        ch = text[i]
        if ch.isupper() and text[i - 1].isupper():
            continue
        for gram in (ch, text[i - 1: i + 1], text[i - 2: i + 1] if i >= 2 else ""):
            if gram and gram != " " and gram in known:
                out.append(gram)
    return out
