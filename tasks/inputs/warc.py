"""WARC files: what a fetch run saw, on disk, and WARC inputs read back as documents.

Every HTTP exchange of a run (pages, redirects, errors, robots.txt) goes into
one gzipped WARC file, so a published record can point at the exact bytes it
came from (`Source.warc_file` / `warc_record_id` / `warc_offset`), and a failure
without a response still leaves a `metadata` record saying what went wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from config import ReadSettings
from tasks.inputs.read import InputError, file_uri, now_iso, open_input
from tasks.record import Document, Source

# Hop-by-hop framing is undone before the body is stored; keeping the header would
# make readers try to de-chunk a body that is no longer chunked.
_DROP_RESPONSE_HEADERS = {"transfer-encoding"}


@dataclass(frozen=True)
class RecordRef:
    """Where one record sits: enough to seek straight to it."""

    warc_file: str
    record_id: str
    offset: int


@dataclass
class HttpExchange:
    """One request and the response to it, body as received (content-encoded)."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes = b""
    http_version: str = "HTTP/1.1"
    method: str = "GET"
    ip: str | None = None
    truncated: str | None = None  # WARC-Truncated: length | time | disconnect | unspecified


@dataclass
class WarcArchive:
    """A thread-safe, append-only gzipped WARC writer; one file per run.

    Opened in append mode: a run that died midway and resumes under the same run id
    keeps what was already written (each record is its own gzip member).
    """

    path: Path
    label: str | None = None  # written into Source.warc_file; defaults to the path
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.label = self.label or str(self.path)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        self._lock = threading.Lock()
        if self._fh.tell() == 0:
            fields = {"software": "sieve", "format": "WARC File Format 1.1", **self.info}
            self._write(self._writer.create_warcinfo_record(self.path.name, fields))

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()

    def _write(self, record: Any) -> int:
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()  # a crash leaves every finished record readable
        return offset

    def write_exchange(self, ex: HttpExchange) -> RecordRef:
        """A request record and its response record; returns the response's place."""
        parts = urlsplit(ex.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        req_http = StatusAndHeaders(f"{ex.method} {target} {ex.http_version}", ex.request_headers,
                                    protocol=ex.http_version, is_http_request=True)
        headers = [(k, v) for k, v in ex.response_headers if k.lower() not in _DROP_RESPONSE_HEADERS]
        resp_http = StatusAndHeaders(f"{ex.status} {ex.reason}".strip(), headers, protocol=ex.http_version)
        warc_headers: dict[str, str] = {}
        if ex.ip:
            warc_headers["WARC-IP-Address"] = ex.ip
        if ex.truncated:
            warc_headers["WARC-Truncated"] = ex.truncated
        with self._lock:
            response = self._writer.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body),
                                                       length=None, warc_headers_dict=warc_headers,
                                                       http_headers=resp_http)
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            request = self._writer.create_warc_record(ex.url, "request", payload=io.BytesIO(b""),
                                                      http_headers=req_http,
                                                      warc_headers_dict={"WARC-Concurrent-To": record_id})
            offset = self._write(response)
            self._write(request)
        return RecordRef(str(self.label), record_id, offset)

    def write_failure(self, url: str, reason: str, error: str | None, **extra: Any) -> RecordRef:
        """A `metadata` record for a fetch that produced no page (no response, or refused)."""
        body = json.dumps({"reason": reason, "error": error, **extra}, ensure_ascii=False,
                          sort_keys=True).encode()
        with self._lock:
            record = self._writer.create_warc_record(url, "metadata", payload=io.BytesIO(body),
                                                     length=len(body), warc_content_type="application/json")
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            offset = self._write(record)
        return RecordRef(str(self.label), record_id, offset)


