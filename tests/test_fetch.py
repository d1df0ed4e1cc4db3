"""Fetching from a real server on loopback: what the user sees for each kind of page."""

from __future__ import annotations

import gzip
import itertools
import socket
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from warcio.archiveiterator import ArchiveIterator

from config import FetchSettings, ReadSettings, Settings, SourceConfig
from tasks.inputs.warc import read_warc
from tasks.record import Document
from tasks.stages.document import process_document
from tasks.web.address import AddressPolicy, is_public_address
from tasks.web.catalog import Catalog, published_rows, requested_url
from tasks.web.fetch import fetch_urls, retry_after
from tests.httpserver import Reply, TestServer, server

__all__ = ["server"]  # the fixture, imported for pytest

ARTICLE = [
    "The old harbour of the town was rebuilt last spring, and the fishing boats that had moored "
    "along the eastern quay for two centuries moved to a new basin further out to sea.",
    "Local historians argue that the move changed the character of the waterfront more than any "
    "event since the railway arrived, because the morning market followed the boats to the new basin.",
    "The council has promised to turn the empty quay into a public garden with benches, trees and a "
    "small museum about the fishing families who lived in the narrow streets behind the harbour.",
    "Residents interviewed this week said they welcomed the garden but missed the noise and smell of "
    "the boats, which had given the old quarter its particular life early every morning of the year.",
]
BOILERPLATE = (
    '<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/about">About us</a>'
    '</li><li><a href="/contact">Contact</a></li></ul></nav>'
    '<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>'
)
FOOTER = "<footer><p>Copyright 2024 Harbour Gazette. All rights reserved. Privacy policy | Terms of use</p></footer>"

ZH_HANS = [
    "城市的清晨总是从公园开始。老人们在湖边打太极拳，年轻人沿着小路慢跑，卖早点的小贩推着车子来到门口，"
    "热气腾腾的包子和豆浆吸引了许多上班族停下脚步。",
    "近年来，市政府对公园进行了全面改造，增加了绿地面积，修建了新的步道和儿童游乐设施。附近的居民说，"
    "环境变好以后，来这里散步的人越来越多，周末更是热闹非凡。",
    "专家认为，城市公园不仅是休闲娱乐的场所，也是改善空气质量、调节城市气候的重要空间。今后还应该继续"
    "加强管理，让更多的市民享受到优美的自然环境。",
    "图书馆的工作人员介绍，每到假期，来看书的学生明显增加。为了满足读者的需要，图书馆延长了开放时间，"
    "并且开设了多个阅读讲座，受到大家的欢迎。",
]
ZH_HANT = [
    "城市的清晨總是從公園開始。老人們在湖邊打太極拳，年輕人沿著小路慢跑，賣早點的小販推著車子來到門口，"
    "熱氣騰騰的包子和豆漿吸引了許多上班族停下腳步。",
    "近年來，市政府對公園進行了全面改造，增加了綠地面積，修建了新的步道和兒童遊樂設施。附近的居民說，"
    "環境變好以後，來這裡散步的人越來越多，週末更是熱鬧非凡。",
    "專家認為，城市公園不僅是休閒娛樂的場所，也是改善空氣品質、調節城市氣候的重要空間。今後還應該繼續"
    "加強管理，讓更多的市民享受到優美的自然環境。",
    "圖書館的工作人員介紹，每到假期，來看書的學生明顯增加。為了滿足讀者的需要，圖書館延長了開放時間，"
    "並且開設了多個閱讀講座，受到大家的歡迎。",
]


def page(paragraphs: list[str], title: str = "Harbour", head: str = "", boilerplate: bool = True) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    chrome = BOILERPLATE if boilerplate else ""
    foot = FOOTER if boilerplate else ""
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>{chrome}"
            f"<main><article><h1>{title}</h1>{body}</article></main>{foot}</body></html>")


HTML = page(ARTICLE).encode()


def fast(**overrides: object) -> FetchSettings:
    """Settings that keep every test well under a second or two."""
    base = {"connect_timeout": 1.0, "read_timeout": 0.3, "total_timeout": 3.0, "retries": 2,
            "backoff_base": 0.05, "backoff_max": 0.3, "per_host_delay": 0.0, "max_bytes": 100_000,
            "max_workers": 8, "user_agent": "sieve-test/1.0 (loopback tests)"}
    return FetchSettings(**{**base, **overrides})


