"""Headings trafilatura left out are put back above the section they head, where the first text
after the heading starts a line trafilatura kept; a heading over navigation, over text trafilatura
dropped, or that the text already has, is not (tasks/stages/headings.py)."""

from __future__ import annotations

import lxml.html
import trafilatura

from config import Settings
from tasks.stages.headings import Heading, headings_with_followers, restore_headings
from tasks.stages.parse import parse_html
from tasks.tools.evaluate_html import prf, words
from tests.conftest import real_page, run_html

PRUNING = "Prune apple trees in late winter, when the wood is dormant."
THINNING = "Take out dead and crossing branches first, then thin the crown."


def tree(body: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head><title>Orchard</title></head><body>{body}</body></html>")


def test_a_heading_is_followed_by_the_first_substantial_text_after_it():
    page = tree(f"<h2>When to prune</h2><span>New</span><p>{PRUNING}</p>")
    assert headings_with_followers(page) == [
        Heading("When to prune", "pruneappletreesinlatewinter,whenthewoodisdormant.")]


def test_consecutive_headings_share_the_text_below_them():
    page = tree(f"<h2>Pruning</h2><h3>When <em>to</em> prune</h3><p>{PRUNING}</p>")
    assert [h.text for h in headings_with_followers(page)] == ["Pruning", "When to prune"]


def test_a_heading_is_put_back_above_the_line_its_section_starts():
    page = tree(f"<h2>When to prune</h2><p>{PRUNING}</p><h2>How to thin</h2><p>{THINNING}</p>")
    text, restored = restore_headings(page, f"{PRUNING}\n{THINNING}")
    assert text == f"When to prune\n{PRUNING}\nHow to thin\n{THINNING}"
    assert restored == ["When to prune", "How to thin"]


def test_a_list_item_or_table_row_may_start_the_section():
    page = tree(f"<h3>Steps</h3><ol><li>{PRUNING}</li></ol>")
    assert restore_headings(page, f"- {PRUNING}")[0] == f"Steps\n- {PRUNING}"


def test_a_heading_whose_section_trafilatura_dropped_stays_out():
    page = tree(f"<aside><h3>Popular posts</h3><p>Ten ways to keep your orchard tidy all year</p></aside>"
                f"<p>{PRUNING}</p>")
    assert restore_headings(page, PRUNING) == (PRUNING, [])


def test_a_heading_over_links_heads_navigation_and_stays_out():
    toc = f"<h2>Table of contents</h2><ul><li><a href='#a'>{PRUNING}</a></li></ul>"
    assert restore_headings(tree(toc), f"- {PRUNING}") == (f"- {PRUNING}", [])


def test_text_found_inside_a_line_does_not_place_a_heading():
    page = tree(f"<h2>Aside</h2><p>{PRUNING}</p>")
    text = f"As the saying goes: {PRUNING}"
    assert restore_headings(page, text) == (text, [])


def test_a_heading_the_text_has_is_not_added_again():
    page = tree(f"<h2>When to prune</h2><p>{PRUNING}</p>")
    text = f"When to prune\n{PRUNING}"
    assert restore_headings(page, text) == (text, [])


def test_a_heading_the_text_has_with_other_punctuation_is_not_added_again():
    """A permalink sign or a zero-width space the page adds to its headings does not make them new."""
    page = tree(f"<h2>2. When to prune<a href='#when' class='hash-link'>\u200b</a></h2><p>{PRUNING}</p>")
    text = f"2. When to prune\n{PRUNING}"
    assert restore_headings(page, text) == (text, [])


def test_the_headline_is_left_to_the_title():
    page = tree(f"<h1>Orchard care</h1><p>{PRUNING}</p>")
    assert restore_headings(page, PRUNING) == (PRUNING, [])


def test_scripts_are_not_read_as_the_text_after_a_heading():
    page = tree(f"<h2>When to prune</h2><script>var config = {{'tracking': 'enabled-for-all'}};</script>"
                f"<p>{PRUNING}</p>")
    assert restore_headings(page, PRUNING)[0] == f"When to prune\n{PRUNING}"


def test_a_real_tutorial_gets_its_section_headings_back_and_says_so():
    """0239, a software tutorial: trafilatura keeps its steps but none of its headings."""
    raw, gold = real_page("0239")
    alone = trafilatura.extract(raw) or ""
    assert "Create the speaker shell" in gold and "Create the speaker shell" not in alone
    doc = run_html(raw)
    assert "Create the speaker shell\n" in doc.published_text
    extract = next(s for s in doc.steps if s["name"] == "extract")
    assert "Create the speaker shell" in extract["parameters"]["headings_restored"]
    assert prf(words(doc.published_text), words(gold))[2] > prf(words(alone), words(gold))[2] + 0.02


def test_restoring_headings_can_be_switched_off():
    raw, _ = real_page("0239")
    doc = run_html(raw, Settings(extract={"restore_headings": False}))
    assert "Create the speaker shell" not in doc.published_text
    assert "headings_restored" not in next(s for s in doc.steps if s["name"] == "extract")["parameters"]


def test_a_page_too_deep_to_walk_recursively_is_walked():
    """The walk is iterative: a page nested thousands of levels deep does not exhaust the stack."""
    body = "<div>" * 2000 + f"<h2>Deep</h2><p>{PRUNING}</p>" + "</div>" * 2000
    page, *_ = parse_html(f"<html><body>{body}</body></html>")
    assert restore_headings(page, PRUNING)[0] == f"Deep\n{PRUNING}"
