"""Where a page declares its main content (`<main>`, role="main") and trafilatura's text is a small
part of it (one card of a listing, one section of a service page), the declared region's text is
published instead, without the navigation, banners, forms and menus nested in it
(`extract.landmark_max_coverage`, tasks/stages/landmark.py)."""

from __future__ import annotations

import lxml.html
import pytest
import trafilatura

from config import ExtractSettings, Settings
from tasks.record import Document, Source
from tasks.stages.document import process_document
from tasks.stages.extract import MAIN_REGION_NOTES, html_paragraphs, text_paragraphs
from tasks.stages.landmark import covered_share, fragment_of_landmark, main_landmark_lines, region_lines
from tasks.tools.evaluate_html import prf, words
from tests.conftest import real_page


def lines_of(body: str) -> list[str]:
    return main_landmark_lines(lxml.html.fromstring(f"<html><body>{body}</body></html>"))


def test_the_region_is_read_as_lines_without_its_navigation_banners_forms_and_menus():
    lines = lines_of(
        "<nav>Home | Shop</nav>"
        "<main><header>Site banner</header><h1>Trail shoes</h1>"
        "<nav aria-label='breadcrumb'>Home / Shoes</nav>"
        "<form><input name=q><button>Search</button></form>"
        "<div role='menu'><a role='menuitemradio'>Sort by price</a></div>"
        "<p>Shoes for <b>rough</b> ground, <a href='/x'>see all</a>.</p>"
        "<ul><li>Speedgoat 6<br>$155</li><li>Peregrine 15</li></ul>"
        "<aside>Newsletter sign-up</aside><footer>Site footer</footer></main>"
        "<footer>Copyright</footer>")
    assert lines == ["Trail shoes", "Shoes for rough ground, see all.", "Speedgoat 6", "$155", "Peregrine 15"]


def test_table_cells_stay_on_their_rows_line():
    assert lines_of("<main><table><tr><th>Size</th><th>Price</th></tr><tr><td>9</td><td>$10</td></tr></table>"
                    "</main>") == ["Size Price", "9 $10"]


def test_hidden_subtrees_and_scripts_are_not_read():
    assert lines_of("<main><p>Shown</p><div hidden>Not shown</div><p aria-hidden='true'>Icon</p>"
                    "<script>var x = 1;</script></main>") == ["Shown"]


def test_without_a_declared_main_region_there_is_none():
    assert lines_of("<div id='page'><p>Text</p></div><div id='contents'><p>Text</p></div>") == []


@pytest.mark.parametrize("declaration", ["id='content'", "id='main'", "id='Main-Content'", "id='main_content'"])
def test_an_older_page_declares_its_main_content_by_the_id_it_gives_it(declaration: str):
    assert lines_of(f"<div id='top'>Menu</div><div {declaration}><p>Text</p></div>") == ["Text"]


def test_the_parent_of_three_or_more_articles_is_a_declared_region():
    posts = "".join(f"<article><p>Post {i}</p></article>" for i in range(3))
    assert lines_of(f"<div id='top'>Menu</div><div class='thread'>{posts}</div>") == ["Post 0", "Post 1", "Post 2"]
    assert lines_of("<div><article><p>Post 0</p></article><article><p>Post 1</p></article></div>") == []


def test_a_main_element_is_preferred_to_a_conventional_id():
    assert lines_of("<div id='content'><main><p>Declared</p></main><p>Around it</p></div>") == ["Declared"]


def test_the_declared_region_with_the_most_text_is_taken():
    assert lines_of("<div role='main'><p>Short</p></div><main><p>The longer region</p><p>of the two</p></main>") \
        == ["The longer region", "of the two"]


def test_comment_sections_are_left_out_when_asked():
    region = lxml.html.fromstring("<main><p>The post</p><section class='comments'><p>A reply</p></section></main>")
    assert region_lines(region) == ["The post", "A reply"]
    assert region_lines(region, comments=False) == ["The post"]


def test_coverage_counts_words_and_han_bigrams_with_their_copies():
    region = ["red shoes red boots", "blue hats"]
    assert covered_share("red shoes", region) == pytest.approx(2 / 6)
    assert covered_share("red shoes red boots blue hats and more", region) == 1.0
    assert covered_share("城市地铁", ["城市地铁新线路今天开通"]) == pytest.approx(3 / 10)


def test_a_fragment_can_be_asked_to_hold_a_share_of_the_region_at_least():
    region = [" ".join(f"word{i}" for i in range(100))]
    tenth, third = " ".join(f"word{i}" for i in range(10)), " ".join(f"word{i}" for i in range(34))
    assert fragment_of_landmark(tenth, region, max_coverage=0.5, min_words=50)
    assert not fragment_of_landmark(tenth, region, max_coverage=0.5, min_words=50, min_coverage=0.3)
    assert fragment_of_landmark(third, region, max_coverage=0.5, min_words=50, min_coverage=0.3)


