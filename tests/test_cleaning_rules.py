"""What each cleaning rule removes, and what it must leave alone.

The pages here are written for the tests; none of their noise strings, words
or topics occurs in the sample pages or in any rule.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tests.conftest import run_text
from tests.fixtures.articles import BEEKEEPING_EN, FLASH_EN, FLASH_ZH, RAIL_ZH_HANT

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def long_english_article() -> list[str]:
    """The body of sample page 000 (lines 48-102): a long clean article to carry new noise."""
    lines = (SEEDS / "000_da662a36e63dfc30.txt").read_text(encoding="utf-8").split("\n")[47:102]
    return [line.strip() for line in lines if line.strip()]


def long_chinese_article() -> list[str]:
    """The body of sample page 004 (lines 115-245), Simplified Chinese, as a carrier."""
    lines = (SEEDS / "004_0c0d24ab21bbcc88.txt").read_text(encoding="utf-8").split("\n")[114:245]
    return [" ".join(line.split()) for line in lines if line.strip()]


def reasons(doc) -> set[str]:
    return {r.reason for r in doc.removed}


def test_clean_article_is_published_whole():
    doc = run_text("\n".join(BEEKEEPING_EN))
    assert doc.reject_reason is None
    assert doc.published_text.split("\n") == BEEKEEPING_EN


def test_string_appended_to_every_paragraph_is_stripped_and_paragraphs_kept():
    spam = " >>> Read more gardening tips at HiveHelper dot net <<<"
    doc = run_text("\n".join(p + spam for p in BEEKEEPING_EN))
    assert "HiveHelper" not in doc.published_text
    assert doc.published_text.split("\n") == BEEKEEPING_EN
    assert "injected_string" in reasons(doc)


def test_injected_string_leaves_the_punctuation_that_ends_the_sentence():
    """Appended after every full stop, the string's common part starts at that full stop: the
    full stop stays with the sentence (also where a paragraph ends in '?'), the string and the
    space joining it go."""
    body = list(BEEKEEPING_EN[1:])
    body[3] = body[3][:-1] + "?"
    doc = run_text("\n".join(p + " Download the HiveHelper app now for exclusive deals!" for p in body))
    assert doc.published_text.split("\n") == body
    assert {r.reason for r in doc.removed} == {"injected_string"}
    assert all(r.snippet.startswith(" Download") for r in doc.removed)


def test_injected_string_after_chinese_full_stops_leaves_them():
    spam = "【更多精彩內容請關注蜂窩資訊網】"
    doc = run_text("\n".join(p + spam for p in RAIL_ZH_HANT[1:]))
    published = doc.published_text.split("\n")
    assert len(published) == len(RAIL_ZH_HANT) - 1
    assert all(p.endswith("。") for p in published)
    assert "蜂窝" not in doc.published_text and "关注" not in doc.published_text


def test_injected_string_truncated_at_a_paragraph_end_is_also_cut():
    spam = "【蜂窩資訊網——每日更新的交通新聞】"
    paragraphs = [p + spam for p in RAIL_ZH_HANT]
    paragraphs[3] = RAIL_ZH_HANT[3] + spam[:9]
    doc = run_text("\n".join(paragraphs))
    assert "蜂窝" not in doc.published_text and "资讯网" not in doc.published_text
    assert "高速铁路网络不断延伸" in doc.published_text


def test_hidden_markup_residue_takes_its_hidden_text_with_it():
    body = list(BEEKEEPING_EN)
    body[4] = body[4] + '<span style="display:none">cheap pills online</span>'
    body[6] = body[6] + 'div class="x" style="visibility:hidden">buy followers now'
    doc = run_text("\n".join(body))
    assert "pills" not in doc.published_text and "followers" not in doc.published_text
    assert "<span" not in doc.published_text and "style=" not in doc.published_text
    assert BEEKEEPING_EN[4] in doc.published_text


def test_repeated_headline_is_dropped_after_its_first_appearance():
    body = [BEEKEEPING_EN[0], *BEEKEEPING_EN[1:5], BEEKEEPING_EN[0], *BEEKEEPING_EN[5:], BEEKEEPING_EN[0]]
    doc = run_text("\n".join(body))
    assert doc.published_text.count(BEEKEEPING_EN[0]) == 1
    assert doc.published_text.startswith(BEEKEEPING_EN[0])


def test_contact_block_and_copyright_lines_are_removed():
    body = [*BEEKEEPING_EN[:6], "Contact us", "Email: orders@honeyshop-example.org", "Tel: +44 20 7946 0958",
            *BEEKEEPING_EN[6:], "© 2024 Honey Shop Ltd. All rights reserved."]
    doc = run_text("\n".join(body))
    assert "orders@" not in doc.published_text and "7946" not in doc.published_text
    assert "rights reserved" not in doc.published_text
    assert BEEKEEPING_EN[-1] in doc.published_text


def test_keyword_stuffing_block_is_removed():
    stuffing = " | ".join(["online casino bonus", "free slots jackpot", "live casino poker", "sports betting odds",
                           "casino bonus no deposit", "jackpot slots free spins", "poker tournament online"])
    body = [*BEEKEEPING_EN[:5], stuffing, *BEEKEEPING_EN[5:]]
    doc = run_text("\n".join(body))
    assert "casino" not in doc.published_text
    assert "keyword_stuffing" in reasons(doc)


def test_off_topic_paragraph_pasted_mid_article_is_dropped():
    body = long_english_article()
    doc = run_text("\n".join([*body[:20], FLASH_EN, *body[20:]]))
    assert "airline" not in doc.published_text
    assert doc.published_text.split("\n") == body
    assert "off_topic" in reasons(doc)


@pytest.mark.xfail(strict=False, reason="known limit: on this carrier the flash uses none of the topic terms, "
                                         "yet the one-sided test gives p=0.08 > alpha=0.05 (topic terms too few)")
def test_off_topic_flash_in_chinese_article_is_dropped_and_article_kept():
    body = long_chinese_article()
    doc = run_text("\n".join([*body[:20], FLASH_ZH, *body[20:]]))
    assert "比特币" not in doc.published_text
    assert len(doc.published_text.split("\n")) == len(body)


@pytest.mark.xfail(strict=False, reason="known limit: an 11-paragraph article repeats too few words for the "
                                         "topic test to reach significance on one inserted paragraph")
def test_off_topic_paragraph_in_a_short_article_is_dropped():
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], FLASH_EN, *BEEKEEPING_EN[5:]]))
    assert "airline" not in doc.published_text


def test_menu_before_and_related_links_after_the_article_are_dropped():
    menu = ["Home", "News", "Garden", "Shop", "Login", "Subscribe"]
    related = ["Related articles", "Ten houseplants that survive any office", "How to repot an orchid",
               "The best compost bins of the year", "Why your tomatoes split"]
    doc = run_text("\n".join([*menu, *BEEKEEPING_EN, *related]))
    assert doc.published_text.split("\n") == BEEKEEPING_EN


def test_dated_list_inside_the_article_goes_and_the_article_after_it_stays():
    """A box of headlines with dates between two parts of an article: the list (and its heading)
    is one interruption (it weighs as one boilerplate line), not the article's end."""
    box = ["Read next", "- Ten houseplants that survive any office 2024-03-11",
           "- How to repot an orchid 2024-04-02", "- The quiet comeback of the fern 2024-05-19",
           "- Why your basil keeps dying 2024-06-30"]
    doc = run_text("\n".join([*BEEKEEPING_EN[:-2], *box, *BEEKEEPING_EN[-2:]]))
    assert doc.published_text.split("\n") == BEEKEEPING_EN
    assert {r.reason for r in doc.removed} == {"related_list"}


