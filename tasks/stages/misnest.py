"""Pages libxml2 nests differently from a browser, parsed again by the HTML standard's algorithm.

libxml2's HTML parser predates HTML5: it does not know `article`, `aside`, `footer`, `header`,
`main`, `nav` or `section`, and it ignores their end tag while an element opened inside them is
still open (`<aside><div>...</aside>`: a `div` left open). A browser closes both there. In
libxml2's tree the rest of the page lands inside that `aside` (a pop-up) or `header`, and
trafilatura and the region reading (tasks/stages/landmark.py) throw it away as chrome: on
wcxb-dev, whole articles. libxml2 reports each such end tag. Other slips (a stray `</div>`) end the
same way with a vaguer report: there, a `header`, `footer`, `nav` or `aside` holding nearly all
of the body's text says so. And a page whose header template ends in `</body></html>` goes on
after it: a browser reads on in the body, libxml2 hangs the rest beside the body. Only those
pages (4 % of wcxb-dev) are parsed again, by html5lib (the standard's algorithm, in Python:
0.06-0.14 s for a page of 100-300 kB, against 2-4 ms for libxml2), and its tree is read back
through libxml2 so the rest of sieve sees the same kind of tree as on any page (parse.py
decides). Where the page really nests its text in its chrome, the standard's tree is the same and
so is the text.
"""

from __future__ import annotations

import itertools
import re
import warnings

import html5lib
import lxml.etree
import lxml.html

# libxml2's message for an end tag it ignored: "Opening and ending tag mismatch: <end tag> and <open element>".
_IGNORED_END = re.compile(r"Opening and ending tag mismatch: (?:article|aside|footer|header|main|nav|section) and ")
# Its messages for any end tag it could not place.
_MISPLACED_END = re.compile(r"Opening and ending tag mismatch|Unexpected end tag")
# Control characters: a browser does not show them, and lxml's tree builder refuses them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CHROME_TAGS = ("aside", "footer", "header", "nav")
# The share of the body's text above which a chrome element is taken for one the parser nested the page in
# (on wcxb-dev, 40 pages have one above 0.9, 142 above 0.5: pages of little text under a large footer or menu).
MAX_CHROME_SHARE = 0.9
_UNSEEN = ("script", "style", "noscript", "template")
# Text after the body from this many characters is a page's content read on past a closing tag (on wcxb-dev,
# 11 pages have 1-25 characters there, a stray word or entity: not worth a second parse).
MIN_TEXT_AFTER_BODY = 100


def _text_length(el: lxml.html.HtmlElement) -> int:
    """Characters of text below `el`, less its scripts' and styles' (C calls only)."""
    return len(el.text_content()) - sum(len(s.text_content()) for s in el.iter(*_UNSEEN))


def misnested(parser: lxml.html.HTMLParser, tree: lxml.html.HtmlElement) -> str | None:
    """Why libxml2's last parse (`tree`) is not the page a browser builds, if it is not: libxml2's message for
    the end tag of a section it ignored, or a chrome element holding nearly all the page where it could not
    place some end tag."""
    messages = [e.message.strip() for e in parser.error_log if _MISPLACED_END.match(e.message)]
    if ignored := next((m for m in messages if _IGNORED_END.match(m)), None):
        return ignored
    if after := _text_after_body(tree):
        return after
    return _swallowing_chrome(tree) if messages else None


def _text_after_body(tree: lxml.html.HtmlElement) -> str | None:
    """Text libxml2 put after the body, said, if any: a page whose header template closes `</body>` or
    `</html>` before the content. A browser reads on in the body; libxml2 hangs what follows beside the
    body, or after `</html>` in a second document element, where trafilatura and the region reading do
    not look."""
    body = tree.find("body")
    after = itertools.chain(body.itersiblings() if body is not None else (), tree.itersiblings())
    length = sum(_text_length(el) for el in after if isinstance(el.tag, str))
    return f"{length:,} characters of text after the end of the body" if length >= MIN_TEXT_AFTER_BODY else None


def _swallowing_chrome(tree: lxml.html.HtmlElement) -> str | None:
    """The first chrome element holding more than MAX_CHROME_SHARE of the body's text, said, if any."""
    body = tree.find("body")
    chrome = list(body.iter(*CHROME_TAGS)) if body is not None else []
    if not chrome:
        return None
    total = _text_length(body)
    for el in chrome:  # outermost first
        if len(el.text_content()) > MAX_CHROME_SHARE * total and (share := _text_length(el) / total) > MAX_CHROME_SHARE:
            return f"a {el.tag} holding {share:.0%} of the page's text"
    return None


def parse_standard(html: str, parser: lxml.html.HTMLParser) -> lxml.html.HtmlElement:
    """The page as the HTML standard nests it: parsed by html5lib, serialised (every element closed
    where the standard closes it) and read back with `parser`. Control characters, which a browser
    does not show and lxml's tree builder refuses, are left out."""
    with warnings.catch_warnings():  # names XML cannot hold ("decide<") are coerced: said, and harmless here
        warnings.simplefilter("ignore")
        document = html5lib.parse(_CONTROL.sub("", html), treebuilder="lxml", namespaceHTMLElements=False)
    markup = lxml.etree.tostring(document, method="html", encoding="unicode")
    return lxml.html.fromstring(markup, parser=parser)
