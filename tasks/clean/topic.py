"""Paragraphs that depart from the document's own topic (a news flash pasted
into an article, a stray story after it).

The document's topic terms are the words it keeps coming back to (seen in at
least three paragraphs), weighted by how rare they are in the language at
large (wordfreq). A paragraph is judged against the rest of the document, its
immediate neighbours left out (an insertion often spans a few paragraphs): if
it uses topic terms far less often than the document's paragraphs ordinarily
do (a one-sided binomial test against a low quantile of the document's own
rates), it is off topic. No list of topics is involved.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from functools import lru_cache

import jieba
import wordfreq

from tasks.clean.base import Rule
from tasks.language import converter
from tasks.record import Document

jieba.setLogLevel(logging.WARNING)  # wordfreq segments Chinese with jieba; its loading chatter is noise
TOP_TERMS = 40
MIN_TERM_PARAGRAPHS = 3
# Words this common in the language carry no topic (zipf scale: 6 = once per 1000 words).
COMMON_ZIPF = 5.5


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    return wordfreq.zipf_frequency(word, lang)


def content_tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        text = converter("t2s").convert(text)
    try:
        words = wordfreq.tokenize(text, lang)
    except Exception:  # noqa: BLE001 - wordfreq refuses some language codes
        words = wordfreq.tokenize(text, "en")
    return [w for w in words if len(w) > 1 and not w.isdigit() and _zipf(w, lang) < COMMON_ZIPF]


def binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def off_topic_paragraphs(token_lists: list[list[str]], lang: str, window: int, min_tokens: int,
                         alpha: float) -> list[tuple[int, float]]:
    """(index, p-value) of paragraphs whose topic-term rate is improbably low."""
    n_par = len(token_lists)
    sets = [set(t) for t in token_lists]
    df_all: Counter[str] = Counter()
    for s in sets:
        df_all.update(s)
    def score(t: str) -> float:
        return 7 - _zipf(t, lang)

    # Leaving a window out lowers counts by at most 2*window+1: rank a margin of
    # candidates once, re-rank only those per paragraph.
    pool = sorted((t for t, c in df_all.items() if c >= MIN_TERM_PARAGRAPHS),
                  key=lambda t: -df_all[t] * score(t))[: TOP_TERMS * 3]
    stats: list[tuple[int, int] | None] = []
    for j, toks in enumerate(token_lists):
        if len(toks) < min_tokens:
            stats.append(None)
            continue
        near = range(max(0, j - window), min(n_par, j + window + 1))
        df = {t: df_all[t] - sum(t in sets[k] for k in near) for t in pool}
        ranked = sorted((t for t, c in df.items() if c >= MIN_TERM_PARAGRAPHS), key=lambda t: -df[t] * score(t))
        top = set(ranked[:TOP_TERMS])
        stats.append((sum(t in top for t in toks), len(toks)))
    rates = sorted(h / n for h, n in filter(None, stats))
    if len(rates) < 5:
        return []
    null = max(0.02, rates[len(rates) // 5])
    out = []
    for j, st in enumerate(stats):
        if st is None:
            continue
        hits, n = st
        p = binomial_cdf(hits, n, null)
        if p < alpha and hits / n < null / 2:
            out.append((j, p))
    return out


class OffTopic(Rule):
    name = "off_topic"

    def run(self, doc: Document) -> None:
        live = [i for i, p in enumerate(doc.paragraphs) if not p.dropped]
        token_lists = [content_tokens(doc.paragraphs[i].text, self.ctx.lang) for i in live]
        s = self.settings
        for j, _p in off_topic_paragraphs(token_lists, self.ctx.lang, s.topic_window, s.topic_min_tokens,
                                         s.topic_alpha):
            doc.drop_paragraph(live[j], "off_topic", self.name)
