"""tasks/text/words.py: Chinese is cut by wordfreq's public tokenizer, names are joined back,
Latin words inside Chinese stay whole, and the ASCII fast path for English gives wordfreq's tokens."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import wordfreq

from tasks.text.words import content_tokens, english_tokens, han_pieces, han_words

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_page  # noqa: E402


def test_a_han_run_is_cut_into_wordfreqs_pieces_of_the_run_as_written():
    run = "我們今天討論新書"
    assert han_pieces(run) == wordfreq.tokenize(run, "zh")
    assert "".join(han_pieces(run)) == run  # Traditional stays Traditional: pieces are spans of the run


def test_uncommon_single_characters_left_by_the_segmenter_are_joined_into_one_word():
    pieces = han_pieces("我们今天讨论王晟的新书")
    assert "王" in pieces and "晟" in pieces
    assert han_words("我们今天讨论王晟的新书") == ["我们", "今天", "讨论", "王晟", "的", "新书"]


def test_traditional_and_simplified_text_give_the_same_content_words():
    assert content_tokens("蜜蜂養殖技術在山區推廣", "zh") == content_tokens("蜜蜂养殖技术在山区推广", "zh")


def test_latin_words_inside_chinese_text_stay_whole_and_common_words_and_numbers_carry_no_topic():
    tokens = content_tokens("我们用Python和TensorFlow训练模型, 共3000次", "zh")
    assert "python" in tokens and "tensorflow" in tokens
    assert "我们" not in tokens and "3000" not in tokens


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
