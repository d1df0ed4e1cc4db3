"""Local inputs (files, folders, WARC files) to `Document`s with their raw bytes.

Inputs are listed lazily and in a stable order, so shards are the same on every
run whatever the number of workers. Nothing is skipped silently: a file that
cannot be read becomes a rejected document carrying the reason.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from config import ReadSettings
from tasks.record import Document, Source

HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
WARC_EXTENSIONS = (".warc", ".warc.gz")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iter_input_files(paths: Iterable[str | Path], settings: ReadSettings) -> Iterator[Path]:
    """Every file under `paths` (files or folders), sorted within each folder.

    Files whose extension is not an input type are still yielded when named
    explicitly; inside folders only known extensions are taken (a folder of pages
    often holds other things, e.g. a gold file).
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(tuple(settings.extensions)) and not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


def first_of_each_file(files: Iterable[Path], seen: set[str]) -> Iterator[Path]:
    """`files` without those met before (in `seen`, updated): by real path, so a file reached twice (a folder and a
    path in it, a symlink, `a/../a/x`) is read once, where the plan meets it first."""
    for path in files:
        real = os.path.realpath(path)  # never raises, even on a symlink loop (read_file rejects that one)
        if real not in seen:
            seen.add(real)
            yield path


def _media_for(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith(HTML_EXTENSIONS):
        return "html"
    if lower.endswith((".txt", ".text")):
        return "text"
    sniff = head[:1024].lstrip().lower()
    return "html" if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff else "text"


def read_file(path: Path, settings: ReadSettings) -> Document:
    """Read one local page; unreadable, empty or oversized files come back rejected."""
    uri = path.resolve().as_uri()
    retrieved = now_iso()
    try:
        # Hashed in chunks; the bytes are kept only while they fit in `max_bytes`, so an
        # oversized file costs one chunk of memory, not its size.
        keep = path.stat().st_size <= settings.max_bytes
        size = 0
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                if not chunks or (keep and size <= settings.max_bytes):
                    chunks.append(chunk)  # the first chunk always: it tells HTML from text
                else:
                    keep = False
        head = b"".join(chunks)
    except OSError as exc:
        source = Source(uri=uri, kind="file", retrieved_at=retrieved, sha256="")
        return Document(source=source).reject("unreadable", f"{type(exc).__name__}: {exc}")
    media = _media_for(path.name, head)
    source = Source(uri=uri, kind="file", retrieved_at=retrieved, sha256=digest.hexdigest(),
                    content_type="text/html" if media == "html" else "text/plain", size=size)
    doc = Document(source=source, media=media)
    if size == 0:
        return doc.reject("empty", "file has no bytes")
    if size > settings.max_bytes:
        return doc.reject("too_large", f"{size} bytes > read.max_bytes={settings.max_bytes}")
    doc.raw = head
    return doc


def read_inputs(path: Path, settings: ReadSettings) -> Iterator[Document]:
    """Documents from one input file: a page, or every response in a WARC file."""
    if path.name.lower().endswith(WARC_EXTENSIONS):
        from tasks.inputs.warc import read_warc  # noqa: PLC0415 - warcio only when needed

        yield from read_warc(path, settings)
    else:
        yield read_file(path, settings)
