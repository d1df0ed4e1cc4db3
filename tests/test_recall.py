"""A declared article whose text trafilatura cut short is read again with `favor_recall`.

trafilatura's default favours precision and prunes sections of some articles. On a page that says it
is an article or a post (not a discussion), a text of an article's length (200 to 1,200 words) is read
again with `favor_recall`; that text is published where it holds the default text's words and more.
"""

from __future__ import annotations

import trafilatura

from config import Settings
from tasks.record import Document
from tasks.tools.evaluate_html import prf, words
from tests.conftest import real_page, run_html


def extract_parameters(doc: Document) -> dict:
    return next(s for s in doc.steps if s["name"] == "extract")["parameters"]


def test_a_declared_article_cut_short_is_published_with_its_pruned_sections_and_says_so():
    """4519, a policy brief with `og:type` article: trafilatura alone keeps its first sections."""
    raw, gold = real_page("4519")
    alone = trafilatura.extract(raw) or ""
    doc = run_html(raw)
    assert prf(words(alone), words(gold))[1] < 0.7  # recall of trafilatura's default text
    assert prf(words(doc.published_text), words(gold))[2] > 0.95
    assert all(line in doc.published_text for line in alone.split("\n") if line.strip())
    assert extract_parameters(doc)["recall"].startswith("trafilatura's favor_recall text")


def test_reading_articles_again_can_be_switched_off():
    raw, gold = real_page("4519")
    doc = run_html(raw, Settings(extract={"recall_on_articles": False}))
    assert "recall" not in extract_parameters(doc)
    assert prf(words(doc.published_text), words(gold))[1] < 0.7


def test_a_page_that_does_not_declare_an_article_is_read_once():
    raw, _ = real_page("4519")
    undeclared = raw.replace(b'property="og:type" content="article"', b'property="og:type" content="website"')
    assert "recall" not in extract_parameters(run_html(undeclared))
