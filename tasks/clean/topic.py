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

import itertools
import math
import operator
import sys
from collections import Counter
from collections.abc import Iterable, Sequence

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.words import zipf

TOP_TERMS = 40
# A topic term recurs: in at least 3 paragraphs, spread over at least 3 of 5 equal
# stretches of the document (an inserted block has recurring words too, but
# they stay in one or two stretches). Short documents (under SHORT_DOC
# paragraphs) carry their topic in fewer words: 2 paragraphs, 2 stretches.
SPREAD_BINS = 5
SHORT_DOC = 20


def term_thresholds(n_paragraphs: int) -> tuple[int, int]:
    """(minimum paragraphs, minimum stretches) for a topic term."""
    return (2, 2) if n_paragraphs < SHORT_DOC else (3, 3)
# Words at most this common (zipf) are "rare": names and terms that tie paragraphs together.
RARE_ZIPF = 4.0
# Neighbours join an off-topic block if their own test gives p below this and they
# share at least LINK_WORDS rare words with it; a block sharing that many rare
# words with the paragraphs around it is a digression, not an insertion.
WEAK_P = 0.25
LINK_WORDS = 2


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), 0 < p < 1.

    Each term C(n, i) p^i (1-p)^(n-i) comes from the one before it, in floats: within
    1e-12 of the exact sum (tests/test_topic.py), without math.comb's big integers, and
    without their overflow of a float past n ~ 1000. When (1-p)^n underflows, the terms
    are taken from their logarithms instead.
    """
    if k < 0:
        return 0.0
    q = 1 - p
    term = q**n
    if term < sys.float_info.min:
        lp, lq, lg = math.log(p), math.log(q), math.lgamma
        return math.fsum(math.exp(lg(n + 1) - lg(i + 1) - lg(n - i + 1) + i * lp + (n - i) * lq)
                         for i in range(min(k, n) + 1))
    total, ratio = term, p / q
    for i in range(min(k, n)):
        term *= (n - i) / (i + 1) * ratio
        total += term
    return total


def topic_scores(sets: Sequence[set[str]], df: Counter[str], lang: str) -> dict[str, float]:
    """Weight (7 - zipf) of each topic term: in enough of the paragraphs' word `sets` (`df`
    counts them), spread over enough stretches. In `df`'s order (which breaks ties in the ranking).
    """
    n_par = len(sets)
    stretches: list[set[str]] = [set() for _ in range(SPREAD_BINS)]
    for j, s in enumerate(sets):
        stretches[j * SPREAD_BINS // n_par].update(s)
    min_df, min_spread = term_thresholds(n_par)
    return {t: 7 - zipf(t, lang) for t, c in df.items()
            if c >= min_df and sum(t in s for s in stretches) >= min_spread}


def off_topic_paragraphs(token_lists: Sequence[Sequence[str]], lang: str, window: int,
                         min_tokens: int) -> list[tuple[int, float, bool]]:
    """(index, p-value, rate well below the null) of every paragraph long enough to judge."""
    n_par = len(token_lists)
    sets = [set(t) for t in token_lists]
    df_all = Counter(itertools.chain.from_iterable(sets))
    score = topic_scores(sets, df_all, lang)
    min_df = term_thresholds(n_par)[0]
    n_terms = TOP_TERMS

    # Leaving a window out lowers counts by at most 2*window+1: rank a margin of
    # candidates once, re-rank only those per paragraph (only the counts of the
    # terms in the window change). The counts outside the window slide along with
    # it; a term's rank key is -count * weight, ties to the earlier candidate.
    pool = sorted(score, key=lambda t: -df_all[t] * score[t])[: n_terms * 3]
    index = {t: k for k, t in enumerate(pool)}
    neg_weight = [-score[t] for t in pool]
    candidates = range(len(pool))
    in_pool = [[index[t] for t in s if t in index] for s in sets]
    df = [df_all[t] for t in pool]
    for k in range(min(n_par, window + 1)):
        for x in in_pool[k]:
            df[x] -= 1
    stats: list[tuple[int, int] | None] = []
    for j, toks in enumerate(token_lists):
        if j:
            for x in in_pool[j + window] if j + window < n_par else ():
                df[x] -= 1
            for x in in_pool[j - window - 1] if j > window else ():
                df[x] += 1
        if len(toks) < min_tokens:
            stats.append(None)
            continue
        if not in_pool[j]:
            stats.append((0, len(toks)))
            continue
        keys = list(map(operator.mul, df, neg_weight))
        ranked = sorted(itertools.compress(candidates, map(operator.ge, df, itertools.repeat(min_df))),
                        key=keys.__getitem__)
        top = set(map(pool.__getitem__, ranked[:n_terms]))
        stats.append((sum(map(top.__contains__, toks)), len(toks)))
    rates = sorted(h / n for h, n in filter(None, stats))
    if len(rates) < 5:
        return []
    # The null rate: half the median paragraph's. A low quantile would let a long
    # inserted block (a fifth of the paragraphs or more) set the standard.
    null = max(0.02, rates[len(rates) // 2] / 2)
    out = []
    for j, st in enumerate(stats):
        if st is None:
            continue
        hits, n = st
        out.append((j, binomial_cdf(hits, n, null), hits / n < null / 2))
    return out


def _rare(tokens: Iterable[str], lang: str) -> set[str]:
    return {t for t in tokens if zipf(t, lang) <= RARE_ZIPF}


def off_topic_blocks(tested: dict[int, tuple[float, bool]], token_lists: Sequence[Sequence[str]], lang: str,
                     alpha: float) -> list[int]:
    """Indices of paragraphs in off-topic blocks.

    A block starts at a paragraph that fails the topic test; neighbours that
    share its rare words (names, terms) and are themselves weakly on topic join
    it (an insertion runs over several paragraphs). A block that shares rare
    words with the paragraphs around it is a digression of the article, kept.
    """
    seeds = sorted(j for j, (p, low) in tested.items() if p < alpha and low)
    if not seeds:
        return []
    rare = [_rare(t, lang) for t in token_lists]
    dropped: set[int] = set()
    for seed in seeds:
        if seed in dropped:
            continue
        block = [seed]
        words = set(rare[seed])
        for step in (-1, 1):
            j = seed + step
            while 0 <= j < len(token_lists) and tested.get(j, (1.0, False))[0] < WEAK_P \
                    and len(rare[j] & words) >= LINK_WORDS:
                block.append(j)
                words |= rare[j]
                j += step
        lo, hi = min(block), max(block)
        around = set().union(*(rare[k] for k in (lo - 1, hi + 1) if 0 <= k < len(token_lists)))
        if len(around & words) < LINK_WORDS:
            dropped.update(range(lo, hi + 1))
    return sorted(dropped)


class OffTopic(Rule):
    name = "off_topic"

    def run(self, doc: Document) -> None:
        live = [i for i, p in enumerate(doc.paragraphs) if not p.dropped]
        token_lists = [self.ctx.content_tokens(doc.paragraphs[i].text) for i in live]
        s = self.settings
        tested = {j: (p, low) for j, p, low in
                  off_topic_paragraphs(token_lists, self.ctx.lang, s.topic_window, s.topic_min_tokens)}
        self.ctx.topic_p.update({live[j]: p for j, (p, _) in tested.items()})
        for j in off_topic_blocks(tested, token_lists, self.ctx.lang, s.topic_alpha):
            doc.drop_paragraph(live[j], "off_topic", self.name)
