"""Boilerplate recognised by its shape: contact details, links standing alone,
pagination, copyright lines, breadcrumbs, keyword stuffing. Each check looks at the form of
a line (what it is made of), never at which site or topic it names.
"""

from __future__ import annotations

import re

from tasks.clean.base import Rule
from tasks.record import Document
from tasks.text.measures import NOT_INSIDE_SPACES, SENTENCE_END, URL, is_sentence_like, weight

# Tried only where a run of address characters starts (an address found inside a run extends to
# its start): from every position of a long run, the search would scan the rest of it each time.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
PHONE = re.compile(r"(?<![\w.])\+?\(?\d{2,4}\)?[-\s.]?\d{3,4}[-\s.]?\d{3,5}(?![\w.])")
COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|copyright\s|all rights reserved|版权所有|版權所有", re.I)
# A site licence or registration number (ICP备12345678号, 京公网安备 ...): footer furniture.
REGISTRATION = re.compile(r"[A-Z]{2,4}[备備]\s*\d{5,}|公[网網]安[备備]\s*\d{5,}|ICP\s*(?:证|證)\s*\d{5,}")
# What every COPYRIGHT (case-insensitive: only g and h have no other case forms in its words)
# and every REGISTRATION match holds: a quick test before the pattern itself.
COPYRIGHT_MARKS = ("\u00a9", "(", "gh", "gH", "Gh", "GH", "所有")
REGISTRATION_MARKS = ("备", "備", "ICP")
# Navigation chains ("Home > News > World"): short items joined by a directional separator.
# Separators with their spaces start NOT_INSIDE_SPACES (tasks/text/measures.py); the same below.
BREADCRUMB_SEPARATOR = re.compile(rf"{NOT_INSIDE_SPACES}\s*+(?:>>?|»|›|\uff1e|→)\s*+")  # > >> » › ＞ →
BREADCRUMB_MARK = re.compile(r"[>»›\uff1e→]")  # what every BREADCRUMB_SEPARATOR match holds
BREADCRUMB_ITEM_WORDS = 5
# Page links are small numbers; a 4-digit group makes it a phone number, an id or a date.
# Atomic: the runs of non-digits around each number never give characters back, so a long row of
# numbers that is not pagination fails in linear time (a plain group backtracks exponentially).
PAGINATION = re.compile(r"^(?>[\W_]*+\d{1,3}(?!\d)[\W_]*+){3,}$|^(?:page|第)\s*\d+\s*(?:of|/|页|頁)", re.I)
# Separators of keyword blocks; each split cuts at one of these characters at least.
STRONG_SEPARATOR_CHARS = "|｜丶•·/"
LIST_SEPARATOR_CHARS = ",，、;；"
STRONG_SEPARATORS = re.compile(rf"{NOT_INSIDE_SPACES}\s*+[{re.escape(STRONG_SEPARATOR_CHARS)}]++\s*+")
LIST_SEPARATORS = re.compile(rf"{NOT_INSIDE_SPACES}\s*+[{re.escape(LIST_SEPARATOR_CHARS)}]\s*+")
# A Latin full stop ends a sentence before a space; a CJK one needs no space after it.
LATIN_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
CJK_SENTENCE_END = re.compile(r"[\u3002\uff01\uff1f]")  # 。 ！ ？
# What every URL match holds (a quick test before URL itself).
MAYBE_URL = re.compile(r"://|www\.", re.I)
DATE_ONLY = re.compile(r"^[\d\s/:.\-年月日时分秒APMapm]+$")


def _holds_any(text: str, marks: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, marks))


def _breadcrumb(text: str) -> bool:
    """Two to seven short items chained by '>'-like separators, not a sentence."""
    if BREADCRUMB_MARK.search(text) is None or is_sentence_like(text):
        return False
    items = [seg for seg in BREADCRUMB_SEPARATOR.split(text.strip()) if seg.strip()]
    return 2 <= len(items) <= 7 and all(0 < weight(seg) <= BREADCRUMB_ITEM_WORDS for seg in items)


def _stuffed(text: str, min_segments: int, max_segment_words: float) -> bool:
    """Many short phrases strung on separators, hardly any sentence: a keyword block.

    (Each measure is taken when a test needs it, the cheapest first.)
    """
    sentences = repetitive = None
    for separators, chars, limit in ((STRONG_SEPARATORS, STRONG_SEPARATOR_CHARS, max_segment_words),
                                     (LIST_SEPARATORS, LIST_SEPARATOR_CHARS, max_segment_words / 3)):
        if sum(map(text.count, chars)) + 1 < min_segments:
            continue  # a split gives at most one segment more than the separator characters
        if separators is LIST_SEPARATORS and SENTENCE_END.search(text):
            continue  # commas and 、 inside a sentence list its items; a keyword block does not end like one
        segments = [seg for seg in separators.split(text) if seg.strip()]
        if len(segments) < min_segments:
            continue
        if sentences is None:
            sentences = len(LATIN_SENTENCE_END.findall(text)) + len(CJK_SENTENCE_END.findall(text))
        if sentences > len(segments) / 4:
            continue
        if sum(weight(seg) for seg in segments) / len(segments) <= limit:
            return True
        if repetitive is None:
            repetitive = _repetitive(text)
        if repetitive:
            return True
    return False


THREE_SPACES = re.compile(r"\s{3}")


def _repetitive(text: str) -> bool:
    """The same few words over and over: under half of the character trigrams are distinct."""
    if THREE_SPACES.search(text):
        grams = [text[i:i + 3] for i in range(len(text) - 2) if not text[i:i + 3].isspace()]
    else:  # no trigram is all spaces
        grams = list(map(str.__add__, map(str.__add__, text, text[1:]), text[2:]))
    return len(grams) >= 30 and len(set(grams)) < 0.5 * len(grams)


class BoilerplateShape(Rule):
    name = "boilerplate_shape"

    def classify(self, text: str) -> tuple[str, str] | None:
        w = self.ctx.weight(text)
        s = self.settings
        # (The cheap tests first: each check is a conjunction of pure tests.)
        email = "@" in text and EMAIL.search(text) is not None
        if email and w < 15:
            return ("contact", "email_line")
        if w < 8 and PHONE.search(text) and not is_sentence_like(text):
            return ("contact", "phone_line")
        if email and w < 40 and PHONE.search(text):
            return ("contact", "contact_block")  # both ways to reach someone: an imprint, not prose
        # A copyright or registration line; each further kind of footer furniture allows a longer one.
        marks = (_holds_any(text, COPYRIGHT_MARKS) and COPYRIGHT.search(text) is not None) \
            + (_holds_any(text, REGISTRATION_MARKS) and REGISTRATION.search(text) is not None)
        if marks and w < 30 * (marks + email + bool(PHONE.search(text))):
            return ("footer", "copyright_line")
        stripped = text.strip()
        # Both alternatives of PAGINATION are anchored at the start: search is match.
        if PAGINATION.match(stripped) or DATE_ONLY.match(stripped):
            return ("pagination", "numbers_only")
        if _breadcrumb(text):
            return ("navigation", "breadcrumb")
        if MAYBE_URL.search(text) and URL.search(text) and weight(URL.sub(" ", text)) < 15:
            return ("link", "url_line")
        if _stuffed(text, s.stuffing_min_segments, s.stuffing_max_segment_words):
            return ("keyword_stuffing", "separated_keywords")
        return None

    def run(self, doc: Document) -> None:
        for i, para in enumerate(doc.paragraphs):
            if para.dropped:
                continue
            if hit := self.classify(para.text):
                doc.drop_paragraph(i, *hit)
