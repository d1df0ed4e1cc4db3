"""Page metadata (title, author, date, site, description) from a parsed HTML tree.

trafilatura's `extract_metadata` also works out categories, tags and a licence,
which sieve does not publish: three more passes of XPath over every page, about
a fifth of the metadata time. `page_metadata` is the same function without them
(trafilatura 2.3.1, pinned), field for field what `bare_extraction(...,
with_metadata=True)` returns for the fields sieve keeps; tests/test_extract_fast.py
holds it to that on the HTML test set.

The author search gives trafilatura's `extract_author` answer without copying
and pruning the whole page first (two XPath passes over every element, 0.3 ms):
the author expressions run on the page as it is, and each candidate is checked
for what the pruning would have done to it (an ancestor removed: it is gone;
a descendant removed: the original function decides). tests/test_extract_fast.py
holds the two to the same answer.

Dates come only from explicit markup: htmldate's extensive search turns a
"© 2024" footer into 2024-01-01.
"""

from __future__ import annotations

import logging
import re

from courlan import extract_domain
from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import (
    AUTHOR_DISCARD_XPATHS,
    AUTHOR_XPATHS,
    META_URL,
    Document,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
    normalize_authors,
)
from trafilatura.metadata import extract_author as _pruned_page_author
from trafilatura.utils import trim
from trafilatura.xpaths import REGEXP_NS

LOGGER = logging.getLogger(__name__)
DATE_PARAMS = {"extensive_search": False, "original_date": True}
FIELDS = ("title", "author", "date", "sitename", "hostname", "description")
AUTHOR_MAX_CHARS = 120  # extract_author's len_limit for extract_metainfo (an author is 3 to 119 characters)


_PATH_START = re.compile(r"(^|\|)\s*\.?//")


def _on_axis(xpath: XPath, axis: str) -> XPath:
    """A page-wide expression (`.//*[...]`, `//time|//figure`) along one axis of an element instead."""
    return XPath(_PATH_START.sub(rf"\1{axis}::", xpath.path.strip()), namespaces={"re": REGEXP_NS})


_DISCARDED_ABOVE = [_on_axis(x, "ancestor-or-self") for x in AUTHOR_DISCARD_XPATHS]
_DISCARDED_BELOW = [_on_axis(x, "descendant") for x in AUTHOR_DISCARD_XPATHS]


def extract_author(tree: HtmlElement) -> str | None:
    """trafilatura.metadata.extract_author(tree), reading the page in place.

    trafilatura prunes a copy of the page (comments, sidebars, dates, figures: the discard
    expressions) and takes the first author candidate whose text fits. Pruning keeps the
    survivors' order and, for a candidate with nothing pruned inside it, its text; so
    candidates inside pruned parts are skipped, and a candidate with a pruned part inside it
    (or a page with a `rel` element, which an author expression tests by its text) goes to
    trafilatura's own function."""
    if tree.find(".//rel") is not None:
        return _pruned_page_author(tree)
    for expression in AUTHOR_XPATHS:
        for elem in expression(tree):
            if any(x(elem) for x in _DISCARDED_ABOVE):
                continue
            if any(x(elem) for x in _DISCARDED_BELOW):
                return _pruned_page_author(tree)
            content = trim(" ".join(elem.itertext()))
            if content and 2 < len(content) < AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


def page_metadata(tree: HtmlElement) -> Document:
    """trafilatura.metadata.extract_metadata(tree, None, DATE_PARAMS) minus categories, tags, licence.

    Reads the tree, never changes it (the author search reads it in place, or prunes a copy; the
    date search works on a copy)."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as err:  # noqa: BLE001 - as trafilatura: bugs in its JSON-LD parser
        LOGGER.warning("error in JSON metadata extraction: %s", err)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, None)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **DATE_PARAMS, url=metadata.url)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata
