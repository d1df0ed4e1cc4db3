"""Find a record and show its extracted text with every removed span in place.

Records keep removals as (paragraph, start, end) offsets into the extracted
text; the extracted text itself is rebuilt from the source bytes (checked
against the recorded sha256) with the recorded extraction parameters.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from config import ExtractSettings
from tasks.output.publish import iter_records
from tasks.record import Document, Source
from tasks.stages.decode import decode
from tasks.stages.extract import extract

Segment = tuple[str, str | None]


def find_records(out: Path, prefix: str, limit: int = 10) -> list[dict[str, Any]]:
    """The records whose id starts with `prefix`, one per id: the record itself when the id is given whole,
    else at most `limit` + 1 (more than `limit` says "and more")."""
    found: dict[str, dict[str, Any]] = {}
    for record in iter_records(out):
        if record["id"] == prefix:
            return [record]
        if record["id"].startswith(prefix) and record["id"] not in found:
            found[record["id"]] = record
            if len(found) > limit:
                break
    return list(found.values())


def _source_bytes(source: dict[str, Any]) -> bytes | None:
    if source.get("kind") == "file":
        path = Path(unquote(urlparse(source["uri"]).path))
        return path.read_bytes() if path.exists() else None
    if source.get("warc_file") and source.get("warc_offset") is not None:
        from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415

        with open(source["warc_file"], "rb") as fh:
            fh.seek(source["warc_offset"])
            for rec in ArchiveIterator(fh):
                return rec.content_stream().read()
    return None


def reconstruct(record: dict[str, Any]) -> list[list[Segment]] | None:
    """Extracted paragraphs split into (text, removal reason or None) segments."""
    source = record["source"]
    raw = _source_bytes(source)
    if raw is None or hashlib.sha256(raw).hexdigest() != source.get("sha256"):
        return None
    params = next((s["parameters"] for s in record["provenance"]["steps"] if s["name"] == "extract"), {})
    settings = ExtractSettings(**{k: v for k, v in params.items() if k in ExtractSettings.model_fields})
    media = "html" if "html" in (source.get("content_type") or "") else "text"
    doc = Document(source=Source(**{k: source.get(k) for k in ("uri", "kind", "retrieved_at", "sha256")}),
                   media=media, text=decode(raw, None, html=media == "html").text)
    extract(doc, settings)
    removed: dict[int, list[tuple[int, int, str]]] = {}
    for r in record["provenance"]["removed"]:
        if r["paragraph"] is not None:
            removed.setdefault(r["paragraph"], []).append((r["start"], r["end"], f"{r['reason']}/{r['rule']}"))
    lines = []
    for i, para in enumerate(doc.paragraphs):
        text, pos, segs = para.original, 0, []
        for start, end, why in sorted(removed.get(i, [])):
            if start < pos:
                continue
            if start > pos:
                segs.append((text[pos:start], None))
            segs.append((text[start:end], why))
            pos = end
        if pos < len(text):
            segs.append((text[pos:], None))
        lines.append(segs)
    return lines
