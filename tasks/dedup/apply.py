"""A dedup decision applied to a written record: moved to rejected as a copy, or its site
boilerplate lines cut (recorded as removals; the character accounting kept exact)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from config import Settings
from tasks.dedup.index import Copy
from tasks.dedup.signature import ShortLine
from tasks.text.measures import weight

DATASKETCH_VERSION = version("datasketch")
SITE_BOILERPLATE = "site_boilerplate"


@dataclass(frozen=True)
class Change:
    """What dedup does to one published record: reject it as `copy`, or cut its `boilerplate` lines."""

    copy: Copy | None = None
    boilerplate: tuple[ShortLine, ...] = ()


def apply_change(record: dict[str, Any], change: Change, settings: Settings) -> dict[str, Any]:
    """`record` (published) with `change` applied, in place."""
    if record.get("reject_reason"):
        return record
    if change.copy is not None:
        return _mark_copy(record, change.copy, settings)
    if change.boilerplate:
        _cut_lines(record, change.boilerplate, settings)
    return record


def _step(settings: Settings, **found: Any) -> dict[str, Any]:
    d = settings.dedup
    return {"name": "dedup", "library": f"sieve, datasketch {DATASKETCH_VERSION}",
            "parameters": {"threshold": d.threshold, "num_perm": d.num_perm, "word_ngram": d.word_ngram,
                           "char_ngram": d.char_ngram, **found}}


def _mark_copy(record: dict[str, Any], copy: Copy, settings: Settings) -> dict[str, Any]:
    where = f" (published by run {copy.earlier_run})" if copy.earlier_run else ""
    if copy.reason == "duplicate":
        error = f"same text, once normalized, as {copy.duplicate_of}{where}"
    else:
        error = (f"near duplicate of {copy.duplicate_of}{where}: estimated similarity {copy.similarity:.2f} "
                 f">= dedup.threshold={settings.dedup.threshold}")
    record["reject_reason"], record["error"] = copy.reason, error
    provenance = record["provenance"]
    provenance["duplicate_of"] = copy.duplicate_of
    provenance["similarity"] = copy.similarity
    if copy.earlier_run:
        provenance["duplicate_of_run"] = copy.earlier_run
    provenance["steps"].append(_step(settings, duplicate_of=copy.duplicate_of))
    return record


def _cut_lines(record: dict[str, Any], lines: tuple[ShortLine, ...], settings: Settings) -> None:
    """Cut whole published lines: each was one kept paragraph, so the removal takes all that paragraph kept."""
    text = record["text"].split("\n")
    provenance, cut = record["provenance"], {line.line for line in lines}
    for line in sorted(lines, key=lambda x: x.line):
        snippet = text[line.line] if len(text[line.line]) <= 80 else text[line.line][:79] + "…"
        provenance["removed"].append({"reason": SITE_BOILERPLATE, "rule": SITE_BOILERPLATE,
                                      "paragraph": line.paragraph, "start": line.start, "end": line.end,
                                      "chars": line.chars, "snippet": snippet})
    record["text"] = "\n".join(t for i, t in enumerate(text) if i not in cut)
    chars, taken = provenance["chars"], sum(line.chars for line in lines)
    chars["removed"] += taken
    chars["kept"] -= taken
    chars["published"] = len(record["text"])
    provenance["steps"].append(_step(settings, site_boilerplate_lines=len(lines)))
    minimum = settings.clean.min_doc_words
    if (words := weight(record["text"])) < minimum:
        record["reject_reason"] = "too_short"
        record["error"] = (f"{words:.1f} words ({len(record['text'])} chars) after cleaning and site boilerplate "
                           f"< clean.min_doc_words={minimum}")
