"""A page's tree, as a browser would build it, parsed once where libxml2 builds the same.

libxml2 (through lxml) parses every page: it is fast, and trafilatura reads its trees. Two of
its habits lose text a browser shows. It stops nesting at a depth limit (pages leave inline
tags unclosed by the hundred): the limit is raised, and a page deeper still is parsed again
without its inline tags. And it nests some pages otherwise than the HTML standard (misnest.py):
those are parsed again by html5lib and read back through libxml2. What was given up or done
is said, never hidden (the extract step's `nesting` and `misnested`).
"""

from __future__ import annotations

import re
import threading

import lxml.html

from tasks.stages.misnest import misnested, parse_standard

# Inline tags, which pages leave unclosed by the hundred (`<p><font>...` over and over): the parser nests
# each inside the last. Dropped (their text kept) only to parse a page again that nests too deep.
_INLINE_TAG = re.compile(r"</?(?:font|b|i|u|s|em|strong|span|small|big|tt|strike|sub|sup|a|abbr|cite|code|mark|q"
                         r"|label)\b[^<>]*+>", re.I)
# Pages longer than this keep libxml2's tree (see `standard_tree`).
MAX_REPARSE_CHARS = 1_000_000

_parsers = threading.local()  # an lxml parser serves one thread at a time


def libxml2_parser() -> lxml.html.HTMLParser:
    """lxml's HTML parser with XML_PARSE_HUGE: without it, libxml2 stops nesting elements at depth 256
    and drops all the text below (300 paragraphs of `<p><font>` without closers kept 126); with it, at
    2048. Its other limits (text nodes of 10 MB) are above read.max_bytes anyway.

    HTML comments and processing instructions are left out of the tree, as trafilatura's own loader
    does: a comment node between an element's text and its children hides that text from
    trafilatura (collection pages of wcxb-dev kept 0.19-0.31 word F1 of their text, 0.54-0.64 without)."""
    if (parser := getattr(_parsers, "parser", None)) is None:
        parser = _parsers.parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    return parser


def limit_hit(parser: lxml.html.HTMLParser) -> str | None:
    """The parser's message if its last parse stopped at one of its limits (and so dropped part of the page)."""
    return next((e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)


def parse_html(html: str, standard: bool = True) -> tuple[lxml.html.HtmlElement, str | None, str | None]:
    """The page's tree, what parsing it had to give up, if anything, and where libxml2 nested it otherwise
    than a browser, what it did and what was done about it. A page nested deeper than the parser's limit
    is parsed again without its inline tags (their text kept), and if that still nests too deep, the loss
    is said (`nesting` of the extract step) rather than hidden. With `standard`, a page libxml2 nests
    otherwise than a browser is parsed as a browser does (`standard_tree`)."""
    parser = libxml2_parser()
    tree = lxml.html.fromstring(html, parser=parser)
    if limit_hit(parser) is None:
        tree, misnesting = standard_tree(html, parser, tree) if standard else (tree, None)
        return tree, None, misnesting
    flat = lxml.html.fromstring(_INLINE_TAG.sub("", html), parser=parser)
    if (limit := limit_hit(parser)) is None:
        return flat, "too deep for the parser: parsed without its inline tags", None
    lost = f"too deep for the parser even without its inline tags, the text below it lost: {limit.strip()}"
    return flat, lost, None


def standard_tree(html: str, parser: lxml.html.HTMLParser,
                  tree: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, str | None]:
    """The page's tree as a browser builds it, given libxml2's (`tree`, just parsed by `parser`), and what
    was done, if anything. A page over MAX_REPARSE_CHARS keeps libxml2's tree: html5lib reads 1-3 MB a
    second, but far less on some pages (a 2 MB page of wcxb-dev took it 10 s, twice a document's budget)."""
    why = misnested(parser, tree)
    if why is None:
        return tree, None
    if len(html) > MAX_REPARSE_CHARS:
        return tree, f"libxml2's tree kept, the page is over {MAX_REPARSE_CHARS:,} characters: {why}"
    try:
        standard = parse_standard(html, parser)
    except ValueError as exc:  # lxml refuses what html5lib hands it
        return tree, f"libxml2's tree kept, html5lib's could not be read ({exc}): {why}"
    if limit_hit(parser) is not None:  # nested too deep to read back whole
        return tree, f"libxml2's tree kept, html5lib's nests deeper than libxml2 reads: {why}"
    return standard, f"parsed again by html5lib: {why}"
