"""tasks/text/words.py: the direct segmentation of Han runs gives what wordfreq gives."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import wordfreq
from wordfreq.tokens import PUNCT_RE

from tasks.text.words import HAN_RUN, JIEBA_HAN, _jieba, english_tokens, han_pieces, log_probs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_page  # noqa: E402


def sample_runs() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))]
    texts += [make_page(3, i, lang=lang, size_kb=8).html for i in range(6) for lang in ("zh-Hans", "zh-Hant")]
    return sorted({run for text in texts for run in HAN_RUN.findall(text)})


def test_han_runs_are_cut_as_wordfreq_cuts_them():
    runs = sample_runs()
    assert len(runs) > 1000
    assert [r for r in runs if han_pieces(r) != wordfreq.tokenize(r, "zh")] == []


def test_random_han_strings_are_cut_as_wordfreq_cuts_them():
    """Arbitrary strings of the sample's characters, and of the whole Han range (compatibility
    ideographs and extension A included, which go to wordfreq)."""
    rng = random.Random(5)
    alphabet = sorted(set("".join(sample_runs())))
    strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25))) for _ in range(3000)]
    strings += ["".join(chr(rng.choice([rng.randint(0x3400, 0x4DBF), rng.randint(0x4E00, 0x9FFF),
                                        rng.randint(0xF900, 0xFAFF)])) for _ in range(rng.randint(1, 12)))
                for _ in range(500)]
    assert [s for s in strings if han_pieces(s) != wordfreq.tokenize(s, "zh")] == []


# ASCII that takes every branch of wordfreq's token expression: letters (vowels and not, both cases),
# digits, "_", the separators UAX #29 lets inside a word (: . ' , ;), "@" and "@s", elisions (l'a),
# and other punctuation and spaces.
ASCII_ALPHABET = list("abcdeiouyhsAEIOUYHS019_ :.',;@-!?\"()\n\t/&#$%*+<=>[]\\^`{|}~")
ASCII_PIECES = ["can't", "l'amour", "qu'il", "U.S.A.", "3,000.50", "a:b", "e.g.", "@s", "amig@s", "o'er", "I'm",
                "user@example.com", "1.a", "a.1", "x_y", "_a", "a_", "1'2", "a''b", "a..b", "ab'e", "abc'e", "A'E",
                "5;6", "7:8", "'tis", "rock'n'roll", "http://x.y/z?a=1", "@s.a", "b@s_", "Y'all"]


def test_ascii_english_is_tokenized_as_wordfreq_tokenizes_it():
    rng = random.Random(11)
    texts = ["".join(rng.choice(ASCII_ALPHABET) if rng.random() < 0.8 else rng.choice(ASCII_PIECES)
                     for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    texts += [line for p in sorted((ROOT / "seeds").iterdir())
              for line in p.read_text(encoding="utf-8").splitlines() if line.isascii()]
    texts += [make_page(3, i, lang="en", size_kb=8).html for i in range(6)]  # not all ASCII: wordfreq's
    assert sum(t.isascii() for t in texts) > 20000
    assert [t for t in texts if english_tokens(t) != wordfreq.tokenize(t, "en")] == []


def test_log_probs_are_jiebas_log_frequencies():
    """Every entry of jieba's dictionary, a word with its log-probability, a bare prefix with 0.0."""
    tokenizer = _jieba()
    probs = log_probs()
    logtotal = math.log(tokenizer.total)
    assert probs.of.keys() == tokenizer.FREQ.keys()
    assert all(probs.of[w] == (math.log(f) - logtotal if f else 0.0) for w, f in tokenizer.FREQ.items())
    assert all(probs.of[w] != 0.0 for w, f in tokenizer.FREQ.items() if f)
    assert probs.unknown == math.log(1) - logtotal


def test_no_character_of_jiebas_han_range_is_punctuation():
    """So han_pieces has no punctuation to drop, as wordfreq does for other runs."""
    han = "".join(chr(c) for c in range(0x4E00, 0x9FD6))
    assert JIEBA_HAN.fullmatch(han)
    assert not any(PUNCT_RE.match(c) for c in han)
