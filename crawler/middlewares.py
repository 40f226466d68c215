"""Downloader middlewares: stay on the agency's hosts, retry with backoff,
revalidate cached list pages.

- ``AgencyHostsMiddleware`` runs before everything else (even robots.txt), so
  a request to a host outside the agency's own, including one produced by a
  redirect or a meta refresh, is refused before a single byte is sent there.
- ``BackoffRetryMiddleware`` is Scrapy's retry with a pause that doubles on
  each attempt (and honours ``Retry-After``), so a struggling server is not
  hammered.
- ``SharedRobotsTxtMiddleware`` fixes Scrapy 2.19's robots.txt middleware for
  requests that wait for the same robots.txt: awaiting the shared Deferred
  consumed its result, so every waiter but the first saw "no robots.txt" and
  went through (scrapy/scrapy#6802 replaced the relaying callback). Found by
  this project's robots test; each waiter now gets its own relay.
- ``RevalidatePolicy`` makes the HTTP cache ask the server every time
  (``If-None-Match`` / ``If-Modified-Since``) and only reuse its copy on 304:
  a list page is never served stale, yet an unchanged one costs a few bytes.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

logger = logging.getLogger("nianbao.crawl")


@lru_cache(maxsize=4096)  # asked of every link the spider follows and every request it sends
def host_of(url: str) -> str:
    """Host and explicit port, lower-cased, without a leading "www.": the unit of
    "the agency's own site" (portals redirect between www.x.gov.cn and x.gov.cn)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parts.port}" if parts.port else host


class OffsiteRequest(IgnoreRequest):
    """A request (usually a redirect) for a host that is not the agency's."""

    def __init__(self, url: str, origin: str | None):
        self.url, self.origin = url, origin
        super().__init__(f"off-site request to {url} (from {origin or 'a link'}) not followed")


class AgencyHostsMiddleware:
    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        hosts = request.meta.get("agency_hosts")
        if hosts and host_of(request.url) not in hosts:
            chain = request.meta.get("redirect_urls") or []
            if self.stats is not None:
                self.stats.inc_value("nianbao/offsite_refused")
            raise OffsiteRequest(request.url, chain[-1] if chain else None)
        return None


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(parser, Deferred):
            waiter: Deferred = Deferred()

            def relay(result):
                waiter.callback(result)
                return result  # keep it for the next waiter

            parser.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 5xx, 408/429 and timeouts after ``RETRY_BACKOFF * 2**(n-1)`` seconds."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("RETRY_BACKOFF", 5.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await self._pause(retry, response.headers.get(b"Retry-After"))
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._pause(retry, None)
        return retry

    async def _pause(self, retry, retry_after: bytes | None) -> None:
        delay = self.backoff * 2 ** (retry.meta.get("retry_times", 1) - 1)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        delay = min(delay, self.backoff_max)
        if delay > 0:
            from twisted.internet import reactor  # imported late: Scrapy installs the reactor first

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


class RevalidatePolicy(RFC2616Policy):
    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304  # a 5xx must show as a failure, not as the old copy
