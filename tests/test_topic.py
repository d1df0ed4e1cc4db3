"""tasks/clean/topic.py: the float binomial and the sliding ranking give what their direct definitions give."""

from __future__ import annotations

import math
import random
from collections import Counter
from fractions import Fraction

import wordfreq

from tasks.clean.topic import TOP_TERMS, binomial_cdf, off_topic_paragraphs, term_thresholds, topic_scores


def exact_cdf(k: int, n: int, p: float) -> float:
    """The binomial sum in exact rational arithmetic, rounded once."""
    a, b = Fraction(p).as_integer_ratio()
    return float(Fraction(sum(math.comb(n, i) * a**i * (b - a) ** (n - i) for i in range(k + 1)), b**n))


def test_binomial_cdf_is_the_exact_sum_within_1e_12():
    rng = random.Random(3)
    cases = [(k, n, p) for n in (1, 2, 5, 10, 40, 82, 300) for k in (0, 1, n // 3, n // 2, n - 1, n)
             for p in (0.02, 0.1, 0.25, 0.5)]
    cases += [(rng.randint(0, n), n, rng.uniform(0.02, 0.5)) for n in (rng.randint(10, 400) for _ in range(100))]
    assert max(abs(binomial_cdf(k, n, p) - exact_cdf(k, n, p)) for k, n, p in cases) < 1e-12


def test_binomial_cdf_of_a_very_long_paragraph_is_a_probability():
    """(1-p)^n underflows: the terms come from their logarithms (math.comb's integers would overflow a float)."""
    for k, n, p in [(300, 2000, 0.5), (900, 2000, 0.5), (1100, 2000, 0.5), (700, 6000, 0.125), (800, 6000, 0.125)]:
        assert math.isclose(binomial_cdf(k, n, p), exact_cdf(k, n, p), rel_tol=1e-9, abs_tol=1e-300)


def direct_ranking(token_lists: list[list[str]], lang: str, window: int, min_tokens: int) -> list[tuple[int, int]]:
    """(hits, length) per judged paragraph: the document's counts recounted without the window, all
    candidates re-ranked (key -count * weight, ties to the earlier candidate), hits on the top terms."""
    sets = [set(t) for t in token_lists]
    df_all = Counter(t for s in sets for t in s)
    score = topic_scores(sets, df_all, lang)
    pool = sorted(score, key=lambda t: -df_all[t] * score[t])[: TOP_TERMS * 3]
    min_df = term_thresholds(len(sets))[0]
    out = []
    for j, toks in enumerate(token_lists):
        if len(toks) < min_tokens:
            continue
        in_window = sets[max(0, j - window):j + window + 1]
        df = {t: df_all[t] - sum(t in s for s in in_window) for t in pool}
        ranked = sorted((t for t in pool if df[t] >= min_df), key=lambda t: -df[t] * score[t])
        top = set(ranked[:TOP_TERMS])
        out.append((sum(t in top for t in toks), len(toks)))
    return out


def test_sliding_counts_rank_as_the_direct_recount():
    rng = random.Random(7)
    # Words of many frequencies (weights) and made-up ones (equal weights: ties), more than the pool holds.
    real = wordfreq.top_n_list("en", 5000)[1000::30]
    vocab = [w for pair in zip(real, [f"w{i}" for i in range(len(real))], strict=True) for w in pair]
    for _ in range(60):
        n_par = rng.randint(1, 60)
        words = vocab[: rng.randint(20, len(vocab))]
        doc = [[rng.choice(words) for _ in range(rng.randint(0, 40))] for _ in range(n_par)]
        for window in (0, 1, 2):
            direct = direct_ranking(doc, "en", window, 10)
            tested = off_topic_paragraphs(doc, "en", window, 10)
            if len(direct) < 5:
                assert tested == []
                continue
            assert len(tested) == len(direct)
            null = max(0.02, sorted(h / n for h, n in direct)[len(direct) // 2] / 2)
            assert [p for _, p, _ in tested] == [binomial_cdf(h, n, null) for h, n in direct]
            assert [low for _, _, low in tested] == [h / n < null / 2 for h, n in direct]
