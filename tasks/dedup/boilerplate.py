"""Site boilerplate: short lines that recur on many pages of one host in a run.

Seen from one page a footer or disclaimer can read like content; seen across a
site's pages it is boilerplate. Counted over the documents kept after dedup (so
copies of one page do not make its headings look repeated), never on one page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tasks.dedup.signature import ShortLine, Signature


def site_boilerplate(signatures: Iterable[Signature], min_pages: int) -> dict[str, list[ShortLine]]:
    """Per document id, its short lines found on at least `min_pages` pages of its host (at least 2)."""
    if min_pages < 2:
        return {}
    with_host = [s for s in signatures if s.host and s.short_lines]
    pages: Counter[tuple[str, int]] = Counter()
    for sig in with_host:
        pages.update({(sig.host, line.hash) for line in sig.short_lines})
    found = {}
    for sig in with_host:
        if lines := [line for line in sig.short_lines if pages[(sig.host, line.hash)] >= min_pages]:
            found[sig.doc_id] = lines
    return found
