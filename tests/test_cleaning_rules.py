"""What each cleaning rule removes, and what it must leave alone.

The pages here are written for the tests; none of their noise strings, words
or topics occurs in the sample pages or in any rule.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tasks.clean.shape import PAGINATION
from tests.conftest import SPAM_SOURCE, run_text
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
    body[7] = body[7] + '<a style="position:absolute;top:-2000px" href="/x">casino bonus codes</a>'
    doc = run_text("\n".join(body))
    assert "pills" not in doc.published_text and "followers" not in doc.published_text
    assert "casino" not in doc.published_text
    assert "<span" not in doc.published_text and "style=" not in doc.published_text
    assert BEEKEEPING_EN[4] in doc.published_text


def test_repeated_headline_is_dropped_after_its_first_appearance():
    body = [BEEKEEPING_EN[0], *BEEKEEPING_EN[1:5], BEEKEEPING_EN[0], *BEEKEEPING_EN[5:], BEEKEEPING_EN[0]]
    doc = run_text("\n".join(body))
    assert doc.published_text.count(BEEKEEPING_EN[0]) == 1
    assert doc.published_text.startswith(BEEKEEPING_EN[0])


def test_repeated_lines_of_code_in_a_tutorial_stay():
    steps = ["items = ['a', 'b', 'c']", "items.sort!", "print(items[0])", "for x in items {", "}"]
    body = [*BEEKEEPING_EN[:3], *steps, *BEEKEEPING_EN[3:6], *steps, *BEEKEEPING_EN[6:], BEEKEEPING_EN[0]]
    doc = run_text("\n".join(body))
    for line in steps[:4]:
        assert doc.published_text.count(line) == 2
    assert doc.published_text.count(BEEKEEPING_EN[0]) == 1  # a repeated headline still goes


def test_a_list_announced_by_a_colon_keeps_the_article_before_it():
    items = ["Smoker", "Hive tool", "Veil and gloves", "Bee brush", "Queen excluder", "Feeder"]
    body = [*BEEKEEPING_EN[:3], "You will need:", *items, *BEEKEEPING_EN[3:]]
    doc = run_text("\n".join(body))
    assert not doc.removed
    for line in [*BEEKEEPING_EN[1:3], *items]:
        assert line in doc.published_text


def test_a_label_ending_with_a_colon_announces_no_list():
    # "Author:" and the metadata lines under it stay outside the article, as before.
    body = ["Author:", "Time: 2024/5/1 10:00", "Source: Example Wire", *BEEKEEPING_EN[1:]]
    doc = run_text("\n".join(body))
    assert "Author:" not in doc.published_text and "Example Wire" not in doc.published_text


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


def test_off_topic_paragraph_in_a_short_article_is_dropped():
    """An 11-paragraph article repeats too few words for the topic test to reach significance on one
    inserted paragraph; the pasted paragraph shares no word with the page while its neighbours go on."""
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], FLASH_EN, *BEEKEEPING_EN[5:]]))
    assert "airline" not in doc.published_text
    assert doc.published_text.split("\n") == BEEKEEPING_EN
    assert {r.rule for r in doc.removed} == {"isolated_paragraph"}


# A digression of the article's own (keeping warm on the roof) that shares no word with the paragraphs
# around it and one ("boxes") with the rest of the page.
DIGRESSION_EN = ("Frosty checks are brief: one carries a thermos of cocoa, wears fingerless mittens and leaves after "
                 "ten minutes, because opening a box below eight degrees chills the brood.")


def test_in_html_a_news_flash_sharing_no_word_with_the_page_is_dropped():
    """A source that runs every rule on HTML: the flash pasted between two paragraphs of a short article."""
    doc = run_text(html_page([*BEEKEEPING_EN[:5], FLASH_EN, *BEEKEEPING_EN[5:]]), SPAM_SOURCE, media="html")
    assert "airline" not in doc.published_text
    assert all(p in doc.published_text for p in BEEKEEPING_EN)
    assert {r.rule for r in doc.removed if "airline" in r.snippet} == {"isolated_paragraph"}


def test_in_html_a_digression_sharing_one_word_with_the_page_stays_unless_it_opens_with_a_label():
    """The page's markup made the paragraphs: a paragraph sharing no word with its neighbours is not enough
    there. It goes when it shares none with the page, or announces itself as an item of its own."""
    for digression, kept in ((DIGRESSION_EN, True), ("Reader note: " + DIGRESSION_EN, False)):
        page = html_page([*BEEKEEPING_EN[:9], digression, *BEEKEEPING_EN[9:]])
        doc = run_text(page, SPAM_SOURCE, media="html")
        assert (digression in doc.published_text) is kept, digression
        assert all(p in doc.published_text for p in BEEKEEPING_EN)


def test_a_list_item_is_never_taken_for_a_pasted_paragraph():
    item = "- " + FLASH_EN
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], item, *BEEKEEPING_EN[5:]]))
    assert "isolated_paragraph" not in {r.rule for r in doc.removed}


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
    settings.clean.disabled_rules = ["off_topic", "isolated_paragraph"]
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], FLASH_EN, *BEEKEEPING_EN[5:]]), settings)
    assert "off_topic" not in reasons(doc)


# --- HTML: trafilatura already chose the content block, so only evidence of chrome cuts ---------

def html_page(paragraphs: list[str], after: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    return (f"<html><head><title>{paragraphs[0]}</title></head><body><article><h1>{paragraphs[0]}</h1>"
            f"{body}{after}</article></body></html>")


def test_short_list_items_and_closing_line_inside_an_html_article_are_kept():
    kit = ["Veil and gloves", "A smoker and dry fuel", "A hive tool", "A spare super"]
    closing = "Calm hands."
    page = html_page([*BEEKEEPING_EN[:6], "What to bring to your first inspection:"],
                     after="<ul>" + "".join(f"<li>{k}</li>" for k in kit) + "</ul>"
                     + "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN[6:]) + f"<p>{closing}</p>")
    doc = run_text(page, SPAM_SOURCE, media="html")
    for line in [*kit, closing, *BEEKEEPING_EN[1:]]:
        assert line in doc.published_text


def test_dated_link_list_is_dropped_as_a_related_list():
    related = ["Related articles", "Ten houseplants that survive any office 2024-03-11",
               "How to repot an orchid 2024-04-02", "The best compost bins of the year 2024-05-19"]
    paragraphs = [*BEEKEEPING_EN[:8], *related, *BEEKEEPING_EN[8:]]
    for doc in (run_text("\n".join(paragraphs)), run_text(html_page(paragraphs), SPAM_SOURCE, media="html")):
        assert "orchid" not in doc.published_text and "Related articles" not in doc.published_text
        assert {r.rule for r in doc.removed if "orchid" in r.snippet} == {"related_list"}


def test_in_html_the_article_text_after_a_dropped_list_is_kept():
    """In plain text a related list is where the article ends; in HTML the extractor kept
    what follows it as main content, and body text is not cut without evidence."""
    related = ["Related articles", "Ten houseplants that survive any office 2024-03-11",
               "How to repot an orchid 2024-04-02", "The best compost bins of the year 2024-05-19"]
    doc = run_text(html_page([*BEEKEEPING_EN[:8], *related, *BEEKEEPING_EN[8:]]), SPAM_SOURCE, media="html")
    assert all(p in doc.published_text for p in BEEKEEPING_EN[8:])


def test_chinese_sentences_ending_in_full_width_marks_are_body_text():
    article = [p.replace(",", "\uff0c") for p in RAIL_ZH_HANT]  # full-width commas, as real pages print them
    article[-1] = article[-1].rstrip("。") + "\uff01"  # ！
    article[-2] = article[-2].rstrip("。") + "\uff1f"  # ？
    doc = run_text("\n".join(["首頁", "新聞", "財經", *article]))
    published = doc.published_text
    assert "如何把交通优势转化为发展优势" in published and "铁路网络的作用" in published
    assert "首页" not in published.split("\n")


def test_a_phone_number_is_not_pagination_but_a_row_of_page_numbers_is():
    assert PAGINATION.search("1 2 3 4 5 … 12")
    assert PAGINATION.search("« 1 | 2 | 3 »")
    assert not PAGINATION.search("+81 158-23-2012")


def test_a_line_with_both_an_email_and_a_phone_number_is_a_contact_block():
    imprint = "联系我们：新闻热线 010-6543 2100，投稿邮箱 desk@paper-example.cn，地址：某市中山路88号"
    doc = run_text("\n".join([*BEEKEEPING_EN, imprint]))
    assert "desk@" not in doc.published_text
    assert any(r.rule == "contact_block" for r in doc.removed)


def test_breadcrumb_trail_is_navigation_but_a_comparison_in_a_sentence_is_not():
    trail = "首頁 > 新聞中心 > 正文"
    doc = run_text("\n".join([trail, *RAIL_ZH_HANT, "If demand > supply, fares rise, and so do queues."]))
    assert "新闻中心" not in doc.published_text
    assert any(r.rule == "breadcrumb" for r in doc.removed)


def test_chinese_sentence_listing_items_with_enumeration_commas_is_not_a_keyword_block(settings):
    sentence = "省、自治區、直轄市、自治州、縣、自治縣、市、市轄區設立監察委員會。"
    # (pasted into an article on railways, the sentence shares no word with it: a pasted paragraph)
    settings.clean.disabled_rules = ["isolated_paragraph"]
    doc = run_text("\n".join([*RAIL_ZH_HANT[:6], sentence, *RAIL_ZH_HANT[6:]]), settings)
    assert "市辖区设立监察委员会" in doc.published_text


def test_long_footer_with_copyright_and_a_registration_number_is_dropped():
    footer = ("版權所有 © 2019 某某醫院 地址：某市某區人民路一百二十三號 郵編 123456 電話：0731-8888 6666 "
              "傳真：0731-8888 7777 電子郵箱：office@hospital-example.cn 京ICP備12345678號 技術支持：某某網絡 "
              "主辦單位：某某市衛生健康委員會 承辦單位：某某醫院信息中心 建議使用一千二百八十乘以八百分辨率瀏覽本站")
    doc = run_text(html_page([*RAIL_ZH_HANT, footer]), SPAM_SOURCE, media="html")
    assert "12345678" not in doc.published_text and "office@" not in doc.published_text


def test_paragraphs_in_a_script_no_published_language_uses_are_dropped():
    cyrillic = "Лучшие ставки на спорт и бонусы для новых игроков только сегодня, переходите по ссылке."
    doc = run_text("\n".join([*BEEKEEPING_EN[:5], cyrillic, *BEEKEEPING_EN[5:]]))
    assert "ставки" not in doc.published_text
    assert doc.published_text.split("\n") == BEEKEEPING_EN
    assert {r.reason for r in doc.removed if "ставки" in r.snippet} == {"foreign_language"}


def test_on_html_only_the_rules_named_in_html_rules_run_by_default():
    """trafilatura has chosen the content of an HTML page by its markup; the rules written for scraped
    text cut more content than noise in what it keeps on real pages, so by default they stay off there."""
    related = ["Related articles", "Ten houseplants that survive any office 2024-03-11",
               "How to repot an orchid 2024-04-02", "The best compost bins of the year 2024-05-19"]
    page = html_page([*BEEKEEPING_EN[:8], *related, *BEEKEEPING_EN[8:]])
    doc = run_text(page, media="html")
    assert "orchid" in doc.published_text
    assert next(s for s in doc.steps if s["name"] == "clean")["parameters"]["rules"] == ["foreign_script"]
    assert "orchid" not in run_text(page, SPAM_SOURCE, media="html").published_text


def test_on_a_chinese_html_page_the_rules_named_for_chinese_run_too():
    """On real Chinese pages the dated lists of other articles and the breadcrumbs trafilatura keeps are
    cut precisely (`clean.html_rules_by_language`, bench/zh-real); an English page keeps the same shapes."""
    body = [RAIL_ZH_HANT[0], "现在位置：首页 > 新闻 > 正文", *RAIL_ZH_HANT[1:8], "相关新闻",
            "城市公交线路调整方案公布 2024-03-11", "新建高铁站周边道路即将通车 2024-04-02",
            "市民乘车出行指南更新 2024-05-19", *RAIL_ZH_HANT[8:]]
    doc = run_text(html_page(body), media="html")
    assert doc.lang == "zh"
    assert next(s for s in doc.steps if s["name"] == "clean")["parameters"]["rules"] == [
        "related_list", "boilerplate_shape", "foreign_script", "main_region"]
    assert {r.rule for r in doc.removed} >= {"related_list", "breadcrumb"}
    assert "公交线路" not in doc.published_text and "现在位置" not in doc.published_text
    assert "虹吸效应" in doc.published_text  # the article's own paragraphs stay
    english = run_text(html_page([*BEEKEEPING_EN[:8], "Home > News > Gardening", *BEEKEEPING_EN[8:]]), media="html")
    assert "Home > News" in english.published_text


def _hidden_page(body: str) -> str:
    return f"<html><head><title>Bees</title></head><body><article>{body}</article></body></html>"


def test_hidden_html_elements_stay_by_default_and_go_where_html_rules_name_hidden_element():
    """A tab, an accordion or an FAQ answer that a script reveals is hidden markup too; on real pages
    dropping hidden elements cost more content than spam, so sources of spam-farm pages opt in."""
    paragraphs = [f"<p>{p}</p>" for p in BEEKEEPING_EN]
    page = _hidden_page("".join(paragraphs[:5]) + "<p hidden>Buy cheap pills online now at our pharmacy shop</p>"
                        + "".join(paragraphs[5:]))
    assert "cheap pills" in run_text(page, media="html").published_text
    spam_farm = run_text(page, SPAM_SOURCE, media="html")
    assert "cheap pills" not in spam_farm.published_text
    assert [r.rule for r in spam_farm.removed if "pills" in r.snippet] == ["hidden_element"]


def test_a_hidden_element_holding_most_of_the_page_is_content_a_script_reveals():
    paragraphs = "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN)
    doc = run_text(_hidden_page(f"<div hidden>{paragraphs}</div><p hidden>Buy cheap pills online now at our shop</p>"),
                   SPAM_SOURCE, media="html")
    assert all(p in doc.published_text for p in BEEKEEPING_EN[2:])
    assert "cheap pills" not in doc.published_text
