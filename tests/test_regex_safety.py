"""Every regular expression in sieve runs in bounded time on hostile text: no nested or adjacent
quantifiers that backtrack exponentially (a table row once held a worker for hours), and no
pattern that rescans a long run from each of its positions.

The patterns are found, not listed: every module under tasks/, flows/, config/ and runtime/ is
imported and its compiled patterns collected (module level, in dicts, lists and tuples, and as
class attributes), so a new pattern is covered by this test as soon as it exists.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator

import pytest

from tasks.stages.budget import CpuBudget, OverBudget

PACKAGES = ("tasks", "flows", "config", "runtime")
# Modules whose import starts something (none since runtime/warm.py is gone).
SKIP_MODULES: set[str] = set()
LENGTH = 10_000
# CPU seconds for all the hostile strings of one pattern (about 1,500 searches and matches): a linear
# pattern needs a few hundredths; the quadratic ones fixed here took 4 to 15 seconds at this length.
LIMIT = 1.0
# Runs of one kind of character, and rows alternating kinds (a sports table's row, a CSV line, ...).
UNITS = ["7", "a", "Z", " ", "\t", "\u3000", ".", "|", "-", "_", "@", "<", ">", "{", "'", "中", "。", "，",
         "| 34 | 29 | .540 | 11.5 | 17-16 ", "12,345.67;", "a.", "a ", "1 ", "a@", "x=", "www.", "第 1 页 ",
         "> ", "» ", "©", "备 1", "<span style='display:none' ", "display : none ", "left:-9999", "a'", "1/1/",
         "2024年1月1日", "<!--", " ,", "a_", "页", "\u00a0", "<meta ", "1.1.", "a-b ", "中文 ", "--"]
# What follows the run: nothing, or a character that makes an anchored or greedy pattern fail at the end.
TAILS = ["", "!", "\x00", "x", "a@b"]


def _modules() -> Iterator[object]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if info.name not in SKIP_MODULES:
                yield importlib.import_module(info.name)


def _patterns_in(owner: str, namespace: dict[str, object]) -> Iterator[tuple[str, re.Pattern]]:
    for key, value in namespace.items():
        if isinstance(value, re.Pattern):
            yield f"{owner}.{key}", value
        elif isinstance(value, dict):
            yield from ((f"{owner}.{key}[{k!r}]", v) for k, v in value.items() if isinstance(v, re.Pattern))
        elif isinstance(value, list | tuple | frozenset | set):
            yield from ((f"{owner}.{key}[{i}]", v) for i, v in enumerate(value) if isinstance(v, re.Pattern))


def project_patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern of the project's modules, each once, named by every place that holds it
    (a module that imports a pattern holds it too; `re` returns one object for equal patterns)."""
    names: dict[int, list[str]] = {}
    patterns: dict[int, re.Pattern] = {}
    for module in _modules():
        items = list(_patterns_in(module.__name__, vars(module)))
        for key, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                items += _patterns_in(f"{module.__name__}.{key}", vars(value))
        for name, pattern in items:
            names.setdefault(id(pattern), []).append(name)
            patterns[id(pattern)] = pattern
    return {" = ".join(sorted(names[key])): pattern for key, pattern in patterns.items()}


PATTERNS = project_patterns()
HOSTILE = [unit * (LENGTH // len(unit)) + tail for unit in UNITS for tail in TAILS]


def test_the_patterns_are_found_where_they_live():
    places = {place for name in PATTERNS for place in name.split(" = ")}
    assert {"tasks.clean.shape.PAGINATION", "tasks.stages.language.SCRIPTS['kana']",
            "tasks.text.words.ASCII_EN_TOKEN", "tasks.stages.decode._META_CHARSET",
            "tasks.clean.markup.TAG_START"} <= places
    assert len(PATTERNS) > 50


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_bounded_time_on_hostile_text(name):
    pattern = PATTERNS[name]
    texts = [t.encode() for t in HOSTILE] if isinstance(pattern.pattern, bytes) else HOSTILE
    started = time.process_time()
    try:
        with CpuBudget(LIMIT) as budget:
            for text in texts:
                budget.stage(f"{text[:24]!r}... ({len(text)} chars)")
                pattern.search(text)
                pattern.match(text)
                pattern.fullmatch(text)
    except OverBudget as exc:
        pytest.fail(f"{name} = {pattern.pattern!r} took more than {LIMIT} CPU-s on hostile text, "
                    f"stopped on {exc.stage}")
    assert time.process_time() - started < 2 * LIMIT  # a budget checked between strings only


def test_a_hiding_tag_is_found_in_linear_time_after_many_tag_like_words():
    """"a", "I", "b" are tag names: each used to look ahead to the next bracket (7 s at 20k chars)."""
    from tasks.clean.markup import hiding_tag  # noqa: PLC0415

    words = "a " * 10_000
    hidden = '<span style="display:none">'
    with CpuBudget(LIMIT):
        assert hiding_tag(words + ">") is None
        assert hiding_tag(words + hidden + "spam</span>") == (len(words), len(words) + len(hidden), "span")
