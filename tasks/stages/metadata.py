"""What a page declares about itself in its markup: title, author, date, site name, description,
host, and whether it is a product page.

Read from `<meta>`, JSON-LD, bylines, `<title>`, `<h1>` and `<link rel=canonical>` of the tree the
extraction already parsed; the date by htmldate from a copy of the markup that declares dates (the
head, JSON-LD, `<time datetime>`, `<abbr>`), not from the body's text. trafilatura's `with_metadata`
gives these fields too, but on real pages it costs about half as much again as the text extraction
itself (wcxb-dev, 300 pages: 18.4 CPU-s with it, 12.1 without; most of it searching the body for
bylines, categories, tags and licences that sieve does not publish): README, "Speed".
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import htmldate
import lxml.etree
import lxml.html

# Dates only from explicit markup: htmldate's extensive search turns a "© 2024" footer into 2024-01-01.
DATE_PARAMS = {"extensive_search": False, "original_date": True}

_META = lxml.etree.XPath("//meta[@content]")
_TITLE = lxml.etree.XPath("//title")
_H1 = lxml.etree.XPath("//h1")
_LINK = lxml.etree.XPath("//link[@href]")
# Bylines marked up as such: a link to the author's page, or an element microdata names the author.
_BYLINE = lxml.etree.XPath("//*[@rel='author' or @itemprop='author'][not(self::link or self::meta)]")
_JSON_LD = lxml.etree.XPath("//script[@type='application/ld+json']/text()")
_DATE_MARKUP = lxml.etree.XPath("//body//script[@type='application/ld+json'] | //body//time[@datetime] | //body//abbr")
# A page that declares itself a product: schema.org in microdata or Open Graph, or a JSON-LD "@type".
# The microdata is found by testing the `itemtype` attributes alone (`//@itemtype[...]`): a test of
# every element's attribute (`//*[contains(@itemtype, ...)]`) costs three to four times as much.
_PRODUCT_MARKUP = lxml.etree.XPath(
    "//@itemtype[contains(., 'schema.org/Product')]"
    " | //meta[@property='og:type'][translate(@content, 'PRODUCT', 'product')='product']")
_PRODUCT_TYPE = re.compile(r'"@type"\s*+:\s*+"Product"')
# A page that declares itself one piece of writing (an article, a blog or forum post, a question):
# schema.org in microdata, Open Graph's article type, or a JSON-LD "@type".
_POST_MARKUP = lxml.etree.XPath(
    "//@itemtype[contains(., 'schema.org/Article') or contains(., 'schema.org/NewsArticle')"
    " or contains(., 'schema.org/BlogPosting') or contains(., 'schema.org/DiscussionForumPosting')"
    " or contains(., 'schema.org/QAPage') or contains(., 'schema.org/SocialMediaPosting')]"
    " | //meta[@property='og:type'][translate(@content, 'ARTICLE', 'article')='article']")
_POST_TYPE = re.compile(r'"@type"\s*+:\s*+"(?:\w{0,40}Article|BlogPosting|DiscussionForumPosting|QAPage'
                        r'|SocialMediaPosting)"')
# A page that declares itself a discussion: a forum thread, a question with its answers.
_DISCUSSION_MARKUP = lxml.etree.XPath(
    "//@itemtype[contains(., 'schema.org/DiscussionForumPosting') or contains(., 'schema.org/QAPage')]")
_DISCUSSION_TYPE = re.compile(r'"@type"\s*+:\s*+"(?:DiscussionForumPosting|QAPage)"')
MAX_JSON_LD_CHARS = 200_000  # a page's structured data is a few KB; beyond this it is something else
# What sites put between a headline and their name in <title>: "Headline | Site", "Site - Headline"
# (titles are whitespace-squashed first, so one space on each side).
_TITLE_SEPARATOR = re.compile(r" [|\-–—:·•»]{1,2}+ ")
MAX_FIELD_CHARS = 500


@dataclass(frozen=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    description: str | None = None
    hostname: str | None = None

    def fields(self) -> dict[str, str]:
        """The fields a record's `metadata` carries (the title has its own place)."""
        return {k: v for k in ("author", "date", "sitename", "hostname", "description")
                if (v := getattr(self, k))}


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_FIELD_CHARS]


