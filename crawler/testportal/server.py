"""A real HTTP server on 127.0.0.1 serving the test portals, in background threads.

Two servers start: the portals, and an "off-site" host (another port, so
another host to the crawler) that must never be contacted. Both log every
request (path, status, bytes sent, conditional headers, User-Agent), so
tests and benchmarks measure on the server side what the crawl cost.

The portals behave like real servers: ETag and Last-Modified where a
resource has them (answering 304 to ``If-None-Match``/``If-Modified-Since``),
redirects, a page slower than any sane timeout, a file too large to fetch,
a page that answers 503 once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawler.testportal.site import Resource, Site, key


@dataclass
class LoggedRequest:
    server: str  # "portal" | "offsite"
    path: str  # path and query as requested
    status: int  # 0 while the answer is still being prepared (a slow page)
    bytes: int  # status line, headers and body actually written
    conditional: bool  # carried If-None-Match or If-Modified-Since
    user_agent: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog is 5: a crawler opening eight connections at
    # once to a server whose threads are all busy (--latency in bench/crawl.py)
    # lost SYNs to a full accept queue and waited a second to retry each.
    # Real web servers listen with a backlog of hundreds (nginx: 511).
    request_queue_size = 128


class PortalServer:
    """The test portals and an off-site host, on free ports of 127.0.0.1 (or the ``ports`` given).

    ``root`` (optional) is a directory where every request is also appended
    to ``requests.jsonl``. Use as a context manager, or call ``stop()``.
    """

    def __init__(self, root: str | Path | None = None, *, year: int | None = None, latency: float = 0.0, ports: tuple[int, int] = (0, 0)):
        from datetime import date

        self.year = year or date.today().year - 1
        self.latency = latency  # seconds every answer waits first, as a real server thinks (bench/crawl.py)
        self.log: list[LoggedRequest] = []
        # The most requests that had arrived and were not yet being answered at the same
        # moment: what the crawler asked of this server at once (politeness tests).
        self.most_at_once = 0
        self._waiting = 0
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        self._log_file = None
        # Ports 0: any free ones. The demo asks for the previous run's, so that its URLs stay the same.
        self._portal = _Server(("127.0.0.1", ports[0]), self._handler("portal"))
        try:
            self._offsite = _Server(("127.0.0.1", ports[1]), self._handler("offsite"))
        except OSError:
            self._portal.server_close()
            raise
        if root is not None:
            Path(root).mkdir(parents=True, exist_ok=True)
            self._log_file = open(Path(root) / "requests.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self.base_url = f"http://127.0.0.1:{self._portal.server_address[1]}"
        self.offsite_url = f"http://127.0.0.1:{self._offsite.server_address[1]}"
        self.site = Site(self.year, self.offsite_url)
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            for server in (self._portal, self._offsite)
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------ control
    def change_report(self) -> None:
        """Publish the corrected version of shengtai's report (for PUB-004)."""
        self.site = Site(self.year, self.offsite_url, changed=True)

    def agencies(self) -> list[dict]:
        """Registry rows with absolute URLs."""
        return [{**row, "url": self.base_url + row["url"]} for row in self.site.agencies]

    def stop(self) -> None:
        for server in (self._portal, self._offsite):
            server.shutdown()
            server.server_close()
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> "PortalServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ measures
    def requests(self, server: str = "portal") -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.log if r.server == server]

    def mark(self) -> int:
        """A position in the log; ``since(mark)`` gives what came after."""
        with self._lock:
            return len(self.log)

    def since(self, mark: int, server: str = "portal") -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.log[mark:] if r.server == server]

    # ------------------------------------------------------------ serving
    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)
            self._waiting += 1
            self.most_at_once = max(self.most_at_once, self._waiting)

    def _answering(self) -> None:
        """Called before the first byte of an answer goes out: before the crawler can
        have it and send its next request."""
        with self._lock:
            self._waiting -= 1

    def _finish(self, entry: LoggedRequest, status: int, written: int) -> None:
        with self._lock:
            entry.status, entry.bytes = status, written
            if self._log_file:
                self._log_file.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                self._log_file.flush()

    def _handler(self, name: str):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "TestPortal/1.0"
            # Headers and body leave in separate writes; with Nagle's algorithm on,
            # the body then waits for the client's delayed ACK (~40 ms) on every
            # kept-alive connection. Real web servers set TCP_NODELAY too.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet: the log above is the record
                pass

            def handle(self):
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):
                    pass  # the crawler hung up (timeout, size limit): expected here

            def do_GET(self):  # noqa: N802 - the http.server API
                self._written = 0
                # Logged on arrival (a request still sleeping on the slow page counts),
                # completed with its status and size when answered.
                entry = LoggedRequest(
                    name, self.path, 0, 0,
                    bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")),
                    self.headers.get("User-Agent", ""),
                )
                portal._record(entry)
                self._unanswered = True
                if portal.latency:
                    time.sleep(portal.latency)
                status = 500
                try:
                    status = self._serve()
                except (BrokenPipeError, ConnectionResetError):
                    status = getattr(self, "_status", 499)
                finally:
                    self._answer_starts()  # if nothing was written
                    portal._finish(entry, status, self._written)

            def _answer_starts(self) -> None:
                if self._unanswered:
                    self._unanswered = False
                    portal._answering()

            def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> int:
                self._answer_starts()
                self._status = status
                self.send_response(status)
                for header, value in headers.items():
                    self.send_header(header, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self._written += self._header_size(status, headers, len(body))
                if body:
                    self.wfile.write(body)
                    self._written += len(body)
                return status

            def _header_size(self, status, headers, length) -> int:
                lines = [f"HTTP/1.1 {status} X\r\n", f"Server: {self.server_version}\r\n", f"Date: {self.date_time_string()}\r\n"]
                lines += [f"{k}: {v}\r\n" for k, v in headers.items()] + [f"Content-Length: {length}\r\n", "\r\n"]
                return sum(len(line.encode("latin-1", "replace")) for line in lines)

            def _serve(self) -> int:
                if name == "offsite":
                    return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, "<html><body>外部网站</body></html>".encode())
                resource = portal.site.get(self.path)
                if resource is None:
                    body = "<html><head><title>404</title></head><body>您访问的页面不存在</body></html>".encode()
                    return self._send(404, {"Content-Type": "text/html; charset=utf-8"}, body)
                with portal._lock:
                    hits = portal._hits[key(self.path)] = portal._hits.get(key(self.path), 0) + 1
                if hits <= resource.flaky:
                    return self._send(503, {"Content-Type": "text/html", "Retry-After": "0"}, b"<html><body>Service Unavailable</body></html>")
                if resource.delay:
                    time.sleep(resource.delay)
                if resource.location:
                    return self._send(resource.status, {"Location": resource.location})
                if resource.stream_size:
                    return self._stream(resource)
                body, headers = resource.answer(portal.base_url)
                if self._not_modified(headers):
                    headers.pop("Content-Type")
                    return self._send(304, headers)
                return self._send(resource.status, headers, body)

            def _not_modified(self, headers: dict[str, str]) -> bool:
                tags, etag = self.headers.get("If-None-Match"), headers.get("ETag")
                if tags and etag:
                    return etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
                since, modified = self.headers.get("If-Modified-Since"), headers.get("Last-Modified")
                if since and modified:
                    try:
                        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                return False

            def _stream(self, resource: Resource) -> int:
                self._answer_starts()
                self._status = 200
                self.send_response(200)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Content-Length", str(resource.stream_size))
                self.end_headers()
                self._written += self._header_size(200, {"Content-Type": resource.content_type}, resource.stream_size)
                # Small chunks with a pause, as a real server paced by TCP: once the
                # client hangs up, writing fails within a few chunks.
                chunk = b"%PDF-1.4\n" + b"0" * 16375
                sent = 0
                while sent < resource.stream_size:
                    piece = chunk[: resource.stream_size - sent]
                    self.wfile.write(piece)
                    self.wfile.flush()
                    sent += len(piece)
                    self._written += len(piece)
                    time.sleep(0.002)
                return 200

        return Handler


def serve_portals(root: str | Path | None = None, *, year: int | None = None):
    """Start the test portals; return ``(base_url, stop)``.

    ``stop`` is the running server's ``stop`` method: ``stop.__self__`` is the
    ``PortalServer`` (request log, ``change_report()``, ``agencies()``).
    """
    server = PortalServer(root, year=year)
    return server.base_url, server.stop
