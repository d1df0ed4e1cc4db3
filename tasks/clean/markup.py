"""Markup left in text: tags that leaked into scraped text, and what they hid.

A tag that hides its content (an inline style of tasks/stages/hiding.py: `display:none`,
`visibility:hidden`, far off the screen; the `hidden` attribute) takes its
content with it, up to its closing tag or the end of the paragraph: a browser
would not have shown that text.
"""

from __future__ import annotations

import re

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.stages.hiding import HIDING_STYLE

TAG_NAMES = ("a|abbr|b|big|blockquote|br|center|code|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|"
             "label|li|mark|nav|ol|p|pre|q|s|script|section|small|span|strike|strong|style|sub|sup|"
             "table|tbody|td|th|thead|tr|tt|u|ul|iframe|noscript|article|aside|footer|header|button")
_HIDING = rf"(?:{HIDING_STYLE}|\bhidden\b)"
# An opening tag that hides its content; the leading "<" may have been lost.
HIDING_TAG = re.compile(rf"<?\b({TAG_NAMES})\b(?=[^<>]*{_HIDING})[^<>]*>", re.I)
ANY_TAG = re.compile(rf"</?\s*(?:{TAG_NAMES})\b[^<>]*/?>|<!--.*?-->", re.I)
# An opening tag whose "<" was lost: `span style="...">`.
HEADLESS_TAG = re.compile(rf"\b(?:{TAG_NAMES})\s+(?:style|class|id|href|src)\s*=\s*[\"'][^\"'<>]*[\"']\s*/?>", re.I)


class MarkupResidue(Rule):
    name = "markup_residue"

    def run(self, doc: Document) -> None:
        for i, para in enumerate(doc.paragraphs):
            if "<" not in para.text and ">" not in para.text:
                continue
            while m := HIDING_TAG.search(para.text):
                closing = re.compile(rf"</\s*{m.group(1)}\s*>", re.I).search(para.text, m.end())
                end = closing.end() if closing else len(para.text)
                doc.remove(i, m.start(), end, "hidden_markup", "hidden_tag_content")
            for rx, rule in ((ANY_TAG, "html_tag"), (HEADLESS_TAG, "html_tag")):
                while m := rx.search(para.text):
                    doc.remove(i, m.start(), m.end(), "markup", rule)
