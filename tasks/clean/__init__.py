"""Cleaning: an ordered list of rules, each cutting one kind of noise.

The order matters: markup and injected strings first (they distort every other
measure), then repetition, boilerplate shapes and teaser blocks, then topic, then the main
region (which reads what the earlier rules removed), then injected words.
"""

from __future__ import annotations

from config import CleanSettings
from tasks.clean.base import Context, Rule
from tasks.clean.doubled import DoubledBlock
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

RULES: list[type[Rule]] = [MarkupResidue, InjectedString, RelatedList, DoubledBlock, RepeatedParagraph,
                           BoilerplateShape, Teasers, TrailingMatter, ForeignScript, OffTopic, IsolatedParagraph,
                           MainRegion, InjectedWord]
RULE_NAMES = [r.name for r in RULES]
# The pass that drops hidden HTML elements before trafilatura (tasks/stages/extract.py): a rule of
# HTML only, switched on for HTML like the others, by naming it in `clean.html_rules`.
HIDDEN_ELEMENT = "hidden_element"
HTML_RULE_NAMES = [HIDDEN_ELEMENT, *RULE_NAMES]


def active_rules(media: str, settings: CleanSettings, lang: str | None = None) -> list[type[Rule]]:
    """The rules that run on a document of this media type (and language), in order.

    On HTML, trafilatura has already chosen the content by its markup, and the rules written for
    scraped plain text cut more content than noise in what it keeps (measured on real pages:
    `sieve eval --html-gold`, README "Cleaning rules"); only those in `clean.html_rules` run there,
    and those `clean.html_rules_by_language` names for the document's language."""
    disabled = set(settings.disabled_rules)
    by_language = settings.html_rules_by_language.get(lang or "", [])
    wanted = {*settings.html_rules, *by_language} if media == "html" else set(RULE_NAMES)
    return [rule for rule in RULES if rule.name in wanted and rule.name not in disabled]


def clean(doc: Document, ctx: Context) -> Document:
    rules = active_rules(doc.media, ctx.settings, ctx.lang)
    for rule in rules:
        rule(ctx).run(doc)
    doc.steps.append({"name": "clean", "library": "sieve", "parameters": {"rules": [r.name for r in rules]}})
    return doc


__all__ = ["HIDDEN_ELEMENT", "HTML_RULE_NAMES", "RULES", "RULE_NAMES", "Context", "active_rules", "clean"]