def fetch(urls: list[str], tmp_path: Path, settings: FetchSettings | None = None, *, catalog: Catalog | None = None,
          allow_private: bool = True, run_id: str = "run-1") -> dict[str, Document]:
    warc = tmp_path / "raw" / f"{run_id}.warc.gz"
    docs = list(fetch_urls(urls, settings or fast(), warc, catalog=catalog, allow_private=allow_private,
                           run_id=run_id))
    assert len(docs) == len(set(urls))
    return {requested_url(d): d for d in docs}


def warc_records(path: Path) -> list[tuple[str, str | None, int | None]]:
    """(type, target URI, HTTP status) of every record, read back with warcio."""
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            status = int(rec.http_headers.get_statuscode()) if rec.rec_type == "response" else None
            out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), status))
    return out


# --- pages -------------------------------------------------------------------------------------

def test_page_with_boilerplate_is_published_and_archived(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/harbour", Reply(body=HTML))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason is None
    assert doc.source.kind == "http" and doc.source.uri == url and doc.media == "html"
    assert doc.source.content_type == "text/html; charset=utf-8"
    assert server.hits("/harbour")[0].headers["user-agent"] == "sieve-test/1.0 (loopback tests)"
    warc = tmp_path / "raw" / "run-1.warc.gz"
    assert doc.source.warc_file == str(warc)
    # provenance points at the response record
    with warc.open("rb") as fh:
        fh.seek(doc.source.warc_offset)
        rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_headers.get_header("WARC-Record-ID") == doc.source.warc_record_id
        assert rec.content_stream().read() == HTML
    assert ("request", url, None) in warc_records(warc)

    done = process_document(doc, Settings())
    assert done.reject_reason is None, done.error
    assert "fishing boats" in done.published_text and "public garden" in done.published_text
    assert "Copyright" not in done.published_text and "cookies" not in done.published_text
    assert done.steps[0]["name"] == "fetch" and done.steps[0]["parameters"]["requested_url"] == url


@pytest.mark.parametrize(("codec", "paragraphs", "header"), [
    ("gbk", ZH_HANS, True), ("gbk", ZH_HANS, False), ("big5", ZH_HANT, True), ("big5", ZH_HANT, False),
])
def test_chinese_legacy_encodings_decode(server: TestServer, tmp_path: Path, codec: str, paragraphs: list[str],
                                         header: bool) -> None:
    body = page(paragraphs, title="城市公园" if codec == "gbk" else "城市公園", boilerplate=False).encode(codec)
    ctype = f"text/html; charset={codec}" if header else "text/html"
    url = server.route(f"/zh-{codec}", Reply(body=body, headers={"Content-Type": ctype}))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason is None and doc.source.content_type == ctype
    done = process_document(doc, Settings())
    assert done.text is not None and paragraphs[1] in done.text
    assert done.lang == "zh"
    assert done.reject_reason is None, done.error
    assert "公园" in done.published_text  # published text is simplified (normalize t2s)


# --- redirects ---------------------------------------------------------------------------------

def test_redirect_chain_is_followed(server: TestServer, tmp_path: Path) -> None:
    server.route("/old", Reply(301, headers={"Location": "/older"}))
    server.route("/older", Reply(302, headers={"Location": server.url("/new#section")}))
    final = server.route("/new", Reply(body=HTML))
    start = server.url("/old")
    doc = fetch([start], tmp_path)[start]
    assert doc.reject_reason is None and doc.source.uri == final
    assert [h["status"] for h in doc.steps[0]["parameters"]["hops"]] == [301, 302, 200]
    statuses = [s for t, _, s in warc_records(tmp_path / "raw" / "run-1.warc.gz") if t == "response"]
    assert statuses == [404, 301, 302, 200]  # robots.txt, then the chain


def test_redirect_loop_and_limit_are_failures(server: TestServer, tmp_path: Path) -> None:
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": "/a"}))
    for i in range(10):
        server.route(f"/hop{i}", Reply(302, headers={"Location": f"/hop{i + 1}"}))
    loop, far = server.url("/a"), server.url("/hop0")
    docs = fetch([loop, far], tmp_path, fast(max_redirects=3))
    assert docs[loop].reject_reason == "redirect_loop" and "/a" in (docs[loop].error or "")
    assert docs[far].reject_reason == "too_many_redirects"
    assert len(server.hits("/hop3")) == 1 and not server.hits("/hop4")


# --- errors and retries ------------------------------------------------------------------------

def test_404_fails_without_retry(server: TestServer, tmp_path: Path) -> None:
    url = server.url("/missing")
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "http_404"
    assert len(server.hits("/missing")) == 1
    assert ("response", url, 404) in warc_records(tmp_path / "raw" / "run-1.warc.gz")


def test_500_then_200_is_retried(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/flaky", [Reply(500, b"oops"), Reply(body=HTML)])
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason is None
    assert len(server.hits("/flaky")) == 2
    assert doc.steps[0]["parameters"]["hops"] == [{"url": url, "status": 200, "attempts": 2}]
    statuses = [s for t, u, s in warc_records(tmp_path / "raw" / "run-1.warc.gz") if u == url and t == "response"]
    assert statuses == [500, 200]  # every attempt is archived


def test_persistent_500_fails_after_retries(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/down", Reply(503, b"down"))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "http_503"
    assert len(server.hits("/down")) == 3  # 1 + retries


def test_429_honours_retry_after_up_to_the_cap(server: TestServer, tmp_path: Path) -> None:
    polite = server.route("/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(body=HTML)])
    capped = server.route("/very-busy", [Reply(429, headers={"Retry-After": "3600"}), Reply(body=HTML)])
    docs = fetch([polite, capped], tmp_path, fast(backoff_max=1.5, per_host_concurrency=2))
    assert docs[polite].reject_reason is None and docs[capped].reject_reason is None
    first, second = server.hits("/busy")
    assert second.at - first.at >= 0.95  # waited as told
    first, second = server.hits("/very-busy")
    assert 1.3 <= second.at - first.at < 3  # told an hour, waited backoff_max


def test_slow_response_times_out_after_retries(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/slow", Reply(body=HTML, delay=1.0))
    started = time.monotonic()
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "timeout" and "ReadTimeout" in (doc.error or "")
    assert len(server.hits("/slow")) == 3
    assert time.monotonic() - started < 2.5
    records = warc_records(tmp_path / "raw" / "run-1.warc.gz")
    assert ("metadata", url, None) in records  # no response: the failure is described instead


# --- size and type -----------------------------------------------------------------------------

def test_body_over_the_cap_is_too_large(server: TestServer, tmp_path: Path) -> None:
    big = page(ARTICLE * 200).encode()  # ~ 140 kB > 100 kB
    declared = server.route("/big", Reply(body=big))
    streamed = server.route("/big-stream", Reply(body=big, content_length=False))
    docs = fetch([declared, streamed], tmp_path)
    for url in (declared, streamed):
        assert docs[url].reject_reason == "too_large" and docs[url].raw is None


def test_gzip_bomb_stops_at_the_cap(server: TestServer, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>" + b"A" * 50_000_000, compresslevel=9)  # 50 MB inflated
    assert len(bomb) < 100_000
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    started = time.monotonic()
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "too_large" and "decompression" in (doc.error or "")
    assert time.monotonic() - started < 2
    with (tmp_path / "raw" / "run-1.warc.gz").open("rb") as fh:
        truncated = [r.rec_headers.get_header("WARC-Truncated") for r in ArchiveIterator(fh)
                     if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == url]
    assert truncated == ["length"]


def test_gzip_page_is_decoded(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/zipped", Reply(body=gzip.compress(HTML), headers={"Content-Encoding": "gzip"}))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason is None and doc.raw == HTML
    # read back from the WARC: the stored body is as received, decoded on reading
    docs = [d for d in read_warc(tmp_path / "raw" / "run-1.warc.gz", ReadSettings()) if d.source.uri == url]
    assert len(docs) == 1 and docs[0].raw == HTML and docs[0].source.kind == "warc"
    assert docs[0].source.sha256 == doc.source.sha256


@pytest.mark.parametrize("ctype", ["image/png", "application/pdf", "application/zip"])
def test_binary_content_type_is_skipped(server: TestServer, tmp_path: Path, ctype: str) -> None:
    url = server.route("/file", Reply(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, headers={"Content-Type": ctype}))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "skipped_content_type" and ctype in (doc.error or "")
    assert doc.raw is None


# --- robots, politeness, safety ----------------------------------------------------------------

def test_robots_txt_disallow(server: TestServer, tmp_path: Path) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n",
                                      headers={"Content-Type": "text/plain"}))
    private = server.route("/private/page", Reply(body=HTML))
    public = server.route("/public/page", Reply(body=HTML))
    docs = fetch([private, public], tmp_path)
    assert docs[private].reject_reason == "robots_disallowed"
    assert docs[public].reject_reason is None
    assert not server.hits("/private/page")
    assert len(server.hits("/robots.txt")) == 1  # cached for the run


def test_robots_txt_server_error_means_disallow(server: TestServer, tmp_path: Path) -> None:
    server.route("/robots.txt", Reply(500, b"broken"))
    url = server.route("/page", Reply(body=HTML))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "robots_disallowed" and "RFC 9309" in (doc.error or "")


def test_per_host_delay_and_hosts_in_parallel(tmp_path: Path) -> None:
    one, two = TestServer("127.0.0.1").start(), TestServer("127.0.0.2").start()  # two machines
    try:
        urls = []
        for srv in (one, two):
            for i in range(3):
                urls.append(srv.route(f"/p{i}", Reply(body=HTML, delay=0.1)))
        started = time.monotonic()
        docs = fetch(urls, tmp_path, fast(per_host_delay=0.25))
        elapsed = time.monotonic() - started
        assert all(d.reject_reason is None for d in docs.values())
        for srv in (one, two):
            starts = sorted(r.at for r in srv.requests)  # robots.txt + 3 pages
            assert len(starts) == 4
            assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.2  # server-side clock: some jitter
        assert elapsed < 2 * 4 * 0.25  # the two hosts were fetched at the same time
    finally:
        one.stop()
        two.stop()


def test_one_server_under_several_names_gets_one_request_at_a_time(server: TestServer, tmp_path: Path) -> None:
    names = ["127.0.0.1", "localhost", "127.1", "2130706433"]  # one address, four spellings
    urls = [server.route(f"/p{i}", Reply(body=HTML, delay=0.05)).replace("127.0.0.1", name)
            for i, name in enumerate(names)]
    docs = fetch(urls, tmp_path, fast(per_host_delay=0.3))
    assert all(d.reject_reason is None for d in docs.values()), {u: d.error for u, d in docs.items()}
    starts = sorted(r.at for r in server.requests)  # a robots.txt per name, and the four pages
    assert len(starts) == 8
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.25  # server-side clock: some jitter


def test_private_addresses_are_refused_by_default(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/page", Reply(body=HTML))
    by_name = server.url("/page", host="localhost")
    docs = fetch([url, by_name, "ftp://example.com/x", "http:///nohost"], tmp_path, allow_private=False)
    assert docs[url].reject_reason == "blocked_address" and "127.0.0.1" in (docs[url].error or "")
    assert docs[by_name].reject_reason == "blocked_address"
    assert docs["ftp://example.com/x"].reject_reason == "invalid_url"
    assert docs["http:///nohost"].reject_reason == "invalid_url"
    assert not server.requests
    assert [t for t, _, _ in warc_records(tmp_path / "raw" / "run-1.warc.gz")].count("metadata") == 4


def test_address_classes() -> None:
    for private in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1",
                    "fe80::1", "224.0.0.1", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1", "240.0.0.1"):
        assert not is_public_address(private), private
    for public in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert is_public_address(public), public


def test_retry_after_forms() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after("soon") is None and retry_after(None) is None


# --- second run --------------------------------------------------------------------------------

def test_second_run_unchanged_and_changed(server: TestServer, tmp_path: Path) -> None:
    def etag_page(req):
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(body=HTML, headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    etag = server.route("/etag", etag_page)
    same = server.route("/same", Reply(body=HTML))
    changing = server.route("/changing", [Reply(body=HTML), Reply(body=page(ARTICLE[::-1]).encode())])
    urls = [etag, same, changing]
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        first = fetch(urls, tmp_path, catalog=catalog, run_id="run-1")
        assert all(d.reject_reason is None for d in first.values())
        assert catalog.mark_published("run-1", published_rows(first.values())) == 3

        second = fetch(urls, tmp_path, catalog=catalog, run_id="run-2")
        assert second[etag].reject_reason == "unchanged" and "304" in (second[etag].error or "")
        assert server.hits("/etag")[-1].headers["if-none-match"] == '"v1"'
        assert server.hits("/etag")[-1].headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
        assert second[etag].source.sha256 == first[etag].source.sha256
        assert second[same].reject_reason == "unchanged" and "sha256" in (second[same].error or "")
        assert second[changing].reject_reason is None
        assert second[changing].source.sha256 != first[changing].source.sha256
        entry = catalog.get(changing)
        assert entry is not None and entry.published_run == "run-1" and entry.fetched_run == "run-2"
        assert entry.etag is None and entry.status == 200


def test_unpublished_fetch_is_fetched_again(server: TestServer, tmp_path: Path) -> None:
    """A run that died before publishing: the next run must not call the page unchanged."""
    url = server.route("/etag", Reply(body=HTML, headers={"ETag": '"v1"'}))
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        fetch([url], tmp_path, catalog=catalog, run_id="run-1")  # ... and no mark_published
        again = fetch([url], tmp_path, catalog=catalog, run_id="run-2")[url]
    assert again.reject_reason is None
    assert "if-none-match" not in server.hits("/etag")[-1].headers


def test_catalog_marks_published_all_or_nothing(tmp_path: Path) -> None:
    from tasks.web.catalog import FetchRecord  # noqa: PLC0415

    def rows():
        yield ("https://example.com/a", "doc-a", "sha-a")
        raise RuntimeError("publish died")

    path = tmp_path / "catalog.sqlite"
    with Catalog(path) as catalog:
        catalog.record_fetch(FetchRecord("https://example.com/a", None, 200, sha256="sha-a", etag='"1"'), "run-1")
        with pytest.raises(RuntimeError):
            catalog.mark_published("run-1", rows())
    with Catalog(path) as catalog:  # reopened, as the next run would
        entry = catalog.get("https://example.com/a")
        assert entry is not None and entry.published_run is None and not entry.validators_current
        catalog.mark_published("run-2", [("https://example.com/a", "doc-a", "sha-a")])
        assert catalog.get("https://example.com/a").validators_current
    import sqlite3  # noqa: PLC0415

    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- how a fetch fails -------------------------------------------------------------------------

def test_headers_sent_slowly_are_cut_at_total_timeout_on_every_attempt(server: TestServer, tmp_path: Path) -> None:
    """A byte every 0.2 s never trips the read timeout; the total deadline cuts each attempt all the same."""
    url = server.route("/trickle", Reply(body=HTML, header_trickle=0.2))
    settings = fast(read_timeout=1.0, total_timeout=1.0, retries=1, backoff_base=0.1)
    started = time.monotonic()
    doc = fetch([url], tmp_path, settings)[url]
    elapsed = time.monotonic() - started
    assert doc.reject_reason == "timeout" and "total_timeout=1.0s" in (doc.error or "")
    assert "after 2 attempt(s)" in (doc.error or "") and len(server.hits("/trickle")) == 2
    # two attempts of at most total_timeout, the backoff between them, robots.txt (404) before them
    assert elapsed < 2 * 1.0 + 0.1 + 0.6, elapsed


def _refused_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dns_failure_and_refused_connection_are_what_they_are_under_the_pages_url(tmp_path: Path) -> None:
    unknown = "http://no-such-host.invalid/page"  # RFC 6761: .invalid never resolves
    refused = f"http://127.0.0.1:{_refused_port()}/page"
    docs = fetch([unknown, refused], tmp_path, fast(retries=1))
    assert docs[unknown].reject_reason == "dns_error" and "no-such-host.invalid" in (docs[unknown].error or "")
    assert docs[refused].reject_reason == "connect_error" and "robots.txt" in (docs[refused].error or "")
    for url in (unknown, refused):
        assert docs[url].source.uri == url
    failures = [u for t, u, _ in warc_records(tmp_path / "raw" / "run-1.warc.gz") if t == "metadata"]
    assert sorted(failures) == sorted([unknown, refused])  # described under the pages, not robots.txt


def test_robots_txt_that_times_out_fails_the_page_with_timeout(server: TestServer, tmp_path: Path) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nAllow: /\n", delay=1.0))
    urls = [server.route("/a", Reply(body=HTML)), server.route("/b", Reply(body=HTML))]
    docs = fetch(urls, tmp_path, fast(retries=0))
    for url in urls:
        assert docs[url].reject_reason == "timeout" and docs[url].source.uri == url
        assert "robots.txt could not be fetched" in (docs[url].error or "")
    assert len(server.hits("/robots.txt")) == 1 and not server.hits("/a")  # the failure is cached for the host


def test_robots_txt_4xx_allows_all(server: TestServer, tmp_path: Path) -> None:
    server.route("/robots.txt", Reply(403, b"forbidden"))
    url = server.route("/page", Reply(body=HTML))
    assert fetch([url], tmp_path)[url].reject_reason is None


def test_a_reply_that_is_not_http_is_a_protocol_error(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/garbage", Reply(raw=b"\x00\x01 this is not HTTP\r\n\r\n"))
    doc = fetch([url], tmp_path, fast(retries=0))[url]
    assert doc.reject_reason == "protocol_error" and "RemoteProtocolError" in (doc.error or "")


# --- gzip members --------------------------------------------------------------------------------

def test_gzip_body_of_several_members_is_decoded_whole(server: TestServer, tmp_path: Path) -> None:
    half = len(HTML) // 2
    members = gzip.compress(HTML[:half]) + gzip.compress(HTML[half:]) + b"\0" * 8  # padding after the last
    url = server.route("/members", Reply(body=members, headers={"Content-Encoding": "gzip"}))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason is None and doc.raw == HTML


def test_gzip_bomb_in_a_later_member_stops_at_the_cap(server: TestServer, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>") + gzip.compress(b"A" * 50_000_000, compresslevel=9)
    url = server.route("/bomb2", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    started = time.monotonic()
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "too_large" and time.monotonic() - started < 2


def test_garbage_after_a_gzip_member_is_a_corrupt_body(server: TestServer, tmp_path: Path) -> None:
    url = server.route("/trailing", Reply(body=gzip.compress(HTML) + b"trailing junk",
                                          headers={"Content-Encoding": "gzip"}))
    doc = fetch([url], tmp_path)[url]
    assert doc.reject_reason == "fetch_failed" and "corrupt gzip" in (doc.error or "")


# --- private addresses: an allow-list ------------------------------------------------------------

def test_allow_listed_host_names_and_ranges_open_only_what_they_name(server: TestServer, tmp_path: Path) -> None:
    by_ip, by_name = server.route("/page", Reply(body=HTML)), server.url("/page", host="localhost")
    named = fetch([by_ip, by_name], tmp_path, allow_private=["localhost"], run_id="named")
    assert named[by_name].reject_reason is None
    assert named[by_ip].reject_reason == "blocked_address" and "localhost" in (named[by_ip].error or "")
    ranged = fetch([by_ip, by_name], tmp_path, allow_private="127.0.0.0/8", run_id="ranged")
    assert all(d.reject_reason is None for d in ranged.values())


def test_link_local_stays_refused_unless_its_range_is_named() -> None:
    metadata = "169.254.169.254"
    for allow in (True, ["localhost", "10.0.0.0/8"], "metadata.internal"):
        policy = AddressPolicy.parse(allow)
        assert not policy.permits("metadata.internal", metadata), allow
        assert not policy.permits("x", "fe80::1") and not policy.permits("x", "224.0.0.1")
    assert AddressPolicy.parse(True).permits("anything", "10.1.2.3")
    assert AddressPolicy.parse(True).permits("anything", "::ffff:127.0.0.1")
    assert AddressPolicy.parse("169.254.169.254/32").permits("metadata.internal", metadata)
    assert not AddressPolicy.parse(False).permits("localhost", "127.0.0.1")
    assert AddressPolicy.parse(["10.0.0.0/8"]).permits("x", "10.9.9.9")
    assert not AddressPolicy.parse(["10.0.0.0/8"]).permits("x", "192.168.1.1")


@pytest.mark.parametrize("bad", ["http://10.0.0.1/", "10.0.0.0/33", "seeds/", "not a host"])
def test_an_allow_list_item_that_is_neither_range_nor_host_is_refused_with_its_name(bad: str) -> None:
    with pytest.raises(ValueError, match=f"{bad!r} is not a CIDR range"):
        AddressPolicy.parse([bad])
    with pytest.raises(ValidationError, match="is not a CIDR range"):
        SourceConfig(name="intranet", allow_private_addresses=[bad])


def test_a_source_allow_list_is_validated_with_the_config() -> None:
    src = SourceConfig(name="intranet", urls=["http://wiki.corp/"], allow_private_addresses=["10.0.0.0/8", "wiki.corp"])
    assert src.allow_private_addresses == ["10.0.0.0/8", "wiki.corp"]
    assert SourceConfig(name="lab", allow_private_addresses=True).allow_private_addresses is True
