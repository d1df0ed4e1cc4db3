"""URLs to `Document`s over HTTP: politely, safely, and with every exchange archived.

Polite: robots.txt is obeyed (RFC 9309), each host sees at most
`per_host_concurrency` requests at once and `per_host_delay` seconds between
them, retries back off and honour Retry-After. Safe: only http/https, a body cap
applied after decompression (a gzip bomb stops at the cap), a redirect limit,
and no connection to loopback/private/link-local/multicast/reserved addresses
unless the source allows it — checked at connect time on the addresses actually
used, so a redirect or a DNS answer cannot sneak past it.

Nothing raises out of `fetch_urls`: every URL comes back as exactly one
document, rejected with a reason (`http_404`, `timeout`, `robots_disallowed`...)
when it is not a page to process.
"""

from __future__ import annotations

import hashlib
import ipaddress
import queue
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from config import FetchSettings
from tasks.inputs.read import now_iso
from tasks.inputs.warc import HttpExchange, RecordRef, WarcArchive, media_for
from tasks.record import Document, Source
from tasks.web.catalog import Catalog, CatalogEntry, FetchRecord

REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that yields no page; `reason` is the document's reject reason."""

    def __init__(self, reason: str, detail: str, url: str | None = None, ref: RecordRef | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.url, self.ref = reason, detail, url, ref


class BlockedAddress(Exception):
    """The host resolves to an address we refuse to connect to (SSRF)."""


# --- addresses ---------------------------------------------------------------------------------

def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified, shared."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Addresses for host, IPv4 first; refuses the lot if any of them is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in sorted(infos, key=lambda i: i[0] != socket.AF_INET)))
    if not allow_private:
        bad = [a for a in addresses if not is_public_address(a)]
        if bad:
            raise BlockedAddress(f"{host} resolves to non-public address {', '.join(bad)}"
                                 " (allow_private_addresses is off)")
    return addresses


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves and checks the host itself, then connects to a checked address only."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Iterable[Any] | None = None,
                    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve(host, port, self.allow_private):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(allow_private),
        )


# --- politeness --------------------------------------------------------------------------------