def media_for(content_type: str | None, head: bytes, html_types: list[str], text_types: list[str]) -> str | None:
    """"html", "text", or None when the type is not a page (image, PDF, archive...).

    A missing type is sniffed from the first bytes, as browsers do.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in html_types:
        return "html"
    if mime in text_types:
        return "text"
    if not mime or mime in ("application/octet-stream", "unknown/unknown"):
        sniff = head[:1024].lstrip().lower()
        if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff:
            return "html"
    return None


_HTML_TYPES = ["text/html", "application/xhtml+xml"]
_TEXT_TYPES = ["text/plain"]


def read_warc(path: Path, settings: ReadSettings) -> Iterator[Document]:
    """Pages from a WARC file: every `response` (and `resource`) record, streamed.

    Non-page records (request, metadata, warcinfo, revisit) are not documents; a
    response that is not a 2xx page comes back rejected with the reason, so nothing
    disappears silently. A damaged archive (corrupt or truncated) keeps the records
    read before the damage, and the rest becomes one record rejected "corrupt_warc";
    a path that is not a readable regular file, one rejected record (tasks/inputs/read.py).
    """
    path = Path(path)
    try:
        fh = open_input(path)
    except InputError as exc:
        yield _archive_rejected(path, exc.reason, exc.error)
        return
    with fh:
        it = ArchiveIterator(fh, arc2warc=True)
        records, read, end = iter(it), 0, 0
        while True:
            try:
                record = next(records, None)
                if record is None:
                    _check_nothing_after(fh, end)
                    return
                doc = _warc_document(record, it, str(path), settings) \
                    if record.rec_type in ("response", "resource") else None
                _check_complete(record)
                end = it.get_record_offset() + it.get_record_length()
            except Exception as exc:  # noqa: BLE001 - warcio fails on damage in undeclared ways too
                error = f"{type(exc).__name__}: {exc}"[:300]
                yield _archive_rejected(path, "corrupt_warc", f"archive damaged after {read} whole records "
                                        f"(bytes 0-{end}): {error}")
                return
            read += 1
            if doc is not None:
                yield doc


# A target URI as WARC writes it: a scheme, then printable ASCII without spaces. Anchored (\A), so that
# searched rather than fullmatched it still fails in one step where no URI starts (the scheme's run
# would otherwise be read again from every position of a colon-less line: quadratic).
_TARGET_URI = re.compile(r"\A<?[A-Za-z][A-Za-z0-9+.-]*+:[!-~]++")


def _check_complete(record: Any) -> None:
    """Raise EOFError if the archive ended inside `record`: warcio reads a record cut short as a short
    one, and one cut inside its header as a record without a type or length (both are mandatory).
    Raise ValueError if a page's target URI is not a URI: damaged bytes read as a record."""
    declared, stream = record.length, record.raw_stream
    if record.rec_type is None or not isinstance(declared, int):
        raise EOFError("a record without WARC-Type or Content-Length: the archive is cut or damaged there")
    if record.rec_type in ("response", "resource"):
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        if not _TARGET_URI.fullmatch(uri):
            raise ValueError(f"a record whose WARC-Target-URI is not a URI ({uri[:40]!r}): damaged bytes")
    while stream.read(1 << 16):
        pass  # the rest of the record, which warcio would read on its way to the next one
    if hasattr(stream, "tell") and stream.tell() < declared:
        raise EOFError(f"the archive ends inside a record: {stream.tell()} of its {declared} bytes")


def _check_nothing_after(fh: BinaryIO, end: int) -> None:
    """Raise EOFError if bytes other than blank lines follow the last whole record: warcio ends quietly
    where an archive was cut inside a record's header (or inside a gzip member's)."""
    fh.seek(end)
    if tail := fh.read(64).strip():
        size = os.fstat(fh.fileno()).st_size
        raise EOFError(f"{size - end} bytes after the last whole record are not a record ({tail[:16]!r}...)")


def _archive_rejected(path: Path, reason: str, error: str) -> Document:
    source = Source(uri=file_uri(path), kind="warc", retrieved_at=now_iso(), sha256="", warc_file=str(path))
    return Document(source=source).reject(reason, error)


def _warc_document(record: Any, it: ArchiveIterator, warc_file: str, settings: ReadSettings) -> Document:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    retrieved = record.rec_headers.get_header("WARC-Date") or ""
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    status = None
    if record.rec_type == "response" and record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type")
        status = int(record.http_headers.get_statuscode() or 0)
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    digest, body, size = hashlib.sha256(), bytearray(), 0
    stream = record.content_stream()
    while chunk := stream.read(1 << 16):
        digest.update(chunk)
        size += len(chunk)
        if len(body) <= settings.max_bytes:
            body += chunk
    offset = it.get_record_offset()  # only after the payload is read: asking earlier skips it
    source = Source(uri=uri, kind="warc", retrieved_at=retrieved, sha256=digest.hexdigest(),
                    content_type=content_type, size=size, warc_file=warc_file,
                    warc_record_id=record_id, warc_offset=offset)
    media = media_for(content_type, bytes(body[:1024]), _HTML_TYPES, _TEXT_TYPES)
    doc = Document(source=source, media=media or "text")
    if status is not None and not 200 <= status < 300:
        return doc.reject(f"http_{status}", f"WARC response status {status}")
    if media is None:
        return doc.reject("skipped_content_type", f"content type {content_type!r} is not HTML or text")
    if size == 0:
        return doc.reject("empty", "record has no payload")
    if size > settings.max_bytes:
        return doc.reject("too_large", f"{size} bytes > read.max_bytes={settings.max_bytes}")
    doc.raw = bytes(body)
    return doc


def payload_at(warc_file: str | Path, offset: int) -> bytes:
    """The payload of the record at `offset` exactly as archived (no content or transfer decoding):
    the bytes a fetched page's document had, reread by the process that works on it."""
    with Path(warc_file).open("rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            return record.raw_stream.read()
    raise ValueError(f"no WARC record at offset {offset} of {warc_file}")
