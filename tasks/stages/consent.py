"""Consent dialogs out of a page before its text is extracted.

A consent platform writes its dialog into every page a site serves: the banner, and often a whole
preference centre (each purpose, each vendor, "strictly necessary cookies"), hundreds of words that
are never the page's content and that trafilatura keeps where they are long enough to read as text
(on a forum thread of short posts, the dialog was most of what it published). The dialog is found by
its markup, not its wording: an element whose class or id has the word cookie, consent or GDPR
(camelCase and separators split into words, "CookieBanner" as much as "cookie-banner"). An element
that holds the page's content keeps it, whatever its name: one with a `<main>`, an `<article>`, a
role="main" or an `<h1>` inside, or with nearly all the page's text (a wrapper whose class says a
consent was given); and a section whose id is its own heading's (documentation's `<section
id="cookies"><h3>Cookies</h3>`) is the page's text about cookies. A dialog can hold more text
than the page's content: on wcxb-dev, preference centres held up to 75 % of a forum thread's page.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

# Candidates: the class and id values that have one of the words in the cases names are written in
# (cookie, Cookie, COOKIE, ...), tested in C on the attribute values alone (a predicate over every element
# cost three times as much, and reading every value into Python twice).
_HAS_WORD = ("contains(., 'ookie') or contains(., 'OOKIE') or contains(., 'onsent') or contains(., 'ONSENT')"
             " or contains(., 'gdpr') or contains(., 'GDPR') or contains(., 'Gdpr')")
_NAMES = lxml.etree.XPath(f"//@class[{_HAS_WORD}] | //@id[{_HAS_WORD}]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_LETTER = re.compile(r"[^a-z]+")
# A word of a class or id that names a consent dialog: these, or a compound that starts with cookie
# or consent ("cookiebanner", "consentmanager").
CONSENT_WORDS = ("cookie", "consent", "gdpr")
# A dialog holds less than this share of the page's text, and none of these.
MAX_SHARE = 0.9
_HOLDS_CONTENT = lxml.etree.XPath("boolean(.//main | .//article | .//h1 | .//*[@role='main'])")
_FIRST_HEADING = lxml.etree.XPath("(.//h2 | .//h3 | .//h4 | .//h5 | .//h6)[1]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_UNSEEN = ("script", "style", "noscript", "template")
_NOT_DIALOGS = frozenset({"html", "head", "body", *_UNSEEN})


def name_words(el: lxml.html.HtmlElement) -> list[str]:
    """The words of an element's class and id: "cookieBanner js-gdpr" -> cookie, banner, js, gdpr."""
    names = _CAMEL.sub(" ", f"{el.get('class', '')} {el.get('id', '')}")
    return [w for w in _NOT_LETTER.split(names.lower()) if w]


def names_consent(el: lxml.html.HtmlElement) -> bool:
    return any(w.startswith(CONSENT_WORDS) for w in name_words(el))


def named_after_its_heading(el: lxml.html.HtmlElement) -> bool:
    """Whether the element's id is its first heading's text, as a document's sections are named
    ("setting-cookies" for "Setting Cookies¶")."""
    if not (ident := el.get("id")) or not (heading := _FIRST_HEADING(el)):
        return False
    return _NOT_ALNUM.sub("", ident).lower() == _NOT_ALNUM.sub("", heading[0].text_content()).lower()


def _text_length(el: lxml.html.HtmlElement) -> int:
    """The element's text without its scripts and styles, by a few C calls (not a text node at a time)."""
    return len(el.text_content()) - sum(len(s.text_content()) for s in el.iter(*_UNSEEN))


def _candidates(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements whose class or id has cookie, consent or GDPR in it, in document order, once each."""
    found = {id(value.getparent()): value.getparent() for value in _NAMES(tree)}
    return list(found.values())


def drop_consent_dialogs(tree: lxml.html.HtmlElement, max_share: float = MAX_SHARE) -> list[str]:
    """Remove the page's consent dialogs; returns their texts (each once, outermost first)."""
    found = [el for el in _candidates(tree) if el.tag not in _NOT_DIALOGS and names_consent(el)]
    if not found:
        return []
    body = tree.find("body")
    limit = max_share * _text_length(tree if body is None else body)
    texts: list[str] = []
    dropped: set[lxml.html.HtmlElement] = set()
    for el in found:  # document order: an element inside a dropped one went with it
        if el.getparent() is None or not dropped.isdisjoint(el.iterancestors()):
            continue
        if _HOLDS_CONTENT(el) or named_after_its_heading(el) or _text_length(el) >= limit:
            continue
        for unseen in list(el.iter(*_UNSEEN)):
            unseen.drop_tree()
        if text := " ".join(" ".join(el.itertext()).split()):
            texts.append(text)
        el.drop_tree()
        dropped.add(el)
    return texts
