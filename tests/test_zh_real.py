"""sieve on 21 real Chinese pages with gold (bench/zh-real: news of 2013-2019, Simplified and
Traditional, GB2312, Big5 and UTF-8), against trafilatura alone on the same pages.

On these pages trafilatura keeps breadcrumbs, bylines and other articles' dated titles, and misses
a gazette text hung after a header template's `</html>`; a portal's one-paragraph brief sits among
the portal's menus and other briefs. Tokens are counted as ../shared/tools/score_seeds.py counts
them (a Han character is a token)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import pytest

from config import Settings
from tasks.stages.language import converter
from tasks.tools.evaluate_html import PageResult, evaluate_page, gold_pages, prf, words
from tests.conftest import run_html

ZH_REAL = Path(__file__).resolve().parent.parent / "bench" / "zh-real"
PAGES = gold_pages(ZH_REAL)


@cache
def result(page_id: str) -> PageResult:
    return evaluate_page(next(p for p in PAGES if p.id == page_id), Settings())


def f1(text: str, gold: str) -> float:
    return prf(words(text), words(gold))[2]


@pytest.mark.parametrize(("page_id", "script"), [("0004", "Hans"), ("0014", "Hant")])
def test_a_gb2312_and_a_big5_page_are_read_in_their_charset_and_published_simplified(page_id: str, script: str):
    page = next(p for p in PAGES if p.id == page_id)
    doc = run_html(gzip.decompress(page.html.read_bytes()))
    assert (doc.lang, doc.source_script, doc.script) == ("zh", script, "Hans")
    first = page.gold.split("\n")[0]
    assert converter("t2s").convert(first[:30]) in doc.published_text


@pytest.mark.parametrize("page_id", [p.id for p in PAGES])
def test_every_page_is_published_and_holds_nearly_all_of_its_gold_text(page_id: str):
    r = result(page_id)
    assert r.reject_reason is None
    assert prf(words(r.sieve), words(r.gold))[1] >= 0.75


def test_on_the_whole_set_sieve_is_well_above_trafilatura_alone():
    ours = [f1(result(p.id).sieve, result(p.id).gold) for p in PAGES]
    theirs = [f1(result(p.id).trafilatura, result(p.id).gold) for p in PAGES]
    assert sum(ours) / len(ours) >= sum(theirs) / len(theirs) + 0.05
    assert sum(ours) / len(ours) >= 0.9


def test_a_gazette_text_after_the_header_templates_closing_html_is_published():
    r = result("0010")  # trafilatura alone takes the header template's links
    assert f1(r.trafilatura, r.gold) < 0.1
    assert f1(r.sieve, r.gold) > 0.8
