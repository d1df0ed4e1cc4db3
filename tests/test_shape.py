"""tasks/clean/shape.py: the quick tests before a pattern never skip a text the pattern would match."""

from __future__ import annotations

import re
import sys

from tasks.clean.shape import (
    BREADCRUMB_MARK,
    BREADCRUMB_SEPARATOR,
    COPYRIGHT,
    COPYRIGHT_MARKS,
    LIST_SEPARATOR_CHARS,
    LIST_SEPARATORS,
    REGISTRATION,
    REGISTRATION_MARKS,
    STRONG_SEPARATOR_CHARS,
    STRONG_SEPARATORS,
    _holds_any,
)

CHARS = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_separator_chars_are_the_classes_of_the_separator_patterns():
    for pattern, chars in ((STRONG_SEPARATORS, STRONG_SEPARATOR_CHARS), (LIST_SEPARATORS, LIST_SEPARATOR_CHARS)):
        assert {c for c in CHARS if pattern.fullmatch(c) and not c.isspace()} == set(chars)


def test_breadcrumb_mark_is_in_every_breadcrumb_separator():
    assert {c for c in CHARS if BREADCRUMB_MARK.fullmatch(c)} == \
        {c for c in CHARS if BREADCRUMB_SEPARATOR.fullmatch(c) and not c.isspace()}
    assert BREADCRUMB_SEPARATOR.fullmatch(" >> ") and BREADCRUMB_MARK.search(" >> ")


def test_copyright_matches_hold_a_copyright_mark():
    """Case-insensitive matching gives g and h no other form than G and H, so 'gh' in any case
    is in every 'copyright' and 'all rights reserved'."""
    assert [c for c in CHARS if re.fullmatch("g", c, re.I)] == ["G", "g"]
    assert [c for c in CHARS if re.fullmatch("h", c, re.I)] == ["H", "h"]
    lines = ["\u00a9 2024 Example", "(C) 2019 someone", "COPYRIGHT 2020", "Copyright\u00a0notice",
             "All Rights Reserved.", "ALL RIGHTS RESERVED", "版权所有", "版權所有 翻印必究"]
    for line in lines:
        assert COPYRIGHT.search(line) and _holds_any(line, COPYRIGHT_MARKS), line


def test_registration_matches_hold_a_registration_mark():
    for line in ["京ICP备12345678号", "粤公网安备 44030502000001号", "ICP证 100101", "滬ICP備 2000123號"]:
        assert REGISTRATION.search(line) and _holds_any(line, REGISTRATION_MARKS), line
