"""Paragraphs whose script alone says they are in a language not published
(Cyrillic or Thai spam in an English page, say). Latin paragraphs are never
judged here: their script does not say which language they are in.
"""

from __future__ import annotations

import re

from tasks.clean.base import Rule
from tasks.language import SCRIPT_LANG, SCRIPTS, paragraph_script_lang
from tasks.record import Document


class ForeignScript(Rule):
    name = "foreign_script"

    def run(self, doc: Document) -> None:
        allowed = set(self.ctx.allowed_languages)
        if not allowed:
            return
        # A paragraph's dominant script is one it has characters of: only paragraphs with characters
        # of a script that names a language not published can go (a quick test before the count).
        foreign = [SCRIPTS[script].pattern for script, lang in SCRIPT_LANG.items()
                   if lang not in allowed and lang != self.ctx.lang]
        if not foreign:
            return
        may_go = re.compile("|".join(foreign))
        for i, para in enumerate(doc.paragraphs):
            if para.dropped or not may_go.search(para.text):
                continue
            lang = paragraph_script_lang(para.text)
            if lang and lang not in allowed and lang != self.ctx.lang:
                doc.drop_paragraph(i, "foreign_language", self.name)
