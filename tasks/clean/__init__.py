"""Cleaning: an ordered list of rules, each cutting one kind of noise.

The order matters: markup and injected strings first (they distort every other
measure), then repetition, boilerplate shapes and teaser blocks, then topic, then the main
region (which reads what the earlier rules removed), then injected words.
"""

from __future__ import annotations

from tasks.clean.base import Context, Rule
from tasks.clean.foreign import ForeignScript
from tasks.clean.injected_word import InjectedWord
from tasks.clean.injection import InjectedString
from tasks.clean.isolated import IsolatedParagraph
from tasks.clean.markup import MarkupResidue
from tasks.clean.region import MainRegion, RelatedList
from tasks.clean.repetition import RepeatedParagraph
from tasks.clean.shape import BoilerplateShape
from tasks.clean.teasers import Teasers
from tasks.clean.topic import OffTopic
from tasks.clean.trailing import TrailingMatter
from tasks.record import Document

RULES: list[type[Rule]] = [MarkupResidue, InjectedString, RelatedList, RepeatedParagraph, BoilerplateShape, Teasers,
                           TrailingMatter, ForeignScript, OffTopic, IsolatedParagraph, MainRegion, InjectedWord]
RULE_NAMES = [r.name for r in RULES]


def clean(doc: Document, ctx: Context) -> Document:
    disabled = set(ctx.settings.disabled_rules)
    for rule in RULES:
        if rule.name not in disabled:
            rule(ctx).run(doc)
    doc.steps.append({"name": "clean", "library": "sieve",
                      "parameters": {"rules": [r for r in RULE_NAMES if r not in disabled]}})
    return doc


__all__ = ["RULES", "RULE_NAMES", "Context", "clean"]