def test_a_fragment_needs_a_region_of_enough_words_and_more_than_the_text():
    region = [f"card {i} describes a product in a few words" for i in range(10)]  # 70 tokens
    assert fragment_of_landmark(region[0], region, max_coverage=0.4, min_words=50)
    assert not fragment_of_landmark("\n".join(region[:5]), region, max_coverage=0.4, min_words=50)
    assert not fragment_of_landmark(region[0], region, max_coverage=0.4, min_words=100)
    longer = " ".join(["other words from elsewhere on the page"] * 20)
    assert not fragment_of_landmark(longer, region, max_coverage=0.4, min_words=50)


def test_an_article_in_main_keeps_trafilaturas_text():
    paragraphs = "".join(f"<p>Paragraph {i} of the article tells how the river flooded the old town and what the"
                         " people there did to rebuild their homes afterwards.</p>" for i in range(8))
    html = (f"<html><body><main><article><h1>The flood</h1>{paragraphs}</article>"
            "<section><h2>Related</h2><a href='/a'>Another story</a></section></main></body></html>")
    found = html_paragraphs(html, ExtractSettings())
    assert not found.landmark
    assert "Another story" not in found.paragraphs


SIDEBAR = "".join(f"<li><a href='/s/{i}'>Another story about the weather in town number {i}</a></li>"
                  for i in range(60))


def test_an_article_without_main_is_not_read_whole_for_its_sidebar():
    """An article's sidebar of links, longer than the article, stays out: the body holds beyond the
    article little but links, and the article holds under BODY_MIN_COVERAGE of the body."""
    paragraphs = "".join(f"<p>Paragraph {i} of the article tells how the river flooded the old town and what the"
                         " people there did to rebuild their homes afterwards, street by street.</p>"
                         for i in range(9))
    html = (f"<html><body><div id='page'><div class='story'><h1>The flood</h1>{paragraphs}</div>"
            f"<div class='sidebar'><ul>{SIDEBAR}</ul></div></div></body></html>")
    found = html_paragraphs(html, ExtractSettings())
    assert found.landmark is None
    assert not any("Another story" in p for p in found.paragraphs)


POSTS = ["请问大家阳台种菜用什么土比较好？我家阳台朝南，想种点小葱和生菜。",
         "建议用泥炭加椰糠，再拌一点腐熟的有机肥，排水好，不容易烂根。",
         "我用的是普通园土，结果板结得很厉害，后来换成营养土才好。",
         "朝南的阳台光照足，番茄也可以试试，注意夏天要早晚浇水。",
         "蚜虫多的话可以用稀释的肥皂水喷，比农药安全。",
         "小葱最好种，剪了还会再长，很适合新手。"]


def test_a_thread_laid_out_in_tables_keeps_trafilaturas_text_beside_a_menu_and_a_sidebar_of_links():
    """An older forum's thread: no main content declared, the posts in tables, a menu and a sidebar of other
    threads longer than the posts. What the body holds beyond trafilatura's text is nearly all links: that
    is the page's chrome, and trafilatura's text (every post) was the content."""
    menu = "".join(f"<a href='/f{i}'>版块{i}</a> " for i in range(30))
    sidebar = "".join(f"<li><a href='/t{i}'>热门帖子标题第{i}篇关于城市生活的讨论</a></li>" for i in range(25))
    rows = "".join(f"<table id='pid{i}'><tr><td><a href='/u{i}'>用户{i}</a><p>积分 {i * 37}</p></td>"
                   f"<td><div>发表于 2009-3-{i + 1} 10:2{i}</div><div id='post{i}'>{post}</div></td></tr></table>"
                   for i, post in enumerate(POSTS))
    html = (f"<html><head><title>阳台种菜用什么土</title></head><body><div id='hd'>{menu}</div>"
            f"<div id='wp'><div id='postlist'>{rows}</div><div class='sd'><ul>{sidebar}</ul></div></div>"
            "<div id='ft'>版权所有</div></body></html>")
    found = html_paragraphs(html, ExtractSettings())
    text = "\n".join(found.paragraphs)
    assert found.landmark is None
    assert all(post in text for post in POSTS)
    assert "热门帖子" not in text and "版块1" not in text


