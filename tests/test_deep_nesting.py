"""Pages whose unclosed tags nest deeper than the HTML parser's limit keep their text.

libxml2 stops nesting elements at depth 256 and drops everything below: 300 paragraphs of
`<p><font>` without closers (each paragraph nested in the last) were published with 126 of
300. sieve parses with XML_PARSE_HUGE (limit 2048); a page deeper still is parsed again without
its inline tags; and what even that cannot keep is said in the extract step (`nesting`).
"""

from __future__ import annotations

import json
from pathlib import Path

from config import Settings
from tests.conftest import run_text

GOLD = json.loads((Path(__file__).parent / "fixtures/html/gold.json").read_text(encoding="utf-8"))
ARTICLE = GOLD["en_night_bus.html"]["paragraphs"]


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Night buses</title></head><body>{body}</body></html>"


def extract_step(doc) -> dict:
    return next(step for step in doc.steps if step["name"] == "extract")


def test_300_paragraphs_of_unclosed_font_tags_are_all_published():
    paragraphs = [f"Paragraph {i}: the river town rebuilt its stone bridge after the flood." for i in range(300)]
    doc = run_text(page("".join(f"<p><font>{p}" for p in paragraphs)), media="html")
    assert doc.reject_reason is None
    assert all(f"Paragraph {i}:" in doc.published_text for i in range(300))
    assert "nesting" not in extract_step(doc)["parameters"]  # within the raised limit: nothing given up


def test_a_page_nested_deeper_than_the_raised_limit_is_parsed_again_without_its_inline_tags():
    """Eight paragraphs, each inside 300 unclosed <span>s: 2,400 levels."""
    doc = run_text(page("".join("<p>" + "<span>" * 300 + p for p in ARTICLE)), media="html")
    assert doc.reject_reason is None
    assert all(p in doc.published_text for p in ARTICLE)
    assert extract_step(doc)["parameters"]["nesting"] == "too deep for the parser: parsed without its inline tags"


def test_what_the_parser_cannot_nest_even_without_inline_tags_is_recorded_as_lost():
    """trafilatura (its jusText fallback) takes about 4 CPU-s on 2,048 nested levels, near the default budget
    of 5 (limits.document_cpu_seconds; over it the document is rejected `timeout`, tests/test_budget.py):
    this page gets a larger one, as what is checked here is the record of the text lost."""
    paragraphs = [f"Paragraph {i}: the river town rebuilt its stone bridge after the flood." for i in range(2100)]
    doc = run_text(page("".join(f"<div>{p}" for p in paragraphs)), Settings(limits={"document_cpu_seconds": 60}),
                   media="html")
    nesting = extract_step(doc)["parameters"]["nesting"]
    assert nesting.startswith("too deep for the parser even without its inline tags, the text below it lost: ")
    assert "Excessive depth" in nesting
    kept = [i for i in range(2100) if f"Paragraph {i}:" in doc.published_text]
    assert kept == list(range(2046))  # the page's <html> and <body> take the two levels left