def _declared(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """`<meta>` contents by lower-cased name or property, the first of each name winning."""
    found: dict[str, str] = {}
    for el in _META(tree):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and key not in found and (value := _squash(el.get("content"))):
            found[key] = value
    return found


def _declares(tree: lxml.html.HtmlElement, markup: lxml.etree.XPath, json_type: re.Pattern[str],
              max_block: int | None = MAX_JSON_LD_CHARS) -> bool:
    """Whether the page's microdata or Open Graph (`markup`) or a JSON-LD block of at most `max_block`
    characters (`json_type`) declares a type."""
    return bool(markup(tree)) or any(json_type.search(block) for block in _JSON_LD(tree)
                                     if max_block is None or len(block) <= max_block)


def declares_product(tree: lxml.html.HtmlElement) -> bool:
    """Whether the page says it is a product page (its comments are then reviews)."""
    return _declares(tree, _PRODUCT_MARKUP, _PRODUCT_TYPE, max_block=None)


def declares_post(tree: lxml.html.HtmlElement) -> bool:
    """Whether the page says it is one piece of writing: an article, a blog or forum post, a question."""
    return _declares(tree, _POST_MARKUP, _POST_TYPE)


def declares_discussion(tree: lxml.html.HtmlElement) -> bool:
    """Whether the page says it is a discussion (its replies are then its content): a forum thread or a
    question and its answers, in schema.org microdata or JSON-LD."""
    return _declares(tree, _DISCUSSION_MARKUP, _DISCUSSION_TYPE)


def _objects(value: object, depth: int = 0) -> Iterator[dict]:
    """Every JSON object in a JSON-LD value, `@graph`s and lists included (bounded depth)."""
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        yield from _objects(value.get("@graph"), depth + 1)


def _structured(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Author and publisher names declared in the page's JSON-LD (schema.org), where sites that
    leave them out of `<meta>` put them; a block that does not parse is skipped."""
    found: dict[str, str] = {}
    for block in _JSON_LD(tree):
        if len(block) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for obj in _objects(data):
            for key, field in (("author", "author"), ("publisher", "sitename")):
                for who in _objects(obj.get(key)):
                    if field not in found and isinstance(name := who.get("name"), str) and _squash(name):
                        found[field] = _squash(name)
    return found


def _bylines(tree: lxml.html.HtmlElement) -> Iterator[str]:
    for el in _BYLINE(tree):
        name = el.find(".//*[@itemprop='name']")
        yield _text(name if name is not None else el)


def _author(tree: lxml.html.HtmlElement, meta: dict[str, str], structured: dict[str, str]) -> str | None:
    """A declared author that reads as a name, not a profile URL or an address: from `<meta>`, the
    JSON-LD, or a byline marked up as one."""
    declared = [meta.get(k, "") for k in ("author", "article:author", "dc.creator", "parsely-author")]
    for author in itertools.chain(declared, [structured.get("author", "")], _bylines(tree)):
        if author and not author.lower().startswith("http") and "@" not in author and len(author) <= 120:
            return author
    return None


def _text(el: lxml.html.HtmlElement) -> str:
    return _squash(" ".join(el.itertext()))


def _title(tree: lxml.html.HtmlElement, meta: dict[str, str], sitename: str | None) -> str | None:
    """The headline, without the site's name that titles carry ("Headline | Site").

    Declared for sharing (og:title) or else `<title>`; where a separator splits it, the piece that
    is the page's `<h1>`, else the pieces that are not the site's name (the longest of them).
    Without either, the first `<h1>`."""
    headings = [t for el in _H1(tree) if (t := _text(el))]
    declared = next((t for k in ("og:title", "twitter:title", "title", "dc.title") if (t := meta.get(k))), None)
    title = declared or next((t for el in _TITLE(tree) if (t := _text(el))), None)
    if not title:
        return headings[0] if headings else None
    pieces = [p for p in _TITLE_SEPARATOR.split(title) if p.strip()]
    if len(pieces) < 2:
        return title
    if match := next((p for p in pieces if p in headings), None):
        return match
    site = (sitename or "").lower()
    named = [p for p in pieces if not site or p.lower() not in site]
    if declared and len(named) == len(pieces):
        return title  # a shared title without the site's name in it is the headline, separators and all
    return max(named or pieces, key=len)


def _hostname(tree: lxml.html.HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    """The site the page says it belongs to: its canonical link or og:url, else the URL it came from."""
    candidates = [el.get("href") for el in _LINK(tree) if (el.get("rel") or "").strip().lower() == "canonical"]
    candidates += [meta.get("og:url"), url]
    for candidate in candidates:
        if candidate and (host := urlparse(candidate.strip()).hostname):
            return host.removeprefix("www.")
    return None


def declared_dates(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A small page of the markup that declares dates: the `<head>`, and the body's JSON-LD blocks,
    `<time datetime>` and `<abbr>` elements (copies: `tree` is not changed)."""
    page = lxml.html.Element("html")
    if (head := tree.find("head")) is not None:
        page.append(copy.deepcopy(head))
    body = lxml.etree.SubElement(page, "body")
    for el in _DATE_MARKUP(tree):
        clone = copy.deepcopy(el)
        clone.tail = None
        body.append(clone)
    return page


def _date(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """htmldate on the markup that declares dates (and the URL), not on the body's text: that
    search (elements whose class says "date", date-shaped strings) costs two thirds of htmldate's
    time, and on wcxb-dev added 73 right dates of 689 against 20 wrong ones and 131 on pages whose
    gold has none (README, "Speed")."""
    try:
        return htmldate.find_date(declared_dates(tree), url=url, **DATE_PARAMS)
    except (ValueError, TypeError, lxml.etree.LxmlError):  # a page's markup htmldate cannot read: no date
        return None


def page_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> PageMetadata:
    """Metadata of the parsed page `tree` (not modified); `url`, where it came from, if known."""
    meta, structured = _declared(tree), _structured(tree)
    sitename = meta.get("og:site_name") or meta.get("application-name") or structured.get("sitename")
    return PageMetadata(
        title=_title(tree, meta, sitename),
        author=_author(tree, meta, structured),
        date=_date(tree, url),
        sitename=sitename,
        description=meta.get("description") or meta.get("og:description"),
        hostname=_hostname(tree, meta, url),
    )