BRIEF = ("本报讯，市交通局昨日公布了新一轮公交线路调整方案，涉及城区十二条线路，其中三条线路将延伸至新建的高铁站，"
         "另有两条线路因客流不足而合并运营。方案自下月一日起实施，调整期间各站点将张贴告示，并安排工作人员现场引导乘客。"
         "交通局有关负责人表示，此次调整参考了近一年的刷卡数据和市民来信，今后还将根据客流变化继续优化线路，"
         "市民可通过官方网站和服务热线提出意见和建议。")


def test_a_short_article_in_a_portal_is_not_read_from_the_body():
    """A news brief of one paragraph (under an article's length, but a paragraph of PROSE_WORDS) on a
    portal that declares no main content: the body's menus and other briefs' teasers (a linked title,
    an excerpt, a date) are the portal's, and trafilatura's text, the brief, stays as it is."""
    menu = "".join(f"<li><a href='/c{i}'>频道{i}</a></li>" for i in range(20))
    teasers = "".join(f"<div class='item'><a href='/n{i}'>第{i}条推荐新闻的标题关于本市经济</a>"
                      f"<div>这是第{i}条推荐新闻的摘要，介绍了本市在产业发展和城市建设方面的最新进展。</div>"
                      f"<span>2019-09-2{i} 07:42</span></div>" for i in range(6))
    html = (f"<html><head><title>公交线路调整</title></head><body><div id='top'><ul>{menu}</ul></div>"
            f"<div class='wrap'><h1>公交线路调整方案公布</h1><div class='txt'><p>{BRIEF}</p></div></div>"
            f"<div class='recommend'><h3>为你推荐</h3>{teasers}</div><div id='foot'>版权所有</div></body></html>")
    found = html_paragraphs(html, ExtractSettings())
    text = "\n".join(found.paragraphs)
    assert found.landmark is None
    assert BRIEF in text and "推荐新闻" not in text and "频道1" not in text


def test_a_short_text_beside_a_declared_region_is_not_read_from_the_body():
    """Where the page declares its main content, that region is the only one considered: trafilatura's
    text stays as it is."""
    html = (f"<html><body><main><p>A short note on opening hours: we open at nine on weekdays.</p></main>"
            f"<div class='sidebar'><ul>{SIDEBAR}</ul></div></body></html>")
    found = html_paragraphs(html, ExtractSettings())
    assert found.landmark is None
    assert found.paragraphs == html_paragraphs(html, ExtractSettings(landmark_max_coverage=0)).paragraphs


@pytest.mark.parametrize(("name", "region"), [("4069", "declared"), ("0258", "declared"), ("0709", "body"),
                                              ("0274", "body"), ("4474", "body")])
def test_on_real_pages_where_trafilatura_keeps_one_part_the_whole_region_is_published(name: str, region: str):
    """4069 and 0258 declare their main content; 0709 (a firm's list of its services) and 0274 (a page of
    coupons) do not, and trafilatura keeps one block of them: their body is read whole. So is 4474's (a
    software firm's home page of many sections), where trafilatura keeps an article's length of it, two
    fifths: the page does not say it is an article."""
    raw, gold = real_page(name)
    doc = process_document(Document(source=Source(uri=f"file:///{name}.html", kind="file", retrieved_at="",
                                                   sha256=""), media="html", raw=raw), Settings())
    alone_f1 = prf(words(trafilatura.extract(raw) or ""), words(gold))[2]
    ours_f1 = prf(words(doc.published_text), words(gold))[2]
    extract_step = next(step for step in doc.steps if step["name"] == "extract")
    assert extract_step["parameters"]["main_region"] == MAIN_REGION_NOTES[region]
    assert ours_f1 > alone_f1 + 0.15, (ours_f1, alone_f1)


def test_the_region_can_be_switched_off():
    raw, _ = real_page("4069")
    doc = process_document(Document(source=Source(uri="file:///4069.html", kind="file", retrieved_at="",
                                                  sha256=""), media="html", raw=raw),
                           Settings(extract={"landmark_max_coverage": 0}))
    assert "main_region" not in next(s for s in doc.steps if s["name"] == "extract")["parameters"]


def test_a_page_that_declares_itself_an_article_is_not_read_from_the_body_under_a_long_text():
    """The same home page (4474), declaring itself an article: trafilatura's text, an article's length,
    stays as it is (what else the body holds is then other pages' content), with the headings it left out
    (tasks/stages/headings.py)."""
    raw, _ = real_page("4474")
    html = raw.decode().replace("<head>", '<head><meta property="og:type" content="article">', 1)
    found = html_paragraphs(html, ExtractSettings())
    assert found.landmark is None
    alone = text_paragraphs(trafilatura.extract(html, deduplicate=False, include_tables=True))
    assert [p for p in found.paragraphs if p not in found.headings] == alone
