"""A consent dialog (cookie banner, preference centre) is taken out of the page before its text is
extracted, found by its markup (a class or id with the word cookie, consent or GDPR), and recorded
(rule `consent_dialog`); an element so named that holds the page's content stays
(tasks/stages/consent.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import lxml.html
import pytest
import trafilatura

from config import ExtractSettings, Settings
from tasks.record import Document, Source
from tasks.stages.consent import drop_consent_dialogs, name_words, names_consent
from tasks.stages.document import process_document
from tasks.stages.extract import html_paragraphs
from tasks.tools.evaluate_html import prf, words

REAL = Path(__file__).parent / "fixtures" / "real"

ARTICLE = ("<h2>Winter pruning</h2>"
           "<p>Prune apple trees in late winter, when the wood is dormant and the cuts heal before spring.</p>"
           "<p>Take out dead and crossing branches first, then thin the crown so light reaches the fruit.</p>")
PURPOSES = "".join(
    f"<h3>{name}</h3><p>These cookies are set by us or by our partners to {purpose}. They store no information"
    " that identifies you directly, and you can switch them off in the settings of this dialog.</p>"
    for name, purpose in [("Strictly necessary", "keep the site working"), ("Performance", "count visits"),
                          ("Functional", "remember your choices"), ("Targeting", "build a profile of interests"),
                          ("Social media", "let you share content with your friends")])


def page(body: str) -> str:
    return f"<html><head><title>Winter pruning</title></head><body>{body}</body></html>"


def document(html: str, settings: Settings | None = None) -> Document:
    doc = Document(source=Source(uri="file:///page.html", kind="file", retrieved_at="", sha256=""), media="html",
                   raw=html.encode())
    return process_document(doc, settings or Settings())


@pytest.mark.parametrize(("names", "expected"), [
    ("onetrust-consent-sdk", ["onetrust", "consent", "sdk"]),
    ("CybotCookiebotDialog", ["cybot", "cookiebot", "dialog"]),
    ("js-gdpr banner__inner", ["js", "gdpr", "banner", "inner"]),
])
def test_class_and_id_are_read_as_words(names: str, expected: list[str]):
    assert name_words(lxml.html.fragment_fromstring(f"<div class='{names}'></div>")) == expected


@pytest.mark.parametrize(("attribute", "consent"), [
    ("id='onetrust-consent-sdk'", True), ("id='CybotCookiebotDialog'", True), ("class='cookieBanner'", True),
    ("class='gdpr-notice'", True), ("class='recipe-card'", False), ("class='nonconsent'", False),
])
def test_a_dialog_is_named_by_a_word_that_starts_with_cookie_consent_or_gdpr(attribute: str, consent: bool):
    assert names_consent(lxml.html.fragment_fromstring(f"<div {attribute}>x</div>")) is consent


def test_a_preference_centre_longer_than_the_article_is_removed_and_recorded():
    html = page(f"<div>{ARTICLE}</div><div id='onetrust-consent-sdk'><h2>Privacy preference centre</h2>"
                f"{PURPOSES}<button>Accept all</button></div>")
    assert "These cookies" in (trafilatura.extract(html) or "")  # trafilatura alone keeps the dialog
    doc = document(html)
    assert "cookies" not in doc.published_text
    assert "Take out dead and crossing branches first" in doc.published_text
    [removal] = [r for r in doc.removed if r.rule == "consent_dialog"]
    assert removal.reason == "boilerplate" and removal.paragraph is None
    assert removal.snippet.startswith("Privacy preference centre Strictly necessary These cookies")
    assert removal.chars > len("".join(lxml.html.fromstring(ARTICLE).itertext()))


@pytest.mark.parametrize("inside", ["<h1>Winter pruning</h1>", "<main><p>Winter pruning</p></main>",
                                    "<article><p>Winter pruning</p></article>"])
def test_an_element_so_named_that_holds_the_content_stays(inside: str):
    """A wrapper whose class records the visitor's choice ("cookie-consent-given") around the page."""
    tree = lxml.html.fromstring(page(f"<div class='cookie-consent-given'>{inside}<p>Prune in winter.</p></div>"))
    assert drop_consent_dialogs(tree) == []
    assert "Prune in winter." in tree.text_content()


def test_an_element_so_named_with_nearly_all_the_pages_text_stays():
    """(Its headline is not an `<h1>` here.)"""
    tree = lxml.html.fromstring(page(f"<div class='cookies-accepted'>{ARTICLE}</div><p>Menu</p>"))
    assert drop_consent_dialogs(tree) == []


def test_a_documents_section_about_cookies_stays():
    """Documentation names its sections after their headings (`<section id="cookies">`)."""
    tree = lxml.html.fromstring(page("<h1>Quickstart</h1><p>Routing, templates and sessions.</p>"
                                     "<section id='setting-cookies'><h3>Setting Cookies<a href='#c'>¶</a></h3>"
                                     "<p>To set cookies you can use the set_cookie method of response objects.</p>"
                                     "</section>"))
    assert drop_consent_dialogs(tree) == []
    assert "set_cookie" in tree.text_content()


def test_a_dialog_inside_a_dialog_is_recorded_once():
    tree = lxml.html.fromstring(page(f"<div>{ARTICLE}</div><div class='cookie-banner'><p>We use cookies.</p>"
                                     "<div class='cookie-settings'><p>Manage choices</p></div></div>"))
    assert drop_consent_dialogs(tree) == ["We use cookies. Manage choices"]


def test_the_removal_can_be_switched_off():
    html = page(f"<div>{ARTICLE}</div><div class='cookie-banner'>{PURPOSES}</div>")
    kept = html_paragraphs(html, ExtractSettings(drop_consent_dialogs=False))
    assert kept.consent == [] and any("These cookies" in p for p in kept.paragraphs)
    doc = document(html, Settings(extract={"drop_consent_dialogs": False}))
    assert not [r for r in doc.removed if r.rule == "consent_dialog"]
    assert next(s for s in doc.steps if s["name"] == "extract")["parameters"]["drop_consent_dialogs"] is False


def test_on_a_real_forum_thread_the_preference_centre_no_longer_buries_the_posts():
    """0543 (forum.corsair.com): its OneTrust preference centre holds more text than the thread; with it,
    trafilatura alone published the dialog and a fragment of the thread."""
    raw = gzip.decompress((REAL / "0543.html.gz").read_bytes())
    gold = json.loads((REAL / "0543.json").read_text(encoding="utf-8"))["ground_truth"]["main_content"]
    doc = process_document(Document(source=Source(uri="file:///0543.html", kind="file", retrieved_at="",
                                                   sha256=""), media="html", raw=raw), Settings())
    alone_f1 = prf(words(trafilatura.extract(raw) or ""), words(gold))[2]
    ours_f1 = prf(words(doc.published_text), words(gold))[2]
    assert alone_f1 < 0.3 and ours_f1 > 0.9, (alone_f1, ours_f1)
    assert [r.rule for r in doc.removed] == ["consent_dialog"]
