"""Pages libxml2 nests otherwise than a browser are parsed again as the HTML standard says.

libxml2 ignores `</aside>` (or `</header>`, `</nav>`, ...) while an element opened inside it is
still open; the rest of the page then lands in the `aside`, and trafilatura drops it as chrome.
A browser closes both at `</aside>`, and so does sieve, by parsing such a page again with html5lib.
"""

from __future__ import annotations

import trafilatura

from config import Settings
from tasks.stages.parse import parse_html
from tasks.tools.evaluate_html import prf, words
from tests.conftest import real_page, run_text
from tests.fixtures.articles import BEEKEEPING_EN

# A newsletter pop-up whose inner `div` is never closed, before the article.
POPUP_LEFT_OPEN = ('<aside class="popup"><div class="popup-inner"><h2>Newsletter</h2>'
                   '<div class="close">No thanks</div></aside>')


def _page(before_article: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN[1:])
    return (f"<html><head><title>{BEEKEEPING_EN[0]}</title></head><body>{before_article}"
            f"<article><h1>{BEEKEEPING_EN[0]}</h1>{body}</article></body></html>")


def _extract_parameters(doc) -> dict:
    return next(s for s in doc.steps if s["name"] == "extract")["parameters"]


def test_an_article_after_a_popup_left_open_is_published_and_the_reparse_recorded():
    doc = run_text(_page(POPUP_LEFT_OPEN), media="html")
    assert doc.reject_reason is None
    assert all(p in doc.published_text for p in BEEKEEPING_EN[1:])
    assert "No thanks" not in doc.published_text
    assert _extract_parameters(doc)["misnested"] == (
        "parsed again by html5lib: Opening and ending tag mismatch: aside and div")


def test_without_the_reparse_libxml2_nests_the_article_in_the_popup():
    tree, _, misnested = parse_html(_page(POPUP_LEFT_OPEN), standard=False)
    assert misnested is None
    assert tree.xpath("//aside//article")
    doc = run_text(_page(POPUP_LEFT_OPEN), Settings(extract={"reparse_misnested": False}), media="html")
    assert BEEKEEPING_EN[5] not in doc.published_text


def test_the_standard_tree_closes_the_popup_where_it_ends():
    tree, _, misnested = parse_html(_page(POPUP_LEFT_OPEN))
    assert misnested.startswith("parsed again by html5lib")
    assert not tree.xpath("//aside//article") and tree.xpath("/html/body/article")


def test_a_page_libxml2_nests_as_a_browser_does_is_parsed_once():
    doc = run_text(_page('<aside class="popup"><div>Newsletter</div></aside>'), media="html")
    assert "misnested" not in _extract_parameters(doc)
    assert all(p in doc.published_text for p in BEEKEEPING_EN[1:])


def test_control_characters_do_not_keep_a_page_from_its_standard_tree():
    """lxml's tree builder refuses control characters, which a browser does not show anyway."""
    tree, _, misnested = parse_html(_page(POPUP_LEFT_OPEN).replace("No thanks", "No\x0bthanks"))
    assert misnested.startswith("parsed again by html5lib")
    assert tree.xpath("/html/body/article")


def test_a_page_too_large_for_html5lib_keeps_libxml2s_tree_and_says_so(monkeypatch):
    monkeypatch.setattr("tasks.stages.parse.MAX_REPARSE_CHARS", 1000)
    doc = run_text(_page(POPUP_LEFT_OPEN), media="html")
    assert _extract_parameters(doc)["misnested"].startswith("libxml2's tree kept, the page is over 1,000 characters")


def test_a_real_article_libxml2_nested_in_a_popup_is_published():
    """4111: a newsletter pop-up's `div` left open before `</aside>`; trafilatura alone publishes nothing."""
    raw, gold = real_page("4111")
    assert not (trafilatura.extract(raw) or "").strip()
    doc = run_text(raw.decode("utf-8"), media="html")
    assert prf(words(doc.published_text), words(gold))[2] > 0.9
    assert _extract_parameters(doc)["misnested"].startswith("parsed again by html5lib")


def _page_after_a_closed_header(article: str) -> str:
    """A site whose header template is a whole document: it closes `</body></html>`, and the page goes on."""
    return ("<html><head><title>Rooftop hives</title></head><body><div class='header'><a href='/'>Home</a>"
            f"<a href='/news'>News</a></div></body></html><div class='content'>{article}</div>")


def test_an_article_after_the_header_templates_closing_html_is_published():
    """libxml2 hangs what follows `</html>` outside the document's root, where trafilatura does not look;
    a browser reads on in the body, and so does sieve."""
    article = "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN[1:])
    tree, _, _ = parse_html(_page_after_a_closed_header(article), standard=False)
    assert BEEKEEPING_EN[1] not in tree.find("body").text_content()
    doc = run_text(_page_after_a_closed_header(article), media="html")
    assert all(p in doc.published_text for p in BEEKEEPING_EN[1:])
    assert _extract_parameters(doc)["misnested"].endswith("characters of text after the end of the body")


def test_a_stray_word_after_the_body_is_not_worth_a_second_parse():
    doc = run_text(_page("") + "<p>x</p>", media="html")
    assert "misnested" not in _extract_parameters(doc)
