"""Skip trafilatura's readability/justext fallback when it cannot change the result.

After its own extraction, trafilatura (2.3.1, pinned; `external.compare_extraction`)
always runs readability on the page and keeps readability's text only if ours
is empty, if readability's is more than twice as long, or if ours is
structurally deficient (no paragraph text, or more tables than paragraphs);
justext is consulted only when our body holds "unclean" elements or is shorter
than `min_extracted_size`. Readability costs about a third of an extraction.

Readability's text is made of the page's own text nodes (scripts and styles
dropped, "VIDEO" written into video iframes), so it cannot be longer than the
page's whitespace-collapsed text. When our text is at least half of that, not
deficient, clean and long enough, every branch above keeps our text: the
comparison is skipped and the output is the same, byte for byte. Otherwise the
original comparison runs. `install()` puts the guard in front of
`trafilatura.core.compare_extraction` (the name its pipeline calls); it is
idempotent and changes no result anywhere in the process.
"""

from __future__ import annotations

from typing import Any

import trafilatura.core
from lxml.etree import XPath
from trafilatura.external import SANITIZED_XPATH, compare_extraction

_COLLAPSED_LENGTH = XPath("string-length(normalize-space(.))")  # in C, over the text nodes below a node
_VIDEO_MARK = len(" VIDEO")  # readability writes "VIDEO" into iframes it keeps (plus a space, collapsed)


def page_text_bound(tree: Any) -> int:
    """An upper bound on the length of readability's (whitespace-collapsed) text for `tree`.

    The page's text collapsed as normalize-space() does (never shorter than collapsed as Python's
    trim does), less the collapsed text of scripts and styles, which readability drops: taking a
    stretch out of a text shortens its collapsed form by at least the stretch's own collapsed length
    (its characters, and the spaces strictly inside it)."""
    dropped = sum(int(_COLLAPSED_LENGTH(el)) for el in tree.iter("script", "style")
                  if next(el.iterancestors("script", "style"), None) is None)  # each stretch once
    return int(_COLLAPSED_LENGTH(tree.getroottree())) - dropped + _VIDEO_MARK * sum(1 for _ in tree.iter("iframe"))


def fallback_cannot_win(raw_tree: Any, body: Any, text: str, options: Any) -> bool:
    """True when compare_extraction(..., body, text, options) would return (body, text) unchanged."""
    if options.focus != "balanced" or len(text) < max(1, options.min_extracted_size):
        return False
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False  # structurally deficient: readability may be preferred
    if body.xpath(SANITIZED_XPATH):
        return False  # "unclean": justext gets a say
    return 2 * len(text) >= page_text_bound(raw_tree)


def guarded_compare_extraction(cleaned_tree: Any, raw_tree: Any, body: Any, text: str,
                               options: Any) -> tuple[Any, str]:
    if fallback_cannot_win(raw_tree, body, text, options):
        return body, text
    return compare_extraction(cleaned_tree, raw_tree, body, text, options)


def install() -> None:
    trafilatura.core.compare_extraction = guarded_compare_extraction
