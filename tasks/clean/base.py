"""The shape every cleaning rule has: a name users can switch off and one `run`.

A rule only cuts spans out of `doc.paragraphs` through `doc.remove`, which
records the reason, rule and offsets; it never rewrites text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config import CleanSettings
from tasks.record import Document
from tasks.text.measures import weight
from tasks.text.words import content_tokens


@dataclass
class Context:
    """What the rules of one document share: its settings and its language."""

    settings: CleanSettings
    lang: str
    allowed_languages: list[str] = field(default_factory=list)
    # Topic test p-value per paragraph index, left by the off-topic rule for the
    # main-region rule (a long paragraph off the topic is weak evidence of body).
    topic_p: dict[int, float] = field(default_factory=dict)
    # Content tokens of the texts already read (rules read the same paragraphs again).
    _tokens: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    # Weights of the texts already measured (the list, shape and region rules all weigh each paragraph).
    _weights: dict[str, float] = field(default_factory=dict, repr=False)

    def content_tokens(self, text: str) -> tuple[str, ...]:
        """`tasks.text.words.content_tokens` in the document's language, memoized for the document."""
        toks = self._tokens.get(text)
        if toks is None:
            toks = self._tokens[text] = tuple(content_tokens(text, self.lang))
        return toks

    def weight(self, text: str) -> float:
        """`tasks.text.measures.weight`, memoized for the document."""
        w = self._weights.get(text)
        if w is None:
            w = self._weights[text] = weight(text)
        return w


class Rule:
    name = "rule"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings

    def run(self, doc: Document) -> None:
        raise NotImplementedError
