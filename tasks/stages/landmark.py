"""The text of the page's declared main content (`<main>`, `role="main"`; on a page without them,
the element its id names the main content, or the parent of a run of `<article>`s), for the pages
whose content trafilatura's choice of one container cuts short.

trafilatura keeps the one block of the page that reads most like an article. On a listing, a
product grid or a service page of many sections, that block is one card or one section, and the
rest of the content is lost; on a forum thread whose posts are `<article>`s, it is the first post.
Where the page declares its main content and trafilatura's text covers only a small part of it,
the declared region is the better evidence: its text is taken, without the navigation, banners,
forms, menus and asides that a page nests there too.
"""

from __future__ import annotations

import re
from collections import Counter

import lxml.etree
import lxml.html

from tasks.text.measures import tokens

# The landmark(s) a page declares its main content with; the one with the most text is taken.
_MAIN = lxml.etree.XPath("//main | //*[@role='main']")
# Without them, what older pages declare by convention: an element whose id says "main content",
# or the parent of three or more `<article>`s (a thread's posts, a blog's entries).
_CONVENTIONAL_MAIN = lxml.etree.XPath(
    "//*[translate(@id, 'MAINCOTE_-', 'maincote') = 'main' or translate(@id, 'MAINCOTE_-', 'maincote') = 'content'"
    " or translate(@id, 'MAINCOTE_-', 'maincote') = 'maincontent'] | //*[count(article) >= 3]")
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
_SPACE = re.compile(r"\s+")


def _skipped(el: lxml.html.HtmlElement) -> bool:
    if not isinstance(el.tag, str):  # comments, processing instructions
        return True
    return (el.tag in _SKIPPED_TAGS or el.get("role") in _SKIPPED_ROLES or el.get("aria-hidden") == "true"
            or el.get("hidden") is not None)


def _comments(el: lxml.html.HtmlElement) -> bool:
    return "comment" in (el.get("class", "") + " " + el.get("id", "")).lower()


def _collect(el: lxml.html.HtmlElement, out: list[str], comments: bool) -> None:
    """Append `el`'s text to `out`, a list of pieces where "\\n" ends a line (without comment sections
    unless `comments`)."""
    block = el.tag in _BLOCK_TAGS
    if block:
        out.append("\n")
    elif el.tag in _CELL_TAGS:
        out.append(" ")
    if el.text:
        out.append(el.text)
    for child in el:
        if not (_skipped(child) or (not comments and _comments(child))):
            _collect(child, out, comments)
        if child.tail:
            out.append(child.tail)
    if block:
        out.append("\n")
    elif el.tag in _CELL_TAGS:
        out.append(" ")


def region_lines(el: lxml.html.HtmlElement, comments: bool = True) -> list[str]:
    """The lines of text below `el` as a reader sees them, without the skipped subtrees."""
    pieces: list[str] = []
    _collect(el, pieces, comments)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
    return [line for line in lines if line]


def main_landmark_lines(tree: lxml.html.HtmlElement, comments: bool = True) -> list[str]:
    """The lines of the page's declared main content (the declared region with the most text), or none."""
    declared = _MAIN(tree) or _CONVENTIONAL_MAIN(tree)
    regions = [region_lines(el, comments) for el in declared if not _skipped(el)]
    return max(regions, key=lambda lines: sum(map(len, lines)), default=[])


def covered_share(text: str, lines: list[str]) -> float:
    """The share of the region's words (and Han bigrams) that `text` has too, counting copies."""
    region = Counter(tokens("\n".join(lines)))
    total = sum(region.values())
    return sum((Counter(tokens(text)) & region).values()) / total if total else 1.0


def fragment_of_landmark(text: str, lines: list[str], max_coverage: float, min_words: int) -> bool:
    """Whether `text` is a fragment of the declared main content: the region has at least `min_words`
    words and more than `text`, and `text` covers under `max_coverage` of them."""
    region_words = len(tokens("\n".join(lines)))
    return (region_words >= min_words and region_words > len(tokens(text))
            and covered_share(text, lines) < max_coverage)
