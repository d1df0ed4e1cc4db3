"""FastDetector gives langdetect's own answer: the same cleaned text, n-grams and probabilities."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from langdetect import DetectorFactory, detector_factory
from langdetect.detector import Detector

from tasks.stages.fast_detector import FastDetector
from tasks.stages.language import _langdetect_ready

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# Characters that take every branch of langdetect's normalization and cleaning: spaces and
# punctuation, Latin-1, Romanian comma letters, Vietnamese combining marks, General Punctuation,
# kana, Hangul, Bopomofo, Han, Arabic yeh, Greek, Cyrillic, upper case runs, URLs and e-mail.
ALPHABET = [*"abcXYZ ÀÉçßşșțẠỆ  \u0301\u0300\u0303あア한中國ㄅ،ی.,!-ΑΒγЖж\u2013\u201c\t\n[]^_`",
            "http://x.com/a?b=1", "a@b.cd", "NASA", "I", "  "]
WORDS = ["THE", "Cat", "ok", "  ", "Ünïcode", "ÜBER", "a", "I", "NASA's", "x@y.org", "https://a.b/c", "mở", "Việt",
         "ȘTIINȚĂ", "Москва", "数据", "l'été", "—", "\n"]


def _random_texts(n: int) -> list[str]:
    rng = random.Random(7)
    texts = []
    for _ in range(n):
        texts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300))))
        texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 120))))
    return texts


def _sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _run(cls: type[Detector], text: str, limit: int) -> tuple:
    detector = cls(detector_factory._factory)  # noqa: SLF001 - the factory langdetect's own detect() uses
    detector.set_max_text_length(limit)
    detector.append(text)
    detector.append(text[: len(text) // 3])  # a second append is cut separately, as langdetect's
    appended = detector.text
    detector.cleaning_text()
    cleaned, ngrams = detector.text, detector._extract_ngrams()
    detector.text = appended
    try:
        probabilities = [(p.lang, p.prob) for p in detector.get_probabilities()]
    except Exception as exc:  # noqa: BLE001 - the same error is part of the same answer
        probabilities = [type(exc).__name__]
    return cleaned, ngrams, probabilities


@pytest.fixture(scope="module", autouse=True)
def _profiles_loaded():
    _langdetect_ready(DetectorFactory.seed or 0)


@pytest.mark.parametrize("limit", [7, 1500, 10_000])
def test_same_cleaning_ngrams_and_probabilities_as_langdetect_on_random_text(limit):
    for text in _random_texts(150):
        assert _run(FastDetector, text, limit) == _run(Detector, text, limit), repr(text[:80])


def test_same_answer_as_langdetect_on_the_sample_pages():
    for text in _sample_texts():
        for start in range(0, len(text), 5000):
            chunk = text[start:start + 5000]
            assert _run(FastDetector, chunk, 1500) == _run(Detector, chunk, 1500)


def test_mostly_non_latin_text_loses_its_latin_letters_as_in_langdetect():
    fast = _run(FastDetector, "Москва Москва ok", 100)
    assert fast == _run(Detector, "Москва Москва ok", 100)
    assert "ok" not in fast[0]
