"""The shortcuts in HTML extraction change no output: hidden elements found from the hiding
declarations are those a full parse of every rule finds, and with `extract.metadata: trafilatura`
the metadata comes from the same trafilatura call as the text.

Checked on the HTML test set, pages of the benchmark corpus and small pages built for it.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import lxml.html
import pytest
import trafilatura

from config import ExtractSettings
from tasks.stages.extract import (
    _CSS_RULE,
    _HIDDEN_STYLE,
    _SHOWN_AT_BREAKPOINT,
    _SIMPLE_SELECTOR,
    CONVENTIONAL_HIDDEN_CLASSES,
    METADATA_FIELDS,
    _hiding_rules,
    _unconditional,
    drop_hidden_elements,
    html_paragraphs,
)
from tasks.stages.hiding import HIDING_STYLE_RE
from tasks.stages.metadata import DATE_PARAMS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_page  # noqa: E402

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))
_PARA = ("The committee met again on Thursday to review the plan for the river crossing, and its members "
         "asked the engineers for a second estimate of the cost before any vote is taken. ")


def _pages() -> list[tuple[str, str]]:
    pages = [(p.name, p.read_text(encoding="utf-8")) for p in FIXTURES]
    pages += [(f"corpus-{i}", make_page(3, i).html) for i in range(0, 120, 4)]
    return pages


PAGES = _pages()


def test_html_paragraphs_reads_the_metadata_of_the_page_it_extracted():
    page = FIXTURES[0].read_text(encoding="utf-8")
    found = html_paragraphs(page, ExtractSettings())
    assert found.paragraphs and found.title
    assert found.metadata.get("date")


@pytest.mark.parametrize(("name", "html"), PAGES, ids=[p[0] for p in PAGES])
def test_metadata_is_what_trafilaturas_own_metadata_extraction_finds_on_the_page(name, html):
    """With `metadata: trafilatura`, one `bare_extraction(with_metadata=True)` call gives the fields
    `trafilatura.extract_metadata` gives on the same tree."""
    found = html_paragraphs(html, ExtractSettings(metadata="trafilatura"))
    if not found.paragraphs:
        return
    tree = lxml.html.fromstring(html)
    drop_hidden_elements(tree)
    theirs = trafilatura.extract_metadata(tree, date_config=DATE_PARAMS)
    expected = {k: str(v) for k in METADATA_FIELDS if (v := getattr(theirs, k))}
    assert (found.title, found.metadata) == (theirs.title, expected)


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
