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
HIDING = re.compile(rf"{HIDING_STYLE}|\bhidden\b", re.I)
# Where an opening tag may start: its name, the leading "<" possibly lost.
TAG_START = re.compile(rf"<?\b({TAG_NAMES})\b", re.I)
TAG_BOUNDARY = re.compile(r"[<>]")
# A comment ends at its "-->", and its scan at the next "<!--" (comments do not nest): a run of
# unclosed "<!--" is then read once, not again from each of them (quadratic).
ANY_TAG = re.compile(rf"</?\s*(?:{TAG_NAMES})\b[^<>]*/?>|<!--(?:(?!<!--|-->).)*+-->", re.I)
# An opening tag whose "<" was lost: `span style="...">`.
HEADLESS_TAG = re.compile(rf"\b(?:{TAG_NAMES})\s+(?:style|class|id|href|src)\s*=\s*[\"'][^\"'<>]*[\"']\s*/?>", re.I)


class MarkupResidue(Rule):
    name = "markup_residue"

    def run(self, doc: Document) -> None:
        for i, para in enumerate(doc.paragraphs):
            if "<" not in para.text and ">" not in para.text:
                continue
            while tag := hiding_tag(para.text):
                start, tag_end, name = tag
                closing = re.compile(rf"</\s*{name}\s*>", re.I).search(para.text, tag_end)
                end = closing.end() if closing else len(para.text)
                doc.remove(i, start, end, "hidden_markup", "hidden_tag_content")
            for rx, rule in ((ANY_TAG, "html_tag"), (HEADLESS_TAG, "html_tag")):
                while m := rx.search(para.text):
                    doc.remove(i, m.start(), m.end(), "markup", rule)


def hiding_tag(text: str) -> tuple[int, int, str] | None:
    """The first opening tag that hides its content: (start, end, tag name), or None.

    The match of `<?\\b(TAG_NAMES)\\b(?=[^<>]*HIDING)[^<>]*>`, found in linear time. As one regex
    it looks ahead from every tag-like word (English "a", "I", "b" are tag names) to the next "<" or
    ">", so a long paragraph with many of them took quadratic time. But only the first tag name
    between two angle brackets can start the match: a later one sees the same boundary and less
    of the text before it, so if the first fails, all fail, and the search moves to the boundary."""
    pos = 0
    while start := TAG_START.search(text, pos):
        boundary = TAG_BOUNDARY.search(text, start.end())
        if boundary is None:
            return None
        if boundary.group() == ">" and HIDING.search(text, start.end(), boundary.start()):
            return start.start(), boundary.end(), start.group(1)
        pos = boundary.start()
    return None
