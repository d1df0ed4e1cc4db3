"""Paragraphs whose script alone says they are in a language not published
(Cyrillic or Thai spam in an English page, say). Latin paragraphs are never
judged here: their script does not say which language they are in.
"""

from __future__ import annotations

from tasks.clean.base import Rule
from tasks.language import paragraph_script_lang
from tasks.record import Document


class ForeignScript(Rule):
    name = "foreign_script"

    def run(self, doc: Document) -> None:
        allowed = set(self.ctx.allowed_languages)
        if not allowed:
            return
        for i, para in enumerate(doc.paragraphs):
            if para.dropped:
                continue
            lang = paragraph_script_lang(para.text)
            if lang and lang not in allowed and lang != self.ctx.lang:
                doc.drop_paragraph(i, "foreign_language", self.name)
