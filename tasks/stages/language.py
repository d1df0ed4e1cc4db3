"""Language and script: Unicode-script evidence first, langdetect only where it decides.

langdetect 1.0.9 calls Traditional Chinese Korean, is random unless seeded and
costs ~50 ms per 10 KB. So: Han without kana is Chinese, kana is Japanese,
Hangul is Korean, and langdetect only chooses among the languages the script
allows, on a bounded sample. Simplified vs Traditional is decided by OpenCC:
which conversion changes more characters.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import opencc
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

SCRIPTS = {
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "kana": re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]+"),  # counted in words
    "cyrillic": re.compile(r"[\u0400-\u04ff]+"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f]+"),
    "greek": re.compile(r"[\u0370-\u03ff]+"),
    "hebrew": re.compile(r"[\u0590-\u05ff]+"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]+"),
}
# Scripts that name their language outright, and languages each script allows.
SCRIPT_LANG = {"han": "zh", "kana": "ja", "hangul": "ko", "thai": "th", "greek": "el", "hebrew": "he"}
LANGDETECT_ALLOWED = {
    "latin": None,  # any language langdetect knows except those written in other scripts
    "cyrillic": {"ru", "uk", "bg", "mk"},
    "arabic": {"ar", "fa", "ur"},
    "devanagari": {"hi", "mr", "ne"},
}
NON_LATIN_LANGS = {"zh-cn", "zh-tw", "ja", "ko", "ru", "uk", "bg", "mk", "ar", "fa", "ur", "hi", "mr",
                   "ne", "th", "el", "he", "bn", "gu", "kn", "ml", "pa", "ta", "te"}


# Scripts counted per character (the others per word), and one pattern matching runs of
# any script (the ranges are disjoint), so a text is scanned once, not once per script.
_PER_CHAR = frozenset({"han", "kana", "hangul", "thai"})
_RUNS = re.compile("|".join(f"(?P<{name}>{rx.pattern.removesuffix('+')}+)" for name, rx in SCRIPTS.items()))


def script_units(text: str) -> Counter[str]:
    """Units of evidence per script: a character for Han, kana, Hangul, Thai; a word otherwise."""
    if text.isascii():
        return Counter({"latin": n}) if (n := len(SCRIPTS["latin"].findall(text))) else Counter()
    counts = dict.fromkeys(SCRIPTS, 0)  # in SCRIPTS order: most_common() breaks ties by it
    for m in _RUNS.finditer(text):
        name = m.lastgroup
        counts[name] += m.end() - m.start() if name in _PER_CHAR else 1
    return Counter({name: n for name, n in counts.items() if n})


def total_units(parts: Iterable[Counter[str]]) -> Counter[str]:
    """The script units of texts joined by line breaks, from each text's own (no run crosses a break)."""
    counts = dict.fromkeys(SCRIPTS, 0)  # in SCRIPTS order, as script_units: ties break the same way
    for units in parts:
        for name, n in units.items():
            counts[name] += n
    return Counter({name: n for name, n in counts.items() if n})


def dominant_script(units: Counter[str]) -> str | None:
    if not units:
        return None
    total = sum(units.values())
    if units["kana"] >= max(3, 0.05 * (units["han"] + units["kana"])):
        return "kana"
    if units["hangul"] >= 0.2 * total:
        return "hangul"
    if units["han"] >= 0.3 * total:
        return "han"
    return units.most_common(1)[0][0]


@lru_cache(maxsize=8)
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def chinese_script(text: str, sample: int = 4000) -> str:
    """'Hant' if converting to Simplified changes more characters than the reverse."""
    s = text[:sample]
    to_simp = sum(map(operator.ne, s, converter("t2s").convert(s)))  # map stops at the shorter, like zip
    if not to_simp:  # nothing Traditional: Simplified (or no Han at all), whatever the reverse counts
        return "Hans"
    to_trad = sum(map(operator.ne, s, converter("s2t").convert(s)))
    return "Hant" if to_simp > to_trad else "Hans"


@lru_cache(maxsize=2)
def detector_factory(seed: int) -> DetectorFactory:
    """langdetect's profiles, loaded once per process and seed into a factory of sieve's own
    (langdetect's documented route: `load_profile`, `set_seed`, `create`), so the module-wide
    factory and its class-wide seed are left as the process found them."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)
    return factory


def _sample(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    third = limit // 3
    mid = len(text) // 2
    return " ".join((text[:third], text[mid - third // 2: mid + third // 2], text[-third:]))


def langdetect_scores(text: str, script: str, limit: int, seed: int) -> dict[str, float]:
    """langdetect's probabilities, restricted to languages the script allows."""
    detector = detector_factory(seed).create()
    detector.set_max_text_length(limit)
    detector.append(_sample(text, limit))
    try:
        probs = detector.get_probabilities()
    except LangDetectException:
        return {}
    allowed = LANGDETECT_ALLOWED.get(script)
    out = {}
    for p in probs:
        lang = p.lang
        if (allowed is None and lang in NON_LATIN_LANGS) or (allowed is not None and lang not in allowed):
            continue
        out[lang] = round(p.prob, 4)
    return out


@dataclass(frozen=True)
class LanguageGuess:
    lang: str  # ISO 639-1, "und" when there is no evidence
    script: str | None  # dominant Unicode script
    scores: dict[str, float]


def detect(text: str, limit: int = 1500, seed: int = 0, units: Counter[str] | None = None) -> LanguageGuess:
    """Language of a text: by script where the script decides, else langdetect. `units`: the text's
    script units when the caller has them (`total_units` of its paragraphs)."""
    units = script_units(text) if units is None else units
    script = dominant_script(units)
    if script is None:
        return LanguageGuess("und", None, {})
    if script in SCRIPT_LANG:
        share = units[script] / sum(units.values())
        return LanguageGuess(SCRIPT_LANG[script], script, {SCRIPT_LANG[script]: round(share, 4)})
    scores = langdetect_scores(text, script, limit, seed)
    if not scores:
        return LanguageGuess("und", script, {})
    lang = max(scores, key=lambda k: scores[k])
    return LanguageGuess(lang, script, scores)
