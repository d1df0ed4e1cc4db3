"""A real HTTP server on 127.0.0.1 for fetch tests: routes, scripted replies, a request log.

Loopback only (127.0.0.1 by default, or another 127.x address for a second
"machine"), a free port, one thread per connection; a route is a `Reply`, a list of
replies served in turn (the last one repeats), or a function of the request. A
reply can trickle its status line and headers byte by byte (`header_trickle`), or
be raw bytes written to the socket as they are (`raw`: malformed responses).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    content_length: bool = True  # False: close-delimited body
    header_trickle: float = 0.0  # seconds between the bytes of the status line and headers
    raw: bytes | None = None  # written to the socket as is, instead of a response built from the fields


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float


Route = Reply | list[Reply] | Callable[[Request], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        reply = self.server.owner.reply(req)
        try:
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None:
                self.wfile.write(reply.raw)
                return
            if reply.header_trickle:
                self._trickle(reply)
                return
            self.send_response(reply.status)
            headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
            for k, v in headers.items():
                self.send_header(k, v)
            if reply.content_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size caps): that is the point of those tests

    def _trickle(self, reply: Reply) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers, "Content-Length": str(len(reply.body))}
        head = f"HTTP/1.0 {reply.status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        for byte in head.encode("latin-1"):
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(reply.header_trickle)
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: TestServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class TestServer:
    """Start with `start()`, add routes with `route()`, read `requests` afterwards."""

    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def reply(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            route = self.routes.get(req.path)
            n = self._served.get(req.path, 0)
            self._served[req.path] = n + 1
        if route is None:
            return Reply(404, b"<html><body>not found</body></html>")
        if isinstance(route, Reply):
            return route
        if isinstance(route, list):
            return route[min(n, len(route) - 1)]
        return route(req)


@pytest.fixture
def server() -> Iterator[TestServer]:
    srv = TestServer().start()
    try:
        yield srv
    finally:
        srv.stop()
