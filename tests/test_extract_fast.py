"""The shortcuts in HTML extraction change no output: trafilatura's readability/justext
fallback is skipped only when it cannot win (tasks/stages/extract_fallback.py), the lean
metadata equals trafilatura's for the fields sieve publishes (tasks/stages/html_meta.py), and
hidden elements found from the hiding declarations are those a full parse finds.

Checked on the HTML test set, pages of the benchmark corpus and small pages built to
sit on each side of the shortcut's conditions.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import lxml.html
import pytest
import trafilatura
import trafilatura.core
from lxml.etree import Element, SubElement
from trafilatura.external import compare_extraction, try_readability
from trafilatura.metadata import extract_metadata
from trafilatura.utils import trim

from config import ExtractSettings
from tasks.stages import extract_fallback
from tasks.stages.extract import (
    _CSS_RULE,
    _HIDDEN_STYLE,
    _SHOWN_AT_BREAKPOINT,
    _SIMPLE_SELECTOR,
    CONVENTIONAL_HIDDEN_CLASSES,
    _extractor,
    _hiding_rules,
    _unconditional,
    drop_hidden_elements,
    html_paragraphs,
)
from tasks.stages.hiding import HIDING_STYLE_RE
from tasks.stages.html_meta import DATE_PARAMS, FIELDS, page_metadata

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_page  # noqa: E402

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))
_PARA = ("The committee met again on Thursday to review the plan for the river crossing, and its members "
         "asked the engineers for a second estimate of the cost before any vote is taken. ")


def _built(name: str) -> str:
    article = "".join(f"<p>{_PARA * 2}</p>" for _ in range(4))
    sidebar = "".join(f"<li><a href='/x{i}'>{_PARA}</a></li>" for i in range(12))
    pages = {
        # our text is a small part of the page: readability might find more, so it must run
        "short_main": f"<html><body><article>{article[:600]}</article><div><ul>{sidebar}</ul></div></body></html>",
        # a video iframe: readability writes "VIDEO" into it
        "video": f"<html><body><article>{article}<iframe src='https://youtube.com/embed/x'></iframe>"
                 f"</article></body></html>",
        # no paragraph text, only tables: structurally deficient, readability may be preferred
        "tables": "<html><body><article>" + "".join(f"<table><tr><td>{_PARA}</td><td>{_PARA}</td></tr></table>"
                                                    for _ in range(3)) + "</article></body></html>",
        # nothing but a long article: the shortcut applies
        "plain": f"<html><head><title>River crossing</title></head><body><article><h1>River crossing</h1>"
                 f"{article}</article></body></html>",
    }
    return pages[name]


BUILT = ["short_main", "video", "tables", "plain"]


def _pages() -> list[tuple[str, str]]:
    pages = [(p.name, p.read_text(encoding="utf-8")) for p in FIXTURES]
    pages += [(f"corpus-{i}", make_page(3, i).html) for i in range(0, 120, 4)]
    pages += [(name, _built(name)) for name in BUILT]
    return pages


PAGES = _pages()


def _tree(html: str):
    tree = lxml.html.fromstring(html)
    drop_hidden_elements(tree)
    return tree


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_skipping_the_fallback_when_it_cannot_win_changes_no_text(name, html, monkeypatch):
    options = _extractor(True)
    guarded = trafilatura.bare_extraction(_tree(html), options=options)
    monkeypatch.setattr(trafilatura.core, "compare_extraction", compare_extraction)
    original = trafilatura.bare_extraction(_tree(html), options=options)
    assert (guarded.text if guarded else None) == (original.text if original else None)


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_readability_text_is_never_longer_than_the_page_text_bound(name, html):
    tree = _tree(html)
    bound = extract_fallback.page_text_bound(tree)
    algo = try_readability(tree)
    assert len(trim(lxml.html.tostring(algo, method="text", encoding="utf-8").decode("utf-8"))) <= bound


def test_the_shortcut_is_taken_on_article_pages_and_not_where_the_fallback_could_win(monkeypatch):
    taken: dict[str, bool] = {}
    decide = extract_fallback.fallback_cannot_win

    def spy(raw_tree, body, text, options):
        taken.setdefault(current, decide(raw_tree, body, text, options))
        return taken[current]

    monkeypatch.setattr(extract_fallback, "fallback_cannot_win", spy)
    for current in BUILT:
        trafilatura.bare_extraction(_tree(_built(current)), options=_extractor(True))
    assert taken == {"short_main": False, "video": True, "tables": False, "plain": True}


def test_a_short_or_unclean_body_goes_to_the_full_comparison():
    options = _extractor(True)
    page = lxml.html.fromstring(f"<html><body><p>{_PARA}</p></body></html>")
    body = Element("body")
    SubElement(body, "p").text = _PARA * 3
    text = trim(_PARA * 3)
    assert extract_fallback.fallback_cannot_win(page, body, text, options)
    assert not extract_fallback.fallback_cannot_win(page, body, text[:100], options)  # justext: too short
    SubElement(body, "figure").text = "a chart"
    assert not extract_fallback.fallback_cannot_win(page, body, text, options)  # justext: unclean


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_lean_metadata_equals_trafilaturas_for_the_published_fields(name, html):
    ours = page_metadata(_tree(html))
    theirs = extract_metadata(_tree(html), None, dict(DATE_PARAMS))
    assert {f: getattr(ours, f) for f in FIELDS} == {f: getattr(theirs, f) for f in FIELDS}


def test_html_paragraphs_reads_the_metadata_of_the_page_it_extracted():
    page = FIXTURES[0].read_text(encoding="utf-8")
    found = html_paragraphs(page, ExtractSettings())
    assert found.paragraphs and found.title
    assert found.metadata.get("date")


# --- hidden elements: found from the hiding declarations, the same as parsing every rule ---------

def test_hiding_rules_are_the_rules_of_a_full_parse_whose_body_hides():
    rng = random.Random(0)
    pieces = ["{", "}", " ", ".a", "#b", ",", "display:none", "DISPLAY : NONE", "visibility:hidden", "color:red",
              "@media", ";", "\n", "div.c", "border:none", "overflow:hidden", "vıſıbılıty:hidden", "İ", "ſ", "no"]
    for _ in range(5000):
        css = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        full = [(s, b) for s, b in _CSS_RULE.findall(css) if _HIDDEN_STYLE.search(b)]
        assert sorted(_hiding_rules(css)) == sorted(full), css


def _drop_hidden_reference(tree) -> list[str]:
    """The straightforward version: parse every CSS rule, visit every element."""
    classes, ids = set(CONVENTIONAL_HIDDEN_CLASSES), set()
    for style in tree.iter("style"):
        for selectors, body in _CSS_RULE.findall(_unconditional(style.text_content() or "")):
            if _HIDDEN_STYLE.search(body):
                for sel in selectors.split(","):
                    if m := _SIMPLE_SELECTOR.match(sel):
                        (classes if m.group(1) == "." else ids).add(m.group(2))
    doomed = [el for el in tree.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body", "head")
              and (("hidden" in el.attrib and el.tag != "input") or HIDING_STYLE_RE.search(el.get("style", ""))
                   or el.get("id") in ids or (classes.intersection(el.get("class", "").split())
                                              and not any(map(_SHOWN_AT_BREAKPOINT.match,
                                                              el.get("class", "").split()))))]
    texts, dropped = [], []
    for el in doomed:
        if el.getparent() is not None and not any(a in dropped for a in el.iterancestors()):
            if text := " ".join(el.text_content().split()):
                texts.append(text)
            el.drop_tree()
            dropped.append(el)
    return texts


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_hidden_elements_are_those_of_the_straightforward_version(name, html):
    ours, reference = lxml.html.fromstring(html), lxml.html.fromstring(html)
    assert drop_hidden_elements(ours) == _drop_hidden_reference(reference)
    assert lxml.html.tostring(ours) == lxml.html.tostring(reference)


# --- the author search in place: trafilatura's answer without pruning a copy of the page -------------

_AUTHOR_CASES = {
    "in a sidebar, then a byline": "<div class='sidebar'><span class='author'>Sidebar Person</span></div>"
                                   "<p class='byline'>By Jane Doe</p>",
    "a date inside the byline": "<p class='byline'>By Jane Doe <time>2024-05-01</time> in Paris</p>",
    "a figure inside the author box": "<div class='author'>Ann Lee<figure><figcaption>photo</figcaption>"
                                      "</figure></div>",
    "too long, then a short one": f"<span class='author'>{'word ' * 40}</span><a rel='author'>Bo Chen</a>",
    "comments hold the only author": "<div id='comments'><span class='author'>Commenter</span></div>",
    "a rel element": "<span><rel>me</rel>Someone Here</span><p class='byline'>By Kim Park</p>",
    "no author": "<p>Nothing to see.</p>",
}


@pytest.mark.parametrize("case", list(_AUTHOR_CASES))
def test_the_author_search_in_place_gives_trafilaturas_answer(case):
    from trafilatura.metadata import extract_author as pruned_copy_author  # noqa: PLC0415

    from tasks.stages.html_meta import extract_author  # noqa: PLC0415

    html = f"<html><body><article><p>{_PARA}</p>{_AUTHOR_CASES[case]}<p>{_PARA}</p></article></body></html>"
    assert extract_author(_tree(html)) == pruned_copy_author(_tree(html))


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_the_author_search_in_place_gives_trafilaturas_answer_on_the_test_pages(name, html):
    from trafilatura.metadata import extract_author as pruned_copy_author  # noqa: PLC0415

    from tasks.stages.html_meta import extract_author  # noqa: PLC0415

    assert extract_author(_tree(html)) == pruned_copy_author(_tree(html))
