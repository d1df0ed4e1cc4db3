"""Whole-document verdicts after cleaning: too little left, mostly spam, or a
language that is not published. A rejected document keeps its record and
reason in `rejected/`.
"""

from __future__ import annotations

from config import CleanSettings
from tasks.record import Document
from tasks.text.measures import weight

SPAM_REASONS = {"keyword_stuffing", "injected_string", "injected_word", "hidden_markup", "link", "related_list",
                "contact", "teasers"}


def spam_share(doc: Document) -> float:
    extracted = sum(len(p.original) for p in doc.paragraphs) or 1
    return sum(r.chars for r in doc.removed if r.reason in SPAM_REASONS and r.paragraph is not None) / extracted


def verdict(doc: Document, settings: CleanSettings, allowed_languages: list[str]) -> str | None:
    """The reason to reject `doc`, or None to publish it."""
    if allowed_languages and doc.lang not in allowed_languages:
        return f"language_{doc.lang or 'und'}"
    if spam_share(doc) >= settings.max_spam_share:
        return "mostly_spam"
    if weight(doc.published_text) < settings.min_doc_words:
        return "mostly_spam" if spam_share(doc) >= settings.max_spam_share / 2 else "too_short"
    return None
