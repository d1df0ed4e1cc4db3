"""Paragraphs that repeat: a headline printed again between sections, a date
line under every item of a related-articles list. The first occurrence stays
(it may be the real headline); later copies go.

A line that reads as code (`tasks.text.measures.CODE_LIKE`) stays however often it
repeats: a tutorial shows the same statement in one example after another.
"""

from __future__ import annotations

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import CODE_LIKE, squash


class RepeatedParagraph(Rule):
    name = "repeated_paragraph"

    def run(self, doc: Document) -> None:
        seen: set[str] = set()
        for i, para in enumerate(doc.paragraphs):
            key = squash(para.text)
            if len(key) < 2:
                continue
            if key in seen and not CODE_LIKE.search(para.text):
                doc.drop_paragraph(i, "repeated", self.name)
            seen.add(key)