class HostGate:
    """At most `concurrency` requests in flight to one host, starts `delay` seconds apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._next = 0.0
        self.delay = delay

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next)
                self._next = start + self.delay
            if start > now:
                time.sleep(start - now)
            yield


@dataclass
class RobotsRules:
    """One origin's robots.txt verdict."""

    parser: RobotFileParser | None
    allow_all: bool
    detail: str

    def allowed(self, agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(agent, url)


# --- bodies ------------------------------------------------------------------------------------

class _Inflater:
    """Content-Encoding decoding with a bound on output: a gzip bomb stops at the cap."""

    def __init__(self, encoding: str | None) -> None:
        enc = (encoding or "").strip().lower()
        self._raw_deflate_tried = False
        self._fed = False
        if enc in ("", "identity"):
            self._d: Any = None
        elif enc in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._d = zlib.decompressobj()
        else:
            raise FetchError("fetch_failed", f"unsupported Content-Encoding {encoding!r}")
        self._deflate = enc == "deflate"

    def feed(self, data: bytes, room: int) -> bytes:
        """At most `room` decoded bytes from `data` (the caller stops once over its cap)."""
        if self._d is None:
            return data
        try:
            out = self._d.decompress(data, max(1, room))
        except zlib.error as exc:
            if self._deflate and not self._fed and not self._raw_deflate_tried:
                self._raw_deflate_tried = True  # servers often send raw deflate without the zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, room)
            raise FetchError("fetch_failed", f"corrupt {('deflate' if self._deflate else 'gzip')} body: {exc}") from exc
        self._fed = True
        return out


@dataclass
class Response:
    """One final HTTP response, body decoded and capped."""

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    too_large: bool
    media: str | None
    ref: RecordRef
    attempts: int = 1


class _TotalTimeout(Exception):
    pass


# --- the fetcher -------------------------------------------------------------------------------

@dataclass
class Fetcher:
    """Shared state of one fetch run: client, gates, robots cache, archive, catalog."""

    settings: FetchSettings
    warc: WarcArchive
    catalog: Catalog | None = None
    allow_private: bool = False
    sleep: Any = time.sleep  # tests may record waits
    _gates: dict[str, HostGate] = field(default_factory=dict, init=False)
    _robots: dict[str, RobotsRules] = field(default_factory=dict, init=False)
    _robots_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        s = self.settings
        limits = httpx.Limits(max_connections=max(4, s.max_workers * s.per_host_concurrency * 2),
                              max_keepalive_connections=s.max_workers * s.per_host_concurrency,
                              keepalive_expiry=max(5.0, s.per_host_delay * 2))
        timeout = httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout,
                                pool=s.total_timeout)
        self.client = httpx.Client(transport=_GuardedTransport(self.allow_private, limits), timeout=timeout,
                                   follow_redirects=False, trust_env=False,
                                   headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate",
                                            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"})
        self.agent = s.user_agent.split("/", 1)[0].split()[0] if s.user_agent.strip() else "*"
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def gate(self, url: str) -> HostGate:
        key = urlsplit(url).netloc.lower()
        with self._lock:
            if key not in self._gates:
                self._gates[key] = HostGate(self.settings.per_host_concurrency, self.settings.per_host_delay)
            return self._gates[key]

    # one attempt ------------------------------------------------------------------------------

    def _attempt(self, url: str, headers: dict[str, str], page: bool, limit: int) -> Response:
        """One GET, archived; the body is read only as far as it is worth keeping."""
        s = self.settings
        deadline = time.monotonic() + s.total_timeout
        with self.gate(url).slot(), self.client.stream("GET", url, headers=headers) as r:
            ctype = r.headers.get("content-type")
            is_page = page and 200 <= r.status_code < 300
            media = media_for(ctype, b"", s.html_types, s.text_types) if is_page else None
            sniff = is_page and (ctype or "").split(";")[0].strip().lower() in ("", "application/octet-stream")
            if not page:
                cap = limit
            elif is_page:
                cap = limit if (media or sniff) else 0  # not a page type: the body is not downloaded
            else:
                cap = min(limit, s.error_body_bytes)
            raw, out, truncated = bytearray(), bytearray(), None
            declared = r.headers.get("content-length", "")
            if is_page and cap and declared.isdigit() and int(declared) > cap \
                    and r.headers.get("content-encoding", "identity") == "identity":
                truncated = "length"  # over the cap on its own word: do not download it
            elif cap == 0:
                truncated = "unspecified" if declared != "0" else None
            else:
                inflater = _Inflater(r.headers.get("content-encoding"))
                for chunk in r.iter_raw():
                    raw += chunk
                    out += inflater.feed(chunk, cap - len(out) + 1)
                    if len(out) > cap:
                        truncated = "length"
                        break
                    if time.monotonic() > deadline:
                        truncated = "time"
                        break
            ip = _peer(r)
            ex = HttpExchange(url=url, request_headers=list(r.request.headers.items()), status=r.status_code,
                              reason=r.reason_phrase, response_headers=list(r.headers.items()), body=bytes(raw),
                              http_version=r.http_version, ip=ip, truncated=truncated)
        ref = self.warc.write_exchange(ex)
        if truncated == "time":
            raise _TotalTimeout(f"response not complete after total_timeout={s.total_timeout}s")
        too_large = is_page and truncated == "length"
        body = bytes(out[:cap]) if cap else b""
        if sniff:
            media = media_for(ctype, body, s.html_types, s.text_types)
        return Response(url, r.status_code, r.reason_phrase, r.headers, body, too_large, media, ref)

    # retries ----------------------------------------------------------------------------------

    def request(self, url: str, headers: dict[str, str] | None = None, page: bool = True,
                limit: int | None = None) -> Response:
        """GET with retries on timeouts, connection errors, 429 and 5xx; never on other 4xx."""
        s = self.settings
        limit = s.max_bytes if limit is None else limit
        for attempt in range(s.retries + 1):
            wait = min(s.backoff_max, s.backoff_base * 2 ** attempt)
            try:
                resp = self._attempt(url, headers or {}, page, limit)
            except BlockedAddress as exc:
                raise FetchError("blocked_address", str(exc), url) from exc
            except (httpx.TimeoutException, _TotalTimeout) as exc:
                failure = FetchError("timeout", f"{type(exc).__name__}: {exc or 'timed out'}"
                                     f" after {attempt + 1} attempt(s)", url)
            except httpx.TransportError as exc:
                failure = FetchError("fetch_failed", f"{type(exc).__name__}: {exc} after {attempt + 1} attempt(s)",
                                     url)
            else:
                resp.attempts = attempt + 1
                if resp.status != 429 and resp.status < 500:
                    return resp
                if attempt == s.retries:
                    return resp
                wait = min(s.backoff_max, retry_after(resp.headers.get("retry-after")) or wait)
                self.sleep(wait)
                continue
            if attempt == s.retries:
                raise failure
            self.sleep(wait)
        raise AssertionError("unreachable")

    # robots -----------------------------------------------------------------------------------

    def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules for url's origin, fetched once per run."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = rules = self._fetch_robots(origin)
                delay = rules.parser.crawl_delay(self.agent) if rules.parser else None
                if delay:
                    gate = self.gate(url)
                    gate.delay = max(gate.delay, min(float(delay), self.settings.max_crawl_delay))
            return self._robots[origin]

    def _fetch_robots(self, origin: str) -> RobotsRules:
        url = origin + "/robots.txt"
        try:
            for _ in range(6):  # RFC 9309: follow at least five redirects
                resp = self.request(url, page=False, limit=self.settings.robots_max_bytes)
                if resp.status in REDIRECTS and resp.headers.get("location"):
                    url = urljoin(url, resp.headers["location"].strip())
                    continue
                break
            else:
                return RobotsRules(None, True, "robots.txt redirects too often: treated as absent")
        except FetchError as exc:
            if exc.reason == "blocked_address":
                raise
            return RobotsRules(None, False, f"robots.txt unreachable ({exc.reason}): assuming disallow (RFC 9309)")
        if 200 <= resp.status < 300:
            parser = RobotFileParser(url)
            parser.parse(resp.body.decode("utf-8", "replace").splitlines())
            return RobotsRules(parser, True, f"disallowed by {url}")
        if 400 <= resp.status < 500:
            return RobotsRules(None, True, f"robots.txt {resp.status}: no rules")
        return RobotsRules(None, False, f"robots.txt answered {resp.status}: assuming disallow (RFC 9309)")

    # one URL ----------------------------------------------------------------------------------

    def fetch(self, url: str) -> tuple[Document, FetchRecord]:
        """One URL to one document (never raises) and what the catalog should remember."""
        started, trail = now_iso(), []
        try:
            doc, record = self._fetch(url, trail)
        except FetchError as exc:
            doc, record = self._failure(url, exc, started, trail)
        except Exception as exc:  # noqa: BLE001 - one odd page must not stop a crawl
            doc, record = self._failure(url, FetchError("fetch_failed", f"{type(exc).__name__}: {exc}"), started,
                                        trail)
        doc.steps.insert(0, {"name": "fetch", "library": f"httpx {httpx.__version__}",
                             "parameters": {"requested_url": url, "hops": trail,
                                            "user_agent": self.settings.user_agent}})
        return doc, record

    def _failure(self, url: str, exc: FetchError, started: str,
                 trail: list[dict[str, Any]]) -> tuple[Document, FetchRecord]:
        at, ref = exc.url or url, exc.ref
        try:
            ref = ref or self.warc.write_failure(at, exc.reason, exc.detail, requested_url=url, hops=trail)
        except Exception:  # noqa: BLE001 - the document still says what happened
            ref = None
        source = Source(uri=at, kind="http", retrieved_at=started, sha256="",
                        warc_file=ref.warc_file if ref else None, warc_record_id=ref.record_id if ref else None,
                        warc_offset=ref.offset if ref else None)
        status = trail[-1]["status"] if trail else None
        return Document(source=source).reject(exc.reason, exc.detail), FetchRecord(url, at, status, exc.reason)

    def _fetch(self, url: str, trail: list[dict[str, Any]]) -> tuple[Document, FetchRecord]:
        entry = self.catalog.get(url) if self.catalog else None
        current, seen, resp = url, {url}, None
        for _ in range(self.settings.max_redirects + 1):
            check_url(current)
            if self.settings.respect_robots:
                rules = self.robots(current)
                if not rules.allowed(self.agent, current):
                    raise FetchError("robots_disallowed", f"{rules.detail} for agent {self.agent!r}", current)
            headers = {}
            if entry and entry.validators_current and current == (entry.final_url or url):
                if entry.etag:
                    headers["If-None-Match"] = entry.etag
                if entry.last_modified:
                    headers["If-Modified-Since"] = entry.last_modified
            resp = self.request(current, headers)
            trail.append({"url": current, "status": resp.status, "attempts": resp.attempts})
            location = resp.headers.get("location")
            if resp.status not in REDIRECTS or not location:
                return self._page(url, resp, entry)
            nxt = urldefrag(urljoin(current, location.strip())).url
            if nxt in seen:
                return self._reject(url, resp, "redirect_loop", f"{current} redirects back to {nxt}")
            seen.add(nxt)
            current = nxt
        assert resp is not None
        return self._reject(url, resp, "too_many_redirects",
                            f"more than max_redirects={self.settings.max_redirects} redirects")

    def _source(self, resp: Response, sha: str) -> Source:
        return Source(uri=resp.url, kind="http", retrieved_at=now_iso(), sha256=sha,
                      content_type=resp.headers.get("content-type"), size=len(resp.body),
                      warc_file=resp.ref.warc_file, warc_record_id=resp.ref.record_id, warc_offset=resp.ref.offset)

    def _reject(self, url: str, resp: Response, reason: str, detail: str,
                sha: str | None = None) -> tuple[Document, FetchRecord]:
        doc = Document(source=self._source(resp, sha or ""), media=resp.media or "text").reject(reason, detail)
        return doc, FetchRecord(url, resp.url, resp.status, reason, resp.headers.get("etag"),
                                resp.headers.get("last-modified"), sha)

    def _page(self, url: str, resp: Response, entry: CatalogEntry | None) -> tuple[Document, FetchRecord]:
        ctype = resp.headers.get("content-type")
        if resp.status == 304 and entry and entry.published_sha256:
            return self._reject(url, resp, "unchanged", f"304 Not Modified; published in run {entry.published_run}",
                                entry.published_sha256)
        if not 200 <= resp.status < 300:
            return self._reject(url, resp, f"http_{resp.status}", f"HTTP {resp.status} {resp.reason}".strip())
        if resp.media is None:
            return self._reject(url, resp, "skipped_content_type", f"content type {ctype!r} is not HTML or text")
        if resp.too_large:
            return self._reject(url, resp, "too_large", f"body over fetch.max_bytes={self.settings.max_bytes}"
                                " (after decompression)")
        sha = hashlib.sha256(resp.body).hexdigest()
        if entry and entry.published_sha256 == sha:
            return self._reject(url, resp, "unchanged", f"same content sha256 as published in run "
                                f"{entry.published_run}", sha)
        doc = Document(source=self._source(resp, sha), raw=resp.body, media=resp.media)
        record = FetchRecord(url, resp.url, resp.status, None, resp.headers.get("etag"),
                             resp.headers.get("last-modified"), sha, doc.id)
        return doc, record


def check_url(url: str) -> None:
    """Only absolute http(s) URLs with a host are fetched."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError("invalid_url", f"scheme {parts.scheme or '(none)'!r} is not http or https", url)
    if not parts.hostname:
        raise FetchError("invalid_url", "no host", url)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _peer(r: httpx.Response) -> str | None:
    stream = r.extensions.get("network_stream")
    try:
        addr = stream.get_extra_info("server_addr") if stream else None
    except OSError:
        return None
    return str(addr[0]) if addr else None


def fetch_urls(urls: Iterable[str], settings: FetchSettings, warc: WarcArchive | str | Path, *,
               catalog: Catalog | None = None, allow_private: bool = False,
               run_id: str | None = None) -> Iterator[Document]:
    """Fetch every URL once, many hosts at a time; yields one document per URL as it completes.

    Completion order, not input order. The catalog (if given) supplies validators
    for conditional GETs and records each fetch; publishing is recorded separately
    (`Catalog.mark_published`) once the run's output is committed.
    """
    unique = list(dict.fromkeys(u.strip() for u in urls if u and u.strip()))
    own_archive = not isinstance(warc, WarcArchive)
    archive = WarcArchive(Path(warc)) if own_archive else warc
    fetcher = Fetcher(settings, archive, catalog, allow_private)
    lanes: dict[str, deque[str]] = {}
    for u in unique:
        lanes.setdefault(urlsplit(u).netloc.lower(), deque()).append(u)
    results: queue.Queue[tuple[Document, FetchRecord]] = queue.Queue()
    stop = threading.Event()

    def lane(todo: deque[str]) -> None:
        while not stop.is_set():
            try:
                url = todo.popleft()
            except IndexError:
                return
            results.put(fetcher.fetch(url))

    pool = ThreadPoolExecutor(max_workers=max(1, settings.max_workers), thread_name_prefix="sieve-fetch")
    try:
        for todo in lanes.values():
            for _ in range(min(settings.per_host_concurrency, len(todo))):
                pool.submit(lane, todo)
        for _ in unique:
            doc, record = results.get()
            if catalog is not None:
                catalog.record_fetch(record, run_id)
            yield doc
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        fetcher.close()
        if own_archive:
            archive.close()
