"""A page's metadata comes from its declared markup (tasks/stages/metadata.py): the headline without the
site's name, the declared author and site, the date htmldate finds in the markup, the canonical host.
`extract.metadata: trafilatura` asks trafilatura's own metadata extraction instead."""

from __future__ import annotations

import lxml.html
import pytest
import trafilatura

from config import ExtractSettings
from tasks.stages.extract import DATE_PARAMS, METADATA_FIELDS, html_paragraphs
from tasks.stages.metadata import declares_discussion, declares_post, declares_product, page_metadata

BODY = "<p>" + "The council approved the new budget for the river bridge after a long debate. " * 6 + "</p>"


def page(head: str = "", body: str = BODY) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_title_is_the_headline_without_the_sites_name():
    tree = page("<title>Bridge budget approved | City Times</title>",
                "<h1>Bridge budget approved</h1>" + BODY)
    assert page_metadata(tree).title == "Bridge budget approved"
    declared = page('<meta property="og:title" content="Bridge budget approved - City Times">'
                    '<meta property="og:site_name" content="City Times">')
    assert page_metadata(declared).title == "Bridge budget approved"


def test_a_declared_title_without_the_sites_name_is_kept_whole():
    tree = page('<meta property="og:title" content="Rivers - a history | part two">')
    assert page_metadata(tree).title == "Rivers - a history | part two"


def test_without_a_title_element_the_first_heading_is_the_title():
    assert page_metadata(page("", "<h1>Council <br>votes</h1>" + BODY)).title == "Council votes"
    assert page_metadata(page()).title is None


def test_author_and_site_from_meta_tags_or_json_ld():
    meta = page('<meta name="author" content="Ana  Ruiz"><meta property="og:site_name" content="City Times">')
    assert (page_metadata(meta).author, page_metadata(meta).sitename) == ("Ana Ruiz", "City Times")
    ld = page('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
              '"author": [{"@type": "Person", "name": "李晓梅"}], "publisher": {"name": "City Times"}}]}</script>')
    assert (page_metadata(ld).author, page_metadata(ld).sitename) == ("李晓梅", "City Times")


def test_an_author_that_is_a_link_or_an_address_is_not_a_name():
    tree = page('<meta name="author" content="https://example.org/staff/ana">'
                '<meta name="article:author" content="ana@example.org">')
    assert page_metadata(tree).author is None


def test_broken_structured_data_is_skipped():
    tree = page('<script type="application/ld+json">{"author": {"name": </script>'
                '<script type="application/ld+json">[1, "x", {"author": "plain string"}]</script>')
    assert page_metadata(tree).author is None


def test_date_from_the_markup_only_not_from_a_footer_year():
    dated = page('<meta property="article:published_time" content="2024-03-05T10:00:00Z">')
    assert page_metadata(dated).date == "2024-03-05"
    footer = page("", BODY + "<footer>© 2023 City Times</footer>")
    assert page_metadata(footer).date is None


def test_host_from_the_canonical_link_else_the_url():
    tree = page('<link rel="canonical" href="https://www.citytimes.example/news/bridge">')
    assert page_metadata(tree, "http://mirror.example/page").hostname == "citytimes.example"
    assert page_metadata(page(), "http://mirror.example/page").hostname == "mirror.example"
    assert page_metadata(page()).hostname is None


def test_reading_the_metadata_leaves_the_tree_as_it_was():
    tree = page('<meta name="date" content="2024-03-05">', "<h1>Title</h1>" + BODY + "<footer>f</footer>")
    before = lxml.html.tostring(tree)
    page_metadata(tree)
    assert lxml.html.tostring(tree) == before


def test_extraction_takes_the_markups_metadata_by_default():
    html = ('<html><head><title>Bridge budget approved | City Times</title>'
            '<meta name="author" content="Ana Ruiz"><meta name="date" content="2024-03-05"></head>'
            f'<body><article><h1>Bridge budget approved</h1>{BODY}</article></body></html>')
    found = html_paragraphs(html, ExtractSettings())
    assert found.title == "Bridge budget approved"
    assert found.metadata == {"author": "Ana Ruiz", "date": "2024-03-05"}


def test_extraction_can_take_trafilaturas_metadata_instead():
    html = ('<html><head><title>Bridge budget approved | City Times</title>'
            '<meta name="author" content="Ana Ruiz"><meta name="date" content="2024-03-05"></head>'
            f'<body><article><h1>Bridge budget approved</h1>{BODY}</article></body></html>')
    found = html_paragraphs(html, ExtractSettings(metadata="trafilatura"))
    theirs = trafilatura.extract_metadata(lxml.html.fromstring(html), date_config=DATE_PARAMS)
    assert found.title == theirs.title
    assert found.metadata == {k: str(v) for k in METADATA_FIELDS if (v := getattr(theirs, k))}


def test_author_from_a_byline_marked_up_as_one():
    tree = page("", '<p class="byline">By <a rel="author" href="/staff/ana">Ana Ruiz</a></p>' + BODY)
    assert page_metadata(tree).author == "Ana Ruiz"
    micro = page("", '<span itemprop="author" itemscope><span itemprop="name">Li  Wei</span></span>' + BODY)
    assert page_metadata(micro).author == "Li Wei"


@pytest.mark.parametrize(("head", "body", "post", "product"), [
    ('<meta property="og:type" content="article">', BODY, True, False),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle"}</script>', BODY,
     True, False),
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": "BlogPosting"}]}</script>', BODY,
     True, False),
    ("", f'<div itemscope itemtype="https://schema.org/DiscussionForumPosting">{BODY}</div>', True, False),
    ('<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>', BODY, True, False),
    ('<script type="application/ld+json">{"@type": "Product", "name": "Kettle"}</script>', BODY, False, True),
    ('<meta property="og:type" content="website">', BODY, False, False),
    ('<script type="application/ld+json">{"@type": "WebPage"}</script>', BODY, False, False),
])
def test_a_page_says_whether_it_is_one_piece_of_writing_or_a_product(head: str, body: str, post: bool,
                                                                      product: bool):
    """An article, a blog or forum post, a question (schema.org, Open Graph): its body beside the text is
    other pages' content; a product's comments are reviews (tasks/stages/extract.py)."""
    tree = page(head, body)
    assert (declares_post(tree), declares_product(tree)) == (post, product)


@pytest.mark.parametrize(("head", "body", "discussion"), [
    ('<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>', BODY, True),
    ('<script type="application/ld+json">{"@type": "QAPage", "mainEntity": {"@type": "Question"}}</script>', BODY,
     True),
    ("", f'<div itemscope itemtype="https://schema.org/DiscussionForumPosting">{BODY}</div>', True),
    ('<script type="application/ld+json">{"@type": "FAQPage"}</script>', BODY, False),
    ('<script type="application/ld+json">{"@type": "BlogPosting"}</script>', BODY, False),
])
def test_a_page_says_whether_it_is_a_discussion(head: str, body: str, discussion: bool):
    """A forum thread or a question with its answers (schema.org): its replies are its content; an FAQ's
    questions and a blog post are not discussions."""
    assert declares_discussion(page(head, body)) is discussion
