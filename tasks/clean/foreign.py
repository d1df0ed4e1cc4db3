"""Paragraphs whose script alone says they are in a language not published
(Cyrillic or Thai spam in an English page, say). Latin paragraphs are never
judged here: their script does not say which language they are in.
"""

from __future__ import annotations

import re

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.stages.language import LANGDETECT_ALLOWED, SCRIPT_LANG, SCRIPTS, dominant_script, script_units

# The languages each non-Latin script is written in (Latin says nothing).
SCRIPT_LANGUAGES: dict[str, set[str]] = {
    **{script: {lang} for script, lang in SCRIPT_LANG.items()},
    **{script: langs for script, langs in LANGDETECT_ALLOWED.items() if langs},
}


def any_character_of(scripts: set[str]) -> re.Pattern[str]:
    """A pattern finding any character of these scripts: one character class (each SCRIPTS
    pattern is one class, some repeated), which `re` scans far faster than an alternation."""
    return re.compile("[" + "".join(SCRIPTS[s].pattern.removesuffix("+")[1:-1] for s in sorted(scripts)) + "]")


class ForeignScript(Rule):
    name = "foreign_script"

    def run(self, doc: Document) -> None:
        allowed = set(self.ctx.allowed_languages)
        if not allowed:
            return
        # A paragraph's dominant script is one it has characters of: only paragraphs with characters
        # of a script that names a language not published can go (a quick test before the count).
        published = allowed | {self.ctx.lang}
        foreign = {script for script, langs in SCRIPT_LANGUAGES.items() if not langs & published}
        if not foreign:
            return
        may_go = any_character_of(foreign)
        for i, para in enumerate(doc.paragraphs):
            if para.dropped or not may_go.search(para.text):
                continue
            if dominant_script(script_units(para.text)) in foreign:
                doc.drop_paragraph(i, "foreign_language", self.name)