def test_undated_list_inside_the_article_stays():
    steps = ["- Check the queen is laying", "- Add a super before the flow starts", "- Leave enough honey for winter"]
    body = [*BEEKEEPING_EN[:6], *steps, *BEEKEEPING_EN[6:]]
    doc = run_text("\n".join(body))
    assert doc.published_text.split("\n") == body


def test_injected_word_is_removed_but_its_real_use_stays():
    word = "zeppelin"
    body = long_english_article()
    body[0] = "The zeppelin moment of open source: " + body[0]  # a real use, in the headline
    rnd = random.Random(7)
    for k in (5, 12, 30):
        words = body[k].split(" ")
        for pos in sorted(rnd.sample(range(1, len(words)), 4), reverse=True):
            words.insert(pos, word)
        body[k] = " ".join(words)
    doc = run_text("\n".join(body))
    assert doc.published_text.count(word) == 1
    assert "injected_word" in reasons(doc)


def test_injected_chinese_word_is_removed_but_its_real_use_stays():
    word = "袋鼠"
    body = long_chinese_article()
    body[0] = "袋鼠與開源:" + body[0]
    for k in (5, 12, 30):
        text = body[k]
        for m in reversed([m.end() for m in re.finditer("[的,、]", text)][:4]):
            text = text[:m] + word + text[m:]
        body[k] = text
    doc = run_text("\n".join(body))
    assert doc.published_text.count(word) == 1, doc.published_text


@pytest.mark.xfail(strict=False, reason="known limit: in a short article the neighbours of random insertion "
                                         "points rarely meet elsewhere, so the closing-up evidence is missing")
def test_injected_word_in_a_short_article_is_removed():
    body = list(BEEKEEPING_EN)
    for k in (2, 4, 7):
        words = body[k].split(" ")
        for pos in (3, 9, 15, 21):
            words.insert(pos, "platypus")
        body[k] = " ".join(words)
    doc = run_text("\n".join(body))
    assert "platypus" not in doc.published_text


def test_traditional_chinese_is_published_simplified_and_labelled_zh():
    doc = run_text("\n".join(RAIL_ZH_HANT))
    assert doc.lang == "zh" and doc.source_script == "Hant" and doc.script == "Hans"
    assert "铁路" in doc.published_text and "鐵路" not in doc.published_text


def test_no_space_is_left_before_chinese_punctuation():
    doc = run_text("\n".join(p.replace(",", " ,").replace("。", " 。") for p in RAIL_ZH_HANT))
    assert " ," not in doc.published_text and " 。" not in doc.published_text


def test_page_of_nothing_but_spam_is_rejected():
    lines = []
    for k in range(12):
        lines.append(" | ".join(f"best online casino {k} bonus {j}" for j in range(8)))
        lines.append(f"WIN BIG at lucky-spin-{k}.example now: http://lucky-spin-{k}.example/register?ref={k}")
    doc = run_text("\n".join(lines))
    assert doc.reject_reason in {"mostly_spam", "too_short"}


def test_short_page_is_rejected_as_too_short():
    doc = run_text("Opening hours\nMonday to Friday, nine to five.")
    assert doc.reject_reason == "too_short"


def test_page_in_an_unwanted_language_is_rejected(settings):
    settings.languages = ["en"]
    doc = run_text("\n".join(RAIL_ZH_HANT), settings)
    assert doc.reject_reason == "language_zh"


def test_a_rule_switched_off_by_name_removes_nothing(settings):
    settings.clean.disabled_rules = ["off_topic"]
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], FLASH_EN, *BEEKEEPING_EN[5:]]), settings)
    assert "off_topic" not in reasons(doc)
