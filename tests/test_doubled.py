"""A block printed twice in a row (`doubled_block`): a section whose markup a page repeats for
another screen size, a carousel's cloned slides. The copy goes; a paragraph repeated on its own
(a reply quoting the post above it) stays. On HTML the rule runs where a source names it in
`clean.html_rules` (the gold of some real pages keeps both copies)."""

from __future__ import annotations

from config import Settings
from tasks.clean.doubled import doubled_blocks
from tests.conftest import run_text
from tests.fixtures.articles import BEEKEEPING_EN


def test_a_block_of_two_or_more_paragraphs_printed_again_at_once_is_a_copy():
    keys = ["intro", "first title", "first text", "first title", "first text", "outro"]
    assert doubled_blocks(keys) == [(3, 5)]


def test_every_further_copy_goes_too():
    block = ["a slide's title", "a slide's text"]
    assert doubled_blocks(["intro", *block, *block, *block, "outro"]) == [(3, 5), (5, 7)]


def test_one_paragraph_repeated_alone_stays():
    """A reply that quotes the post above it prints that post again."""
    post = "I would keep the hive in the shade during the afternoon heat."
    assert doubled_blocks(["question", post, post, "thanks, that worked"]) == []


def test_a_block_too_short_to_tell_stays():
    """A label and a figure repeated (a table's rows, a spec sheet) say nothing of duplicated markup."""
    assert doubled_blocks(["Size", "M", "Size", "M"]) == []


def test_the_same_paragraphs_in_another_order_or_apart_are_no_copy():
    a, b = "the spring inspection checklist", "what to look for on every frame"
    assert doubled_blocks([a, b, b, a]) == []
    assert doubled_blocks([a, b, "between them", a, b]) == []


def _section(copy: str) -> str:
    return (f'<section class="{copy}"><h2>Winter feeding</h2><p>{BEEKEEPING_EN[3]}</p>'
            f'<a href="/feeding">Read the feeding guide</a></section>')


def _page_with_a_section_repeated_for_phones() -> str:
    return (f"<html><head><title>{BEEKEEPING_EN[0]}</title></head><body><main><h1>{BEEKEEPING_EN[0]}</h1>"
            + "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN[1:3])
            + _section("desktop") + _section("mobile")
            + "".join(f"<p>{p}</p>" for p in BEEKEEPING_EN[4:]) + "</main></body></html>")


def test_a_section_repeated_for_the_mobile_layout_is_published_once_and_its_copy_recorded():
    doc = run_text(_page_with_a_section_repeated_for_phones(), Settings(clean={"html_rules": ["doubled_block"]}),
                   media="html")
    assert doc.published_text.count(BEEKEEPING_EN[3]) == 1
    copies = [r for r in doc.removed if r.rule == "doubled_block"]
    assert copies and all(r.reason == "repeated" for r in copies)
    assert BEEKEEPING_EN[3][:40] in "".join(r.snippet for r in copies)
    assert all(p in doc.published_text for p in BEEKEEPING_EN[4:])


def test_by_default_html_keeps_both_copies():
    doc = run_text(_page_with_a_section_repeated_for_phones(), media="html")
    assert doc.published_text.count(BEEKEEPING_EN[3]) == 2


def test_code_printed_twice_stays():
    """A tutorial shows the same statements again; repeated code lines are code."""
    code = ["os.makedirs(path, exist_ok=True)", "shutil.copy(source, path)"]
    text = "\n".join([*BEEKEEPING_EN[:3], *code, *code, *BEEKEEPING_EN[3:]])
    doc = run_text(text)
    assert doc.published_text.count("os.makedirs(path, exist_ok=True)") == 2
    assert not [r for r in doc.removed if r.rule == "doubled_block"]


def test_on_plain_text_a_doubled_block_is_cut_once():
    block = [BEEKEEPING_EN[2], BEEKEEPING_EN[3]]
    doc = run_text("\n".join([*BEEKEEPING_EN[:2], *block, *block, *BEEKEEPING_EN[4:]]))
    assert doc.published_text.split("\n") == BEEKEEPING_EN
    assert {r.rule for r in doc.removed} == {"doubled_block"}
