"""tasks/clean/foreign.py: the quick test finds exactly the characters of the scripts it is made of."""

from __future__ import annotations

import re

from tasks.clean.foreign import SCRIPT_LANGUAGES, any_character_of
from tasks.stages.language import SCRIPTS


def test_each_script_pattern_is_one_character_class_of_the_basic_plane():
    assert all(re.fullmatch(r"\[[^\[\]]+\]\+?", rx.pattern) and "\\U" not in rx.pattern for rx in SCRIPTS.values())


def test_any_character_of_is_the_union_of_the_script_classes():
    chars = [chr(c) for c in range(0x1_0000) if not 0xD800 <= c <= 0xDFFF]
    for scripts in ({"cyrillic"}, {"thai", "greek"}, set(SCRIPT_LANGUAGES), set(SCRIPTS)):
        pattern = any_character_of(scripts)
        expected = {c for c in chars if any(SCRIPTS[s].fullmatch(c) for s in scripts)}
        assert {c for c in chars if pattern.fullmatch(c)} == expected, scripts
