"""Blocks printed twice in a row: a page's markup repeated for another screen size
(a desktop and a mobile copy of the same section), a carousel's cloned slides, a
post shown again under itself. Two or more paragraphs followed at once by the
same paragraphs, in the same order, are one block printed again; the copies go
and the first stays.

One paragraph repeated on its own is not enough: a reply quotes the post above
it, a list repeats an item. Nor is a block too short to tell (a label and a
number): the block needs `MIN_BLOCK_CHARS` characters. A line of the copy that
reads as code stays: a tutorial shows the same statements again
(`tasks.text.measures.CODE_LIKE`, as `repeated_paragraph` does).
"""

from __future__ import annotations

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import CODE_LIKE, squash

MIN_BLOCK_PARAGRAPHS = 2
MAX_BLOCK_PARAGRAPHS = 40  # a bounded pass: a section repeated whole is rarely longer
MIN_BLOCK_CHARS = 20  # characters other than spaces, in the whole block


def doubled_blocks(keys: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every copy to cut in `keys`: a block of `MIN_BLOCK_PARAGRAPHS` or more keys
    followed at once by the same keys (and the copies after those)."""
    copies: list[tuple[int, int]] = []
    n, i = len(keys), 0
    while i < n:
        size = _block_at(keys, i)
        if not size:
            i += 1
            continue
        block, j = keys[i:i + size], i + size
        while keys[j:j + size] == block:
            copies.append((j, j + size))
            j += size
        i = j
    return copies


def _block_at(keys: list[str], i: int) -> int:
    """The length of the shortest block starting at `i` that is printed again right after it, or 0."""
    for size in range(MIN_BLOCK_PARAGRAPHS, min(MAX_BLOCK_PARAGRAPHS, (len(keys) - i) // 2) + 1):
        if (keys[i + size] == keys[i] and keys[i:i + size] == keys[i + size:i + 2 * size]
                and sum(map(len, keys[i:i + size])) >= MIN_BLOCK_CHARS):
            return size
    return 0


class DoubledBlock(Rule):
    name = "doubled_block"

    def run(self, doc: Document) -> None:
        kept = [i for i, para in enumerate(doc.paragraphs) if not para.dropped]
        keys = [squash(doc.paragraphs[i].text) for i in kept]
        for start, end in doubled_blocks(keys):
            for k in range(start, end):
                if not CODE_LIKE.search(doc.paragraphs[kept[k]].text):
                    doc.drop_paragraph(kept[k], "repeated", self.name)
