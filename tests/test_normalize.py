"""Normalization of the kept text: OpenCC, Unicode form, whitespace, Chinese punctuation spacing."""

from __future__ import annotations

from tasks.stages.language import converter
from tasks.stages.normalize import keep_common_forms, normalize_paragraph


def test_traditional_is_converted_but_a_rare_standard_form_outside_the_bmp_is_not_forced():
    text = "李暐說，於是他們來到臺灣。"
    assert "\U0002c029" in converter("t2s").convert(text)  # OpenCC's standard form of 暐
    assert normalize_paragraph(text, True, "t2s", "NFC") == "李暐说，于是他们来到台湾。"


def test_common_forms_are_put_back_only_where_the_conversion_left_the_bmp():
    assert keep_common_forms("暐說", "\U0002c029说") == "暐说"
    assert keep_common_forms("說話", "说话") == "说话"  # nothing outside the BMP: as converted
    assert keep_common_forms("\U00020000說", "\U00020001说") == "\U00020001说"  # already outside: as converted


def test_spaces_before_chinese_punctuation_and_after_opening_quotes_go():
    assert normalize_paragraph("他说 ，“ 好 ” 。", True, None, "NFC") == "他说，“好”。"
