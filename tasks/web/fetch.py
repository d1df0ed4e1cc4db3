"""URLs to `Document`s over HTTP: politely, safely, and with every exchange archived.

Polite: robots.txt is obeyed (RFC 9309), each host name and each server
address sees at most `per_host_concurrency` requests at once and
`per_host_delay` seconds between them (one server under several names is one
server), retries back off and honour Retry-After. Bounded: every attempt ends
by `total_timeout`, whatever the server trickles (headers included). Safe: only
http/https, a body cap applied after decompression (a gzip bomb stops at the
cap, in any member), a redirect limit, and no connection to non-public addresses
beyond what the source allow-lists (tasks/web/address.py) — checked at connect
time on the addresses actually used, so a redirect or a DNS answer cannot sneak
past it.

Nothing raises out of `fetch_urls`: every URL comes back as exactly one
document, rejected with a reason (`http_404`, `timeout`, `dns_error`,
`connect_error`, `robots_disallowed`...) under its own URL when it is not a
page to process.
"""

from __future__ import annotations

import hashlib
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
from tasks.web.address import AddressPolicy, AllowPrivate, ip_of
from tasks.web.catalog import Catalog, CatalogEntry, FetchRecord

REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that yields no page; `reason` is the document's reject reason."""

    def __init__(self, reason: str, detail: str, url: str | None = None, ref: RecordRef | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.url, self.ref = reason, detail, url, ref


class BlockedAddress(Exception):
    """The host resolves to an address we refuse to connect to (SSRF)."""


class UnresolvableHost(Exception):
    """DNS has no address for the host."""


# --- addresses ---------------------------------------------------------------------------------

def resolve(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """Addresses for host, IPv4 first; refuses the lot if the policy refuses any of them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in sorted(infos, key=lambda i: i[0] != socket.AF_INET)))
    if bad := [a for a in addresses if not policy.permits(host, a)]:
        raise BlockedAddress(f"{host} resolves to non-public address {', '.join(bad)} ({policy.describe()})")
    return addresses


class _Deadline(threading.local):
    """The current request's deadline (time.monotonic), per thread: httpx's sync client does all of a
    request's socket I/O on the calling thread."""

    at: float | None = None
    passed = False  # the last request of this thread ran into its deadline

    def bound(self, timeout: float | None, what: str) -> float | None:
        """`timeout` shortened to what is left before the deadline; TimeoutException once it has passed."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            expired = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}.get(what)
            raise (expired or httpcore.ReadTimeout)("total_timeout reached")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's deadline, headers included."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout, "read"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout, "write"))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout, "connect"))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves and checks the host itself, then connects to a checked address only, under the deadline."""

    def __init__(self, policy: AddressPolicy, deadline: _Deadline) -> None:
        self.policy, self.deadline = policy, deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Iterable[Any] | None = None,
                    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve(host, port, self.policy):
            try:
                stream = super().connect_tcp(address, port, self.deadline.bound(timeout, "connect"), local_address,
                                             socket_options)
                return _DeadlineStream(stream, self.deadline)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


# --- politeness --------------------------------------------------------------------------------

class HostGate:
    """One server's politeness: at most `concurrency` requests in flight, starts `delay` seconds apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self.next = 0.0
        self.delay = delay


class Politeness:
    """Gates keyed on the host name and on the address it resolves to: one server under several names
    (127.0.0.1, localhost, 127.1, 2130706433) is still one server."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency, self._delay = concurrency, delay
        self._gates: dict[str, HostGate] = {}
        self._lock = threading.Lock()

    def gate(self, key: str) -> HostGate:
        with self._lock:
            if key not in self._gates:
                self._gates[key] = HostGate(self._concurrency, self._delay)
            return self._gates[key]

    @contextmanager
    def slot(self, keys: Iterable[str]) -> Iterator[None]:
        """A slot in every gate of `keys` (taken in sorted order, so two requests never wait on each other),
        then the wait until each gate's delay since its last start has passed."""
        gates = [self.gate(k) for k in sorted(set(keys))]
        taken: list[HostGate] = []
        try:
            for g in gates:
                g.slots.acquire()
                taken.append(g)
            with self._lock:
                now = time.monotonic()
                start = max([now, *(g.next for g in gates)])
                for g in gates:
                    g.next = start + g.delay
            if start > now:
                time.sleep(start - now)
            yield
        finally:
            for g in reversed(taken):
                g.slots.release()


@dataclass
class RobotsRules:
    """One origin's robots.txt verdict."""

    parser: RobotFileParser | None
    allow_all: bool
    detail: str
    failure: FetchError | None = None  # robots.txt could not be fetched (network): each page fails with it

    def allowed(self, agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(agent, url)


# --- bodies ------------------------------------------------------------------------------------

class _Inflater:
    """Content-Encoding decoding with a bound on output: a gzip bomb stops at the cap.

    A gzip body may hold several members one after another (RFC 1952 2.2; `cat a.gz b.gz`): each is
    decoded in turn, so the page is the concatenation of them all. Zero bytes after the last member
    (padding) are ignored; anything else there is a corrupt body.
    """

    def __init__(self, encoding: str | None) -> None:
        enc = (encoding or "").strip().lower()
        self._raw_deflate_tried = False
        self._fed = False
        self._gzip = enc in ("gzip", "x-gzip")
        self._between = False  # a gzip member has ended and the next has not begun
        self._after = b""  # bytes after a finished gzip member, not yet known to start another
        if enc in ("", "identity"):
            self._d: Any = None
        elif self._gzip:
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._d = zlib.decompressobj()
        else:
            raise FetchError("fetch_failed", f"unsupported Content-Encoding {encoding!r}")
        self._deflate = enc == "deflate"

    def feed(self, data: bytes, room: int) -> bytes:
        """At most about `room` decoded bytes from `data` (the caller stops once over its cap)."""
        if self._d is None:
            return data
        out = bytearray()
        while len(out) <= room:
            if self._between:  # a gzip member ended: what follows is padding or the next member
                self._after = (self._after + data).lstrip(b"\0")
                if len(self._after) < 2:
                    break
                if self._after[:2] != b"\x1f\x8b":
                    raise FetchError("fetch_failed", "corrupt gzip body: bytes after a member are not a member")
                self._d, self._between = zlib.decompressobj(16 + zlib.MAX_WBITS), False
                data, self._after = self._after, b""
            if not data:
                break
            out += self._inflate(data, max(1, room - len(out)))
            data = b""
            if not (self._gzip and self._d.eof):
                break
            self._between, data = True, self._d.unused_data
        return bytes(out)

    def _inflate(self, data: bytes, room: int) -> bytes:
        try:
            out = self._d.decompress(data, room)
        except zlib.error as exc:
            if self._deflate and not self._fed and not self._raw_deflate_tried:
                self._raw_deflate_tried = True  # servers often send raw deflate without the zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(data, room)
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
    allow_private: AllowPrivate = False
    sleep: Any = time.sleep  # tests may record waits
    _addresses: dict[str, str] = field(default_factory=dict, init=False)
    _robots: dict[str, RobotsRules] = field(default_factory=dict, init=False)
    _robots_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        s = self.settings
        limits = httpx.Limits(max_connections=max(4, s.max_workers * s.per_host_concurrency * 2),
                              max_keepalive_connections=s.max_workers * s.per_host_concurrency,
                              keepalive_expiry=max(5.0, s.per_host_delay * 2))
        timeout = httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout,
                                pool=s.total_timeout)
        self.policy = AddressPolicy.parse(self.allow_private)
        self.politeness = Politeness(s.per_host_concurrency, s.per_host_delay)
        self._deadline = _Deadline()
        backend = _GuardedBackend(self.policy, self._deadline)
        self.client = httpx.Client(transport=_GuardedTransport(backend, limits), timeout=timeout,
                                   follow_redirects=False, trust_env=False,
                                   headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate",
                                            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"})
        self.agent = s.user_agent.split("/", 1)[0].split()[0] if s.user_agent.strip() else "*"
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def politeness_keys(self, url: str) -> list[str]:
        """The gates a request to url waits at: its host name's and its server address's."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        with self._lock:
            address = self._addresses.get(host)
        if address is None:
            try:
                port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise FetchError("dns_error", f"cannot resolve {host}: {exc}", url) from exc
            address = str(ip_of(str(sorted(infos, key=lambda i: i[0] != socket.AF_INET)[0][4][0])))
            with self._lock:
                self._addresses[host] = address
        return [f"host {parts.netloc.lower()}", f"address {address}"]

    # one attempt ------------------------------------------------------------------------------

    def _attempt(self, url: str, headers: dict[str, str], page: bool, limit: int) -> Response:
        """One GET, archived; the body is read only as far as it is worth keeping."""
        s = self.settings
        with self.politeness.slot(self.politeness_keys(url)), self._until(time.monotonic() + s.total_timeout) \
                as deadline, self.client.stream("GET", url, headers=headers) as r:
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
                try:
                    for chunk in r.iter_raw():
                        raw += chunk
                        out += inflater.feed(chunk, cap - len(out) + 1)
                        if len(out) > cap:
                            truncated = "length"
                            break
                except httpx.TimeoutException:
                    if time.monotonic() < deadline - 0.01:
                        raise
                    truncated = "time"  # what arrived is archived, marked truncated
            ip = _peer(r)
            ex = HttpExchange(url=url, request_headers=list(r.request.headers.items()), status=r.status_code,
                              reason=r.reason_phrase, response_headers=list(r.headers.items()), body=bytes(raw),
                              http_version=r.http_version, ip=ip, truncated=truncated)
        ref = self.warc.write_exchange(ex)
        if truncated == "time":
            raise _TotalTimeout(f"body not complete after total_timeout={s.total_timeout}s")
        too_large = is_page and truncated == "length"
        body = bytes(out[:cap]) if cap else b""
        if sniff:
            media = media_for(ctype, body, s.html_types, s.text_types)
        return Response(url, r.status_code, r.reason_phrase, r.headers, body, too_large, media, ref)

    @contextmanager
    def _until(self, deadline: float) -> Iterator[float]:
        """Every socket operation of this thread's request ends by `deadline` (connect, headers, body)."""
        self._deadline.at, self._deadline.passed = deadline, False
        try:
            yield deadline
        finally:
            self._deadline.at, self._deadline.passed = None, time.monotonic() >= deadline - 0.01

    # retries ----------------------------------------------------------------------------------

    def request(self, url: str, headers: dict[str, str] | None = None, page: bool = True,
                limit: int | None = None) -> Response:
        """GET with retries on timeouts, connection errors, 429 and 5xx; never on other 4xx, DNS failures
        or refused addresses. Each attempt lasts at most `total_timeout`, headers included."""
        s = self.settings
        limit = s.max_bytes if limit is None else limit
        for attempt in range(s.retries + 1):
            wait = min(s.backoff_max, s.backoff_base * 2 ** attempt)
            tries = f"after {attempt + 1} attempt(s)"
            try:
                resp = self._attempt(url, headers or {}, page, limit)
            except BlockedAddress as exc:
                raise FetchError("blocked_address", str(exc), url) from exc
            except UnresolvableHost as exc:
                raise FetchError("dns_error", str(exc), url) from exc
            except (httpx.TimeoutException, _TotalTimeout) as exc:
                what = f"no complete response within total_timeout={s.total_timeout}s" if self._deadline.passed \
                    else f"{type(exc).__name__}: {exc or 'timed out'}"
                failure = FetchError("timeout", f"{what} {tries}", url)
            except httpx.ConnectError as exc:
                failure = FetchError("connect_error", f"{type(exc).__name__}: {exc} {tries}", url)
            except httpx.ProtocolError as exc:
                failure = FetchError("protocol_error", f"{type(exc).__name__}: {exc} {tries}", url)
            except httpx.TransportError as exc:
                failure = FetchError("fetch_failed", f"{type(exc).__name__}: {exc} {tries}", url)
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
                    for key in self.politeness_keys(url):
                        gate = self.politeness.gate(key)
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
        except FetchError as exc:  # the network, not the site, said no: the pages fail with the same reason
            return RobotsRules(None, False, f"{url} could not be fetched: {exc.detail}", exc)
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
                try:
                    rules = self.robots(current)
                except FetchError as exc:  # the robots.txt request's own failure, recorded under the page's URL
                    raise FetchError(exc.reason, f"robots.txt: {exc.detail}", current) from exc
                if rules.failure is not None:
                    raise FetchError(rules.failure.reason, rules.detail, current)
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
               catalog: Catalog | None = None, allow_private: AllowPrivate = False,
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
