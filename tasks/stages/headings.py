"""Headings trafilatura left out, put back above the text they head.

trafilatura drops a page's headings where its fallback extractors chose the text, or where a
heading sits in markup it reads as chrome; the paragraphs under them stay. A heading is put back
only on evidence that its section is content: the first text that follows it in the page starts a
line that trafilatura kept. A sidebar's heading, whose links trafilatura dropped, stays out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Container
from dataclasses import dataclass

import lxml.etree
import lxml.html

from tasks.text.measures import squash

# Not h1: a page's headline is its title (the record's `title`), which trafilatura leaves out of most
# texts and the wcxb-dev gold leaves out of most articles (restoring it too: articles -0.0009).
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})
_WORD = re.compile(r"\w+")
# The text after a heading is looked up in trafilatura's lines once it holds this many characters
# (whitespace left out): a shorter one (a step's number, "New", a date) is too common to place it.
MIN_FOLLOWER_CHARS = 20
# Longer "headings" are paragraphs marked up as headings; they are left as trafilatura read them.
MAX_HEADING_CHARS = 200
# The follower may sit this many characters into its line: a list's "-" or "1.", a table's "|".
MAX_LINE_OFFSET = 3
# The text under a heading starts a few elements after it (a product card's pictures, sources and
# icons can take a hundred): the search for it stops after this many, so that a page of headings
# without text is not read again from each of them.
MAX_ELEMENTS_SCANNED = 500


@dataclass(frozen=True)
class Heading:
    text: str  # as the page shows it, whitespace squashed to single spaces
    follower: str  # the first text after it of at least MIN_FOLLOWER_CHARS, squashed


def words_key(text: str) -> str:
    """A heading's words, lower-cased and run together: the same heading whether or not the page adds a
    permalink sign, a zero-width space or other punctuation to it."""
    return "".join(_WORD.findall(text.lower()))


def _substantial(chunk: str | None) -> str | None:
    if not chunk or len(chunk) < MIN_FOLLOWER_CHARS or chunk.isspace():  # most are, and cheaply told
        return None
    return squashed if len(squashed := squash(chunk)) >= MIN_FOLLOWER_CHARS else None


def _follower(heading: lxml.html.HtmlElement, passed: list[lxml.html.HtmlElement]
              ) -> tuple[str, lxml.html.HtmlElement] | None:
    """The first substantial text after `heading` in document order, outside any heading, with the
    element holding it; None if not within MAX_ELEMENTS_SCANNED. The headings walked past on the way
    are appended to `passed`: the same text follows them."""
    budget = MAX_ELEMENTS_SCANNED
    el = heading
    while el is not None and el.tag != "body":
        if found := _substantial(el.tail):
            return found, el.getparent()
        for sibling in el.itersiblings():
            inside = None  # the heading the walk is in
            walker = lxml.etree.iterwalk(sibling, events=("start", "end"))
            for event, node in walker:
                tag = node.tag if isinstance(node.tag, str) else ""
                if event == "start":
                    if (budget := budget - 1) < 0:
                        return None
                    if tag in _SKIPPED:
                        walker.skip_subtree()  # its end event still comes, with its tail
                    elif inside is None and tag in HEADING_TAGS:
                        inside = node
                        passed.append(node)
                    elif inside is None and (found := _substantial(node.text)):
                        return found, node
                else:
                    if node is inside:
                        inside = None
                    if inside is None and node is not sibling and (found := _substantial(node.tail)):
                        return found, node.getparent()
            if found := _substantial(sibling.tail):
                return found, sibling.getparent()
        el = el.getparent()
    return None


def headings_with_followers(tree: lxml.html.HtmlElement, skip: Container[str] = ()) -> list[Heading]:
    """The page's headings (outermost ones, not in scripts or templates), in document order, each
    with the first substantial text after it, where that text is not a link's: a heading over links
    (a table of contents, a menu, other articles' titles) heads navigation. Headings whose squashed
    words (`words_key`) are in `skip` are not looked at."""
    found = []
    # A run of headings shares the text after it: found (or not) once, from the first of them.
    known: dict[lxml.html.HtmlElement, tuple[str, lxml.html.HtmlElement] | None] = {}
    for heading in tree.iter(*HEADING_TAGS):
        if next(heading.iterancestors(*HEADING_TAGS, *_SKIPPED), None) is not None:
            continue
        text = " ".join(heading.text_content().split())
        if len(text) > MAX_HEADING_CHARS or not (key := words_key(text)) or key in skip:
            continue
        if heading in known:
            follower = known[heading]
        else:
            passed: list[lxml.html.HtmlElement] = []
            follower = _follower(heading, passed)
            known.update(dict.fromkeys(passed, follower))
        if follower is None:
            continue
        chunk, holder = follower
        if holder.tag == "a" or next(holder.iterancestors("a"), None) is not None:
            continue
        found.append(Heading(text, chunk))
    return found


def restore_headings(tree: lxml.html.HtmlElement, text: str) -> tuple[str, list[str]]:
    """`text` with the page's headings that it lacks put back above the line their section starts
    with, and those headings. A heading whose words a line of the text has is not added again."""
    lines = text.split("\n")
    squashed = [squash(line) for line in lines]
    present = {words_key(line) for line in lines}
    starts, offset = [], 0  # where each line starts in the haystack
    for s in squashed:
        starts.append(offset)
        offset += len(s) + 1
    haystack = "\n".join(squashed)
    above: dict[int, list[str]] = {}
    placed: set[str] = set()
    for h in headings_with_followers(tree, skip=present):
        key = words_key(h.text)
        if key in placed:
            continue
        at = haystack.find(h.follower)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            if at - starts[i] <= MAX_LINE_OFFSET:
                above.setdefault(i, []).append(h.text)
                placed.add(key)
                break
            at = haystack.find(h.follower, at + 1)
    if not above:
        return text, []
    out: list[str] = []
    restored: list[str] = []
    for i, line in enumerate(lines):
        for title in above.get(i, ()):
            out.append(title)
            restored.append(title)
        out.append(line)
    return "\n".join(out), restored
