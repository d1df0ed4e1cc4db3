"""The text of the page's declared main content (`<main>`, `role="main"`; on a page without them,
the element its id names the main content, or the parent of a run of `<article>`s), for the pages
whose content trafilatura's choice of one container cuts short.

trafilatura keeps the one block of the page that reads most like an article. On a listing, a
product grid or a service page of many sections, that block is one card or one section, and the
rest of the content is lost; on a forum thread whose posts are `<article>`s, it is the first post.
Where the page declares its main content and trafilatura's text covers only a small part of it,
the declared region is the better evidence: its text is taken, without the navigation, banners,
forms, menus and asides that a page nests there too. A page that declares no main content is read
the same way from its body, where trafilatura found less than an article (extract.py says when).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import lxml.etree
import lxml.html

from tasks.text.measures import tokens

_ROLE_MAIN = lxml.etree.XPath("//*[@role='main']")
# Without a `<main>` or role="main", what older pages declare by convention: an element whose id says
# "main content" (looked up in the parser's table of ids, not by a pass over the page), or the parent of
# three or more `<article>`s (a thread's posts, a blog's entries).
_MAIN_BY_ID = lxml.etree.XPath("id('main content main-content main_content maincontent mainContent MainContent"
                               " Main-Content Main_Content Main Content MAIN CONTENT')")
_ARTICLE_PARENTS = lxml.etree.XPath("//article/..")
_MIN_ARTICLES = 3
# A link's text, marked where the body is read: what the body holds beyond trafilatura's text is chrome
# when at least this share of its characters is links' (on wcxb-dev the bodies read instead of
# trafilatura's text held at most 0.74 beyond it; a thread's table layout with a menu and a sidebar of
# other threads, 0.9 and more).
LINK_OPEN, LINK_CLOSE = "\ue000", "\ue001"
_LINK_MARKS = re.compile(f"([{LINK_OPEN}{LINK_CLOSE}])")
LINKS_BEYOND = 0.8
# Subtrees that are not content wherever they are: code, media, navigation, banners, forms, asides.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside",
                           "form", "button", "select", "textarea", "iframe", "dialog", "object", "canvas"})
_SKIPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog", "search",
                            "menu", "menubar", "menuitem", "menuitemradio", "menuitemcheckbox", "listbox", "option",
                            "toolbar", "tooltip", "tablist", "tab"})
# Elements that start a line of their own; the text of any other (inline) element runs on.
_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2",
                         "h3", "h4", "h5", "h6", "tr", "table", "thead", "tbody", "tfoot", "caption",
                         "blockquote", "pre", "figure", "figcaption", "address", "details", "summary", "hr",
                         "br", "fieldset", "legend", "center"})
# Table cells are words apart, on their row's line.
_CELL_TAGS = frozenset({"td", "th"})


def _skipped(el: lxml.html.HtmlElement) -> bool:
    """Whether a subtree is left out: not an element, a skipped tag or role, or hidden."""
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIPPED_TAGS:  # comments, processing instructions
        return True
    attrib = el.attrib
    return bool(attrib) and (attrib.get("role") in _SKIPPED_ROLES or attrib.get("aria-hidden") == "true"
                             or "hidden" in attrib)


def _comments(el: lxml.html.HtmlElement) -> bool:
    """A comment section, by the markup extract.py's `_COMMENT_MARKUP` looks for on the whole page."""
    attrib = el.attrib
    return bool(attrib) and "comment" in f"{attrib.get('class', '')} {attrib.get('id', '')}".lower()


def _collect(el: lxml.html.HtmlElement, out: list[str], comments: bool, links: bool = False) -> None:
    """Append `el`'s text to `out`, a list of pieces where "\\n" ends a line (without comment sections
    unless `comments`; with `links`, a link's text between LINK_OPEN and LINK_CLOSE)."""
    tag = el.tag
    edge = "\n" if tag in _BLOCK_TAGS else " " if tag in _CELL_TAGS else ""
    link = links and tag == "a"
    if edge:
        out.append(edge)
    if link:
        out.append(LINK_OPEN)
    if el.text:
        out.append(el.text)
    for child in el:
        if not (_skipped(child) or (not comments and _comments(child))):
            _collect(child, out, comments, links)
        if child.tail:
            out.append(child.tail)
    if link:
        out.append(LINK_CLOSE)
    if edge:
        out.append(edge)


