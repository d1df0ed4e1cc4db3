"""The records that travel through the pipeline.

One `Document` goes from reading to publishing. Its paragraphs keep the text as
extracted; cleaners never rewrite it, they cut spans out of it, so every removed
character stays accounted for (reason, rule, paragraph, offsets) and the kept
text is always "extracted minus cuts".
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Any

# What a record's provenance says about the run that published it: known only once the flow run exists.
RUN_FIELDS = ("pipeline_version", "config_sha256", "flow_run_id", "run_id")


@dataclass(frozen=True)
class Source:
    """Where the raw bytes came from: enough to go back to them."""

    uri: str
    kind: str  # file | http | warc
    retrieved_at: str
    sha256: str
    content_type: str | None = None
    encoding: str | None = None
    size: int = 0
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None


@dataclass(frozen=True)
class Removal:
    """One span removed from the extracted text, and why.

    `paragraph` is the index into the extracted paragraphs (None for text removed
    from markup before extraction, e.g. CSS-hidden elements); `start`/`end` are
    offsets into that paragraph as extracted; `chars` counts the characters that
    this removal took (spans of different rules never overlap).
    """

    reason: str
    rule: str
    paragraph: int | None
    start: int
    end: int
    chars: int
    snippet: str


class Paragraph:
    """Extracted text plus the spans cut from it, in extracted coordinates.

    Cleaners see `text` (what is still kept) and cut by offsets into it; the
    paragraph maps those back onto the extracted text.
    """

    __slots__ = ("_cuts", "_kept_offsets", "_kept_starts", "_text", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self._cuts: list[tuple[int, int]] = []  # sorted, disjoint, in original coordinates
        self._refresh()

    def _refresh(self) -> None:
        pieces, starts, offsets, pos, out = [], [], [], 0, 0
        for a, b in self._cuts:
            if a > pos:
                pieces.append(self.original[pos:a])
                starts.append(out)
                offsets.append(pos)
                out += a - pos
            pos = b
        if pos < len(self.original):
            pieces.append(self.original[pos:])
            starts.append(out)
            offsets.append(pos)
        self._text = "".join(pieces)
        self._kept_starts = starts  # start of each kept piece in `text`
        self._kept_offsets = offsets  # start of each kept piece in `original`

    @property
    def text(self) -> str:
        return self._text

    @property
    def dropped(self) -> bool:
        return not self._text.strip()

    def _to_original(self, i: int) -> int:
        k = bisect.bisect_right(self._kept_starts, i) - 1
        return self._kept_offsets[k] + (i - self._kept_starts[k])

    def cut(self, start: int, end: int) -> tuple[int, int, int]:
        """Cut text[start:end]; returns (orig_start, orig_end, chars)."""
        start, end = max(0, start), min(len(self._text), end)
        if end <= start:
            return (0, 0, 0)
        o_start, o_end = self._to_original(start), self._to_original(end - 1) + 1
        merged = [*self._cuts, (o_start, o_end)]
        merged.sort()
        out: list[tuple[int, int]] = []
        for a, b in merged:
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        self._cuts = out
        self._refresh()
        return (o_start, o_end, end - start)


@dataclass
class Document:
    """A page on its way through the pipeline."""

    source: Source
    raw: bytes | None = None
    text: str | None = None  # decoded input
    media: str = "text"  # text | html
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    paragraphs: list[Paragraph] = field(default_factory=list)
    lang: str | None = None
    script: str | None = None
    source_script: str | None = None
    lang_scores: dict[str, float] = field(default_factory=dict)
    paragraph_langs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    published_text: str = ""
    reject_reason: str | None = None
    error: str | None = None

    @property
    def id(self) -> str:
        """Stable across runs for the same source and content."""
        key = f"{self.source.uri}\n{self.source.sha256}".encode()
        return hashlib.sha256(key).hexdigest()[:24]

    @property
    def kept_paragraphs(self) -> list[str]:
        return [p.text for p in self.paragraphs if not p.dropped]

    def remove(self, index: int, start: int, end: int, reason: str, rule: str) -> int:
        """Cut a span of paragraph `index` (offsets into its current text)."""
        para = self.paragraphs[index]
        snippet = para.text[start:end]
        o_start, o_end, chars = para.cut(start, end)
        if chars:
            self.removed.append(Removal(reason, rule, index, o_start, o_end, chars, snip(snippet)))
        return chars

    def drop_paragraph(self, index: int, reason: str, rule: str) -> int:
        return self.remove(index, 0, len(self.paragraphs[index].text), reason, rule)

    def reject(self, reason: str, error: str | None = None) -> Document:
        self.reject_reason = self.reject_reason or reason
        self.error = self.error or error
        return self

    def record(self, run: dict[str, Any] | None = None) -> dict[str, Any]:
        """The published shape (see README, "Record format"). Without `run`, its fields are None until
        `stamp_run` fills them (a record made before its run's ids were known)."""
        run = run or {}
        source = {k: v for k, v in _fields(self.source).items() if v is not None}
        rec: dict[str, Any] = {
            "id": self.id,
            "text": self.published_text,
            "title": self.title,
            "lang": self.lang,
            "script": self.script,
            "metadata": self.metadata,
            "source": source,
            "provenance": {
                **{key: run.get(key) for key in RUN_FIELDS},
                "steps": self.steps,
                "lang_scores": self.lang_scores,
                "paragraph_langs": _counts(self.paragraph_langs),
                "source_script": self.source_script,
                "chars": self.char_accounting(),
                "removed": [_fields(r) for r in self.removed],
            },
        }
        if self.reject_reason:
            rec["reject_reason"] = self.reject_reason
            if self.error:
                rec["error"] = self.error
        return rec

    def char_accounting(self) -> dict[str, int]:
        extracted = sum(len(p.original) for p in self.paragraphs)
        kept = sum(len(p.text) for p in self.paragraphs)
        removed = sum(r.chars for r in self.removed if r.paragraph is not None)
        return {"extracted": extracted, "removed": removed, "kept": kept,
                "published": len(self.published_text)}


def stamp_run(record: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """Fill a record's run fields (`RUN_FIELDS` of its provenance, in place, keeping their order)."""
    provenance = record["provenance"]
    for key in RUN_FIELDS:
        provenance[key] = run.get(key)
    return record


def _fields(flat: Source | Removal) -> dict[str, Any]:
    """A flat dataclass's fields in order: `asdict` deep-copies every value (these are str, int, None),
    about ten times slower, once per removal of every document written."""
    return dict(vars(flat))


def snip(s: str, limit: int = 80) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _counts(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for it in items:
        out[it] = out.get(it, 0) + 1
    return out
