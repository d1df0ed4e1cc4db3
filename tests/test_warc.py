"""WARC files written by a fetch run and WARC inputs read back as documents."""

from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from config import ReadSettings, Settings
from tasks.inputs.read import read_inputs
from tasks.inputs.warc import HttpExchange, WarcArchive, read_warc
from tasks.stages.document import process_document

PARAGRAPHS = [
    "The fishing boats moved from the old quay to the new basin last spring, after two centuries in the town.",
    "Within a single season the morning market followed them, and the stalls now open at five every day.",
    "The council plans a public garden on the empty quay, with benches, trees and a small museum of the port.",
    "Residents welcome the garden but say they miss the noise of the boats that gave the quarter its life.",
]
HTML = ("<!DOCTYPE html><html><head><title>Quay</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>").encode()


def exchange(url: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200,
             **headers: str) -> HttpExchange:
    resp = [("Content-Type", ctype), ("Content-Length", str(len(body))), *headers.items()]
    return HttpExchange(url=url, request_headers=[("Host", "example.com"), ("User-Agent", "sieve-test")],
                        status=status, reason="OK" if status == 200 else "Not Found", response_headers=resp,
                        body=body, ip="93.184.216.34")


def write_sample(path: Path) -> dict[str, str]:
    """One record of each kind; returns url -> record id of its response."""
    ids = {}
    with WarcArchive(path) as warc:
        for url, ex in {
            "https://example.com/page": exchange("https://example.com/page", HTML),
            "https://example.com/notes.txt": exchange("https://example.com/notes.txt", b"plain words " * 20,
                                                      "text/plain"),
            "https://example.com/zipped": exchange("https://example.com/zipped", gzip.compress(HTML),
                                                   **{"Content-Encoding": "gzip"}),
            "https://example.com/logo.png": exchange("https://example.com/logo.png", b"\x89PNG" + b"\0" * 99,
                                                     "image/png"),
            "https://example.com/gone": exchange("https://example.com/gone", b"<html>gone</html>", status=404),
            "https://example.com/huge": exchange("https://example.com/huge", b"<html>" + b"x" * 50_000),
        }.items():
            ids[url] = warc.write_exchange(ex).record_id
        warc.write_failure("https://example.com/slow", "timeout", "ReadTimeout after 3 attempts")
    return ids


def test_read_warc_outcomes_and_provenance(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    ids = write_sample(path)
    docs = {d.source.uri: d for d in read_warc(path, ReadSettings(max_bytes=20_000))}
    assert set(docs) == set(ids)  # responses only: no request/metadata/warcinfo documents
    page = docs["https://example.com/page"]
    assert page.reject_reason is None and page.raw == HTML and page.media == "html"
    assert page.source.kind == "warc" and page.source.content_type == "text/html; charset=utf-8"
    assert page.source.warc_file == str(path) and page.source.warc_record_id == ids[page.source.uri]
    assert docs["https://example.com/notes.txt"].media == "text"
    assert docs["https://example.com/zipped"].raw == HTML
    assert docs["https://example.com/logo.png"].reject_reason == "skipped_content_type"
    assert docs["https://example.com/gone"].reject_reason == "http_404"
    assert docs["https://example.com/huge"].reject_reason == "too_large"
    # every offset leads straight to its record
    with path.open("rb") as fh:
        for doc in docs.values():
            fh.seek(doc.source.warc_offset)
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Record-ID") == doc.source.warc_record_id
    done = process_document(page, Settings())
    assert done.reject_reason is None, done.error
    assert "morning market" in done.published_text


def test_archive_records_requests_and_failures(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_sample(path)
    with path.open("rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers,
                    r.content_stream().read()) for r in ArchiveIterator(fh)]
    kinds = [k for k, *_ in records]
    assert kinds[0] == "warcinfo" and kinds.count("response") == 6 and kinds.count("request") == 6
    metadata = [body for k, _, _, body in records if k == "metadata"]
    assert len(metadata) == 1 and b"ReadTimeout" in metadata[0]
    responses = {u: h for k, u, h, _ in records if k == "response"}
    assert responses["https://example.com/page"].get_header("WARC-IP-Address") == "93.184.216.34"


def test_archive_appends_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    with WarcArchive(path) as warc:
        warc.write_exchange(exchange("https://example.com/a", HTML))
    with WarcArchive(path) as warc:  # the run resumes under the same id
        ref = warc.write_exchange(exchange("https://example.com/b", HTML))
    with path.open("rb") as fh:
        kinds = [r.rec_type for r in ArchiveIterator(fh)]
    assert kinds == ["warcinfo", "response", "request", "response", "request"]
    assert [d.source.warc_offset for d in read_warc(path, ReadSettings())][-1] == ref.offset


def test_read_inputs_takes_warc_files(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_sample(path)
    docs = list(read_inputs(path, ReadSettings()))
    assert len(docs) == 6 and all(d.source.kind == "warc" for d in docs)