def _marked_lines(el: lxml.html.HtmlElement, comments: bool, links: bool) -> Iterator[tuple[str, str]]:
    """Each non-empty line below `el` as a reader sees it, and as read (with `links`, its links' text
    marked; see `_collect`)."""
    pieces: list[str] = []
    _collect(el, pieces, comments, links)
    for marked in "".join(pieces).split("\n"):
        if line := " ".join((_LINK_MARKS.sub("", marked) if links else marked).split()):
            yield line, marked


def region_lines(el: lxml.html.HtmlElement, comments: bool = True) -> list[str]:
    """The lines of text below `el` as a reader sees them, without the skipped subtrees."""
    return [line for line, _ in _marked_lines(el, comments, links=False)]


def _link_characters(marked: str) -> int:
    """The characters of a marked line (LINK_OPEN, LINK_CLOSE) that are a link's text, spaces left out."""
    count = depth = 0
    for part in _LINK_MARKS.split(marked):
        if part == LINK_OPEN:
            depth += 1
        elif part == LINK_CLOSE:
            depth = max(0, depth - 1)
        elif depth:
            count += len(part) - part.count(" ")
    return count


def body_lines(tree: lxml.html.HtmlElement, text: str, comments: bool = True, longer_than: int = 0) -> list[str]:
    """The lines of the body of a page that declares no main content, or none: when the body is no longer
    than `longer_than` characters, or when what it holds beyond `text` (trafilatura's) is mostly links
    (menus, sidebars of other pages' titles, at least LINKS_BEYOND of its characters): then `text` was the
    content and the rest of the page is its chrome, as on a forum thread laid out in tables."""
    body = tree.find("body")
    if body is None or _outer_text_length(body) <= longer_than:
        return []
    kept = " ".join(text.split())  # a line is looked up in it (a C substring search)
    lines, beyond, beyond_links = [], 0, 0
    for line, marked in _marked_lines(body, comments, links=True):
        lines.append(line)
        if line not in kept:
            beyond += len(line) - line.count(" ")
            beyond_links += _link_characters(" ".join(marked.split()))
    return [] if beyond and beyond_links >= LINKS_BEYOND * beyond else lines


def declared_main(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements that declare the page's main content: `<main>` and role="main" (around a `<main>`:
    looked for among its ancestors, not by a pass over the page), or else those that do by convention."""
    if mains := list(tree.iter("main")):
        around = {id(a): a for main in mains for a in main.iterancestors() if a.get("role") == "main"}
        return mains + list(around.values())
    if landmarks := _ROLE_MAIN(tree):
        return landmarks
    parents = {id(p): p for p in _ARTICLE_PARENTS(tree) if len(p.findall("article")) >= _MIN_ARTICLES}
    return _MAIN_BY_ID(tree) + list(parents.values())


def _outer_text_length(region: lxml.html.HtmlElement) -> int:
    """At least as many characters as the region's lines hold: its whole text, less that of the outermost
    subtrees of skipped tags in it (a few C calls, where reading the lines is a Python step per element)."""
    length = len(region.text_content())
    for el in region.iter(*_SKIPPED_TAGS):
        parent = el.getparent()
        while parent is not None and parent is not region and parent.tag not in _SKIPPED_TAGS:
            parent = parent.getparent()
        if parent is region:  # outermost: not inside another skipped subtree
            length -= len(el.text_content())
    return length


def main_landmark_lines(tree: lxml.html.HtmlElement, comments: bool = True, longer_than: int = 0,
                        declared: list[lxml.html.HtmlElement] | None = None) -> list[str]:
    """The lines of the page's declared main content (the declared region with the most text), or none.
    `declared`: the page's `declared_main` when the caller has it."""
    regions = (region_lines(el, comments) for el in (declared_main(tree) if declared is None else declared)
               if not _skipped(el) and _outer_text_length(el) > longer_than)
    return max(regions, key=lambda lines: sum(map(len, lines)), default=[])


def _coverage(ours: list[str], region: list[str]) -> float:
    return sum((Counter(ours) & Counter(region)).values()) / len(region) if region else 1.0


def covered_share(text: str, lines: list[str]) -> float:
    """The share of the region's words (and Han bigrams) that `text` has too, counting copies."""
    return _coverage(tokens(text), tokens("\n".join(lines)))


def fragment_of_landmark(text: str, lines: list[str], max_coverage: float, min_words: int,
                         min_coverage: float = 0.0) -> bool:
    """Whether `text` is a fragment of the declared main content: the region has at least `min_words`
    words (and Han bigrams) and more than `text`, and `text` covers under `max_coverage` of them (and at
    least `min_coverage`)."""
    region = tokens("\n".join(lines))
    if len(region) < min_words:
        return False
    ours = tokens(text)
    return len(ours) < len(region) and min_coverage <= _coverage(ours, region) < max_coverage
