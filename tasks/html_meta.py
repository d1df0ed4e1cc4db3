"""Page metadata (title, author, date, site, description) from a parsed HTML tree.

trafilatura's `extract_metadata` also works out categories, tags and a licence,
which sieve does not publish: three more passes of XPath over every page, about
a fifth of the metadata time. `page_metadata` is the same function without them
(trafilatura 2.3.1, pinned), field for field what `bare_extraction(...,
with_metadata=True)` returns for the fields sieve keeps; tests/test_extract_fast.py
holds it to that on the HTML test set.

Dates come only from explicit markup: htmldate's extensive search turns a
"© 2024" footer into 2024-01-01.
"""

from __future__ import annotations

import logging

from courlan import extract_domain
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    Document,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

LOGGER = logging.getLogger(__name__)
DATE_PARAMS = {"extensive_search": False, "original_date": True}
FIELDS = ("title", "author", "date", "sitename", "hostname", "description")


def page_metadata(tree: HtmlElement) -> Document:
    """trafilatura.metadata.extract_metadata(tree, None, DATE_PARAMS) minus categories, tags, licence.

    Reads the tree, never changes it (author and date search work on copies)."""
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
