"""Kept paragraphs to published text: script conversion, Unicode, whitespace.

Runs after cleaning, on what is kept; it changes characters but removes no
content, so accounting holds "up to normalization".
"""

from __future__ import annotations

import re
import unicodedata
from importlib.metadata import version

from config import NormalizeSettings
from tasks.record import Document
from tasks.stages.language import converter

OPENCC_VERSION = version("opencc")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000\ufeff]+")
# Punctuation that takes no space before it in Chinese text (half- and full-width).
_CJK_PUNCT = r"，。、：；！？”’）》」』】〕,.:;!?)"
# From the start of a run of spaces only: from each of its positions, a long run followed by no
# punctuation would be scanned again (quadratic).
_SPACE_BEFORE_PUNCT = re.compile(rf"(?<!\s)\s++(?=[{_CJK_PUNCT}])")
_SPACE_AFTER_OPEN = re.compile(r"(?<=[“‘（《「『【〔(])\s+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e]")
_SUPPLEMENTARY_HAN = re.compile(r"[\U00020000-\U0003ffff]")


def keep_common_forms(source: str, converted: str) -> str:
    """`converted` with the characters OpenCC moved out of the Basic Multilingual Plane put back.

    OpenCC's t2s follows the 2013 standard list, whose simplified forms of a few rare characters
    (暐 -> U+2C029, in CJK Extension E) most fonts, keyboards and Simplified web text never use:
    the common form stays. Only when the conversion kept the length (character for character)."""
    if not _SUPPLEMENTARY_HAN.search(converted) or len(converted) != len(source):
        return converted
    return "".join(a if ord(b) > 0xFFFF and ord(a) <= 0xFFFF else b for a, b in zip(source, converted, strict=True))


def normalize_paragraph(text: str, chinese: bool, opencc_config: str | None, form: str) -> str:
    text = unicodedata.normalize(form, _CONTROL.sub("", text))
    if opencc_config:
        text = keep_common_forms(text, converter(opencc_config).convert(text))
    text = _SPACES.sub(" ", text).strip()
    if chinese:
        text = _SPACE_BEFORE_PUNCT.sub("", text)
        text = _SPACE_AFTER_OPEN.sub("", text)
    return text


def normalize(doc: Document, settings: NormalizeSettings) -> Document:
    """Set `doc.published_text` (and the published script) from the kept paragraphs."""
    chinese = doc.lang == "zh"
    config = settings.opencc.get(doc.lang or "", "none")
    config = None if config in ("none", "", None) else config
    paragraphs = [normalize_paragraph(p, chinese, config, settings.unicode_form) for p in doc.kept_paragraphs]
    doc.published_text = "\n".join(p for p in paragraphs if p)
    if doc.title:
        doc.title = normalize_paragraph(doc.title, chinese, config, settings.unicode_form)
    if chinese:
        doc.script = {"t2s": "Hans", "tw2sp": "Hans", "hk2s": "Hans", "s2t": "Hant", "s2tw": "Hant",
                      "s2twp": "Hant", "s2hk": "Hant"}.get(config or "", doc.source_script)
    doc.steps.append({"name": "normalize", "library": f"opencc {OPENCC_VERSION}",
                      "parameters": {"opencc": config, "unicode": settings.unicode_form}})
    return doc

