"""The annual-report spider: one spider for every agency, portal families for what differs.

For each agency of the registry:

1. fetch its URL; if the page is not itself the annual-report column, follow
   the links whose text names the column (政府信息公开年报, 年度报告…), or failing
   that the disclosure section (政府信息公开, 政务公开…), up to ``column_depth``;
2. on the column, read every list page (the family knows the pagination) and
   classify each link: an annual report of a wanted year, a look-alike, or
   anything else;
3. fetch each report link — conditionally when the store holds a copy with an
   ETag or Last-Modified, not at all when it holds a recent copy without them —
   read its publication date and follow its attachments; when the page is only
   a link to a file, the file is the report.

Every fetch, good or failed, becomes an item for the store pipeline; every
observation goes into the ledger. A callback never raises: bad input is
logged with its URL and recorded.
"""

from __future__ import annotations

import functools
import json
import logging
from datetime import datetime, timezone

import scrapy
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError as TwistedTimeoutError

from crawler.classify import classify_title, column_score, nav_score
from crawler.dates import choose_date, date_from_url
from crawler.families import detect, first_page_alias
from crawler.items import FetchedDocument
from crawler.ledger import AgencyLedger, Candidate, Ledger, Outcome
from crawler.middlewares import OffsiteRequest, host_of
from crawler.pages import Page, is_html

logger = logging.getLogger("nianbao.crawl")

PAGE_ROLES = ("entry", "nav", "list")
TOO_LARGE = "文件超过下载上限"
REPORT_WORDS_IN_FILES = ("年报", "年度报告", "报告")


def _settles(method):
    """Run a callback or errback so that it never raises and always settles its request."""

    @functools.wraps(method)
    def wrapper(self, result):
        request = result.request  # a Response and a Scrapy Failure both carry it
        state = self.ledger.agencies[request.meta["agency_id"]]
        try:
            return [x for x in (method(self, result, state) or []) if x is not None]
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            logger.exception("处理 %s 时出错：%s", request.url, exc)
            if request.meta.get("role") in PAGE_ROLES:
                state.list_errors.append((request.url, f"页面无法解析：{type(exc).__name__}"))
            return []
        finally:
            self._settle(state)

    return wrapper


class AnnualReportSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, *, agencies=(), years=(), store=None, run_id=None, options=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.agencies = list(agencies)
        self.years = set(years)
        self.store = store
        self.run_id = run_id
        self.options = options
        self.progress = progress
        self.ledger = Ledger()
        self.finished = 0
        for agency in self.agencies:
            hosts = {host_of(agency["url"])} | set(options.hosts.get(agency["id"], []) if options else [])
            self.ledger.agencies[agency["id"]] = AgencyLedger(agency=agency, hosts=hosts)

    async def start(self):
        for agency in self.agencies:
            state = self.ledger.agencies[agency["id"]]
            request = self._request(state, agency["url"], "entry", depth=0)
            if request is None:
                self._finish(state)
            else:
                yield request

    # ------------------------------------------------------------ bookkeeping
    def _request(self, state: AgencyLedger, url: str, role: str, *, origin: str | None = None, headers=None, **meta):
        """A request for the agency, or None when it is off-site or already asked for."""
        if host_of(url) not in state.hosts:
            state.offsite.append((url, origin or ""))
            logger.warning("%s：外部网站链接未跟踪 %s（来自 %s）", state.agency["name"], url, origin or "登记表")
            if role == "entry":
                state.entry_error = "登记的网址不在该机关的网站上"
            return None
        if url in state.seen_urls:
            return None
        state.seen_urls.add(url)
        state.pending += 1
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"nianbao/requests/{role}")
        callback = self.parse_page if role in PAGE_ROLES else self.parse_document
        full_meta = {"agency_id": state.agency_id, "role": role, "agency_hosts": state.hosts, **meta}
        if role not in PAGE_ROLES:
            full_meta["dont_cache"] = True  # the store keeps documents; the HTTP cache only list pages
        priority = {"entry": 30, "nav": 20, "list": 20, "report": 10, "attachment": 0}[role]
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=full_meta, headers=headers or {}, dont_filter=True, priority=priority
        )

    def _settle(self, state: AgencyLedger) -> None:
        state.pending -= 1
        if state.pending <= 0:
            self._finish(state)

    def _finish(self, state: AgencyLedger) -> None:
        if state.finished:
            return
        state.finished = True
        self.finished += 1
        if self.progress:
            try:
                self.progress(self.finished, len(self.agencies), state)
            except Exception:  # noqa: BLE001 - a display problem must not stop the crawl
                logger.debug("progress display failed", exc_info=True)

    def record_outcome(self, item: FetchedDocument, outcome: Outcome) -> None:
        """Called by the store pipeline once the item is stored."""
        state = self.ledger.agencies[item.agency_id]
        candidate = state.candidates.get(item.candidate_url)
        if candidate is None:
            return
        if item.role == "report":
            candidate.page = outcome
        else:
            candidate.attachment_outcomes[item.url] = outcome

    # ------------------------------------------------------------ list pages
    @_settles
    def parse_page(self, response, state: AgencyLedger):
        state.pages_fetched += 1
        return self._read_listing(state, response.url, response.body, response.meta, self._charset(response.headers))

    def _read_listing(self, state: AgencyLedger, url: str, body: bytes, meta: dict, declared: str | None):
        depth = meta.get("depth", 0)
        family = detect(url, body)
        listing = family.read_listing(url, body, declared)
        in_column = bool(meta.get("column")) or listing.is_column
        reports = []
        for link in listing.links:
            kind = classify_title(link.text)
            if kind.kind == "lookalike":
                state.lookalikes.append((link.text, kind.reason))
            elif kind.kind == "report" and (kind.strong or in_column):
                reports.append((link, kind))
                state.report_links.add(link.url)
        if reports or in_column:
            state.column_found = True
        out = []
        for link, kind in reports:
            if kind.year in self.years:
                out += self._report_requests(state, link, kind, url)
        if reports or in_column:
            for page_url in listing.pages:
                if first_page_alias(page_url) in state.seen_urls:
                    continue  # "?page=1" is the page we started from
                if state.list_pages >= self.options.max_list_pages:
                    logger.warning("%s：列表超过 %d 页，其余未读", state.agency["name"], self.options.max_list_pages)
                    break
                request = self._request(state, page_url, "list", origin=url, depth=depth, column=True)
                if request is not None:
                    state.list_pages += 1
                    out.append(request)
        if in_column or listing.page is None or depth >= self.options.column_depth:
            return out
        # Not the column: look for it (or for the section that holds it) one level down.
        columns = sorted((l for l in listing.links if column_score(l.text)), key=lambda l: -column_score(l.text))[:3]
        for link in columns:
            target = detect(link.url).column_url(listing.page, link)
            out.append(self._request(state, target, "nav", origin=url, depth=depth + 1, column=True))
        if not columns and not reports:
            sections = sorted((l for l in listing.links if nav_score(l.text)), key=lambda l: -nav_score(l.text))[:3]
            for link in sections:
                out.append(self._request(state, link.url, "nav", origin=url, depth=depth + 1))
        return out

    # ------------------------------------------------------------ report pages and files
    def _report_requests(self, state: AgencyLedger, link, kind, list_url: str):
        if link.url in state.candidates:
            return []
        if host_of(link.url) not in state.hosts:
            state.offsite.append((link.url, list_url))
            logger.warning("%s：年报链接指向外部网站，未跟踪 %s", state.agency["name"], link.url)
            return []
        candidate = Candidate(
            agency_id=state.agency_id, year=kind.year, title=link.text, url=link.url, list_url=list_url,
            list_date=link.date, strong=kind.strong, order=self.ledger.next_order(),
        )
        state.candidates[link.url] = candidate
        return self._document_requests(state, candidate, link.url, "report", list_url)

    def _document_requests(self, state: AgencyLedger, candidate: Candidate, url: str, role: str, origin: str):
        """Fetch a document, revalidate the stored copy, or reuse a recent one without asking."""
        previous = self.store.latest_document(url) if self.store else None
        headers = {}
        meta = {"candidate": candidate.url}
        if previous and (previous["error"] or "").startswith(TOO_LARGE) and _age_days(previous["last_seen"]) < self.options.refetch_days:
            # Known to exceed the size limit: do not pull it again every night (the stored error stands).
            if url in state.seen_urls:
                return []
            state.seen_urls.add(url)
            self._count_reuse()
            item = FetchedDocument(agency_id=state.agency_id, url=url, candidate_url=candidate.url, role=role, error=previous["error"])
            self.record_outcome(item, Outcome(url, document_id=previous["id"], error=previous["error"], how="skipped"))
            return []
        if previous and previous["error"] is None and previous["content_hash"]:
            stored = _header_map(previous["headers"])
            if stored.get("etag") or stored.get("last-modified"):
                if stored.get("etag"):
                    headers["If-None-Match"] = stored["etag"]
                if stored.get("last-modified"):
                    headers["If-Modified-Since"] = stored["last-modified"]
                meta.update(previous_id=previous["id"], handle_httpstatus_list=[304])
            elif _age_days(previous["last_seen"]) < self.options.refetch_days:
                if url in state.seen_urls:
                    return []
                state.seen_urls.add(url)
                self._count_reuse()
                return self._stored_document(state, candidate, role, previous, "skipped")
        request = self._request(state, url, role, origin=origin, headers=headers, **meta)
        return [request] if request is not None else []

    def _count_reuse(self) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value("nianbao/reused_without_request")

    def _stored_document(self, state, candidate, role, previous: dict, how: str, fresh_headers=None):
        """Carry on from the stored copy (after a 304, or without asking when it is recent).

        A copy reused without asking is not written back: ``last_seen`` keeps
        the time the server last confirmed it, which decides the next refetch."""
        body = self.store.content(previous["content_hash"])
        headers = _header_map(previous["headers"]) | (fresh_headers or {})
        out = self._document(
            state, candidate, role, previous["url"], previous["final_url"] or previous["url"], body,
            headers, previous["http_status"], how,
        )
        if how != "skipped":
            return out
        items = [x for x in out if isinstance(x, FetchedDocument)]
        for item in items:
            self.record_outcome(item, Outcome(item.url, document_id=previous["id"], status=item.http_status, how=how, is_html=item.is_html, size=len(body)))
        return [x for x in out if not isinstance(x, FetchedDocument)]

    @_settles
    def parse_document(self, response, state: AgencyLedger):
        candidate = state.candidates.get(response.meta["candidate"])
        if candidate is None:
            return []
        role = response.meta["role"]
        url = response.meta.get("redirect_urls", [response.request.url])[0]
        if response.status == 304 and response.meta.get("previous_id"):
            previous = self.store.document(response.meta["previous_id"])
            fresh = {k: v for k, v in _scrapy_headers(response.headers).items() if k in ("etag", "last-modified", "date")}
            return self._stored_document(state, candidate, role, previous, "revalidated", fresh)
        return self._document(
            state, candidate, role, url, response.url, response.body, _scrapy_headers(response.headers), response.status, "fetched"
        )

    def _document(self, state, candidate: Candidate, role, url, final_url, body, headers, status, how):
        content_type = headers.get("content-type", "")
        html = is_html(body, content_type)
        out = []
        if role == "attachment":
            title = next((text for u, text, _ in candidate.attachments if u == url), None)
            return [self._item(candidate, role, url, final_url, body, headers, status, how, html, title=title)]
        if html:
            page = detect(final_url, body).page(final_url, body, _charset_of(content_type))
            candidate.page_title = page.title or None
            candidate.published, candidate.published_source = choose_date(page.metas, page.visible_text, candidate.list_date, url)
            attachments = self._attachments(state, page)
            markers = page.marker_count()
            if markers < 2 and not attachments and self._is_sub_list(page, candidate):
                # A year's sub-column (e.g. "2023年年报" listing every department's report), not a report.
                del state.candidates[candidate.url]
                return self._read_listing(state, final_url, body, {"column": True, "depth": 0}, None)
            candidate.attachments = attachments
            candidate.attachment_is_report = bool(attachments) and markers < 3
            for attachment_url, _, _ in attachments:
                out += self._document_requests(state, candidate, attachment_url, "attachment", url)
        else:
            if candidate.list_date:
                candidate.published, candidate.published_source = candidate.list_date, "list"
            elif date_from_url(url):
                candidate.published, candidate.published_source = date_from_url(url), "url"
        return [self._item(candidate, "report", url, final_url, body, headers, status, how, html, title=candidate.title), *out]

    def _item(self, candidate, role, url, final_url, body, headers, status, how, html, title=None):
        return FetchedDocument(
            agency_id=candidate.agency_id, url=url, candidate_url=candidate.url, role=role, content=body,
            final_url=final_url, http_status=status, headers=headers, content_type=headers.get("content-type"),
            title=title, list_url=candidate.list_url, published=candidate.published,
            published_source=candidate.published_source, how=how, is_html=html,
        )

    def _attachments(self, state: AgencyLedger, page: Page) -> list[tuple[str, str, str]]:
        found = []
        for link, extension in page.attachments():
            if host_of(link.url) not in state.hosts:
                state.offsite.append((link.url, page.url))
                logger.warning("%s：附件在外部网站，未下载 %s", state.agency["name"], link.url)
                continue
            if link.url not in [f[0] for f in found]:
                found.append((link.url, link.text, extension))
        # The file named like a report first, then readable formats first (the page's order otherwise).
        found.sort(key=lambda item: 0 if any(word in item[1] or word in item[0] for word in REPORT_WORDS_IN_FILES) else 1)
        return found[: self.options.max_attachments]

    def _is_sub_list(self, page: Page, candidate: Candidate) -> bool:
        """A page listing several reports of the candidate's year (a year's sub-column),
        not a report page with 上一篇/下一篇 links to other years."""
        same_year = {
            link.url for link in page.links()
            if link.url != candidate.url and (kind := classify_title(link.text)).kind == "report" and kind.year == candidate.year
        }
        return len(same_year) >= 2

    # ------------------------------------------------------------ failures
    @_settles
    def on_error(self, failure, state: AgencyLedger):
        request = failure.request
        role = request.meta.get("role")
        error, status, headers = describe_failure(failure, self.options)
        exception = failure.value
        if isinstance(exception, OffsiteRequest):
            state.offsite.append((exception.url, exception.origin or request.url))
        elif isinstance(exception, IgnoreRequest) and "robots.txt" in str(exception):
            state.robots_refused.append(request.url)
        if role in PAGE_ROLES:
            state.list_errors.append((request.url, error))
            if role == "entry":
                state.entry_error = error
            logger.warning("%s：页面 %s 无法获取：%s", state.agency["name"], request.url, error)
            return []
        candidate = state.candidates.get(request.meta.get("candidate"))
        if candidate is None:
            return []
        url = request.meta.get("redirect_urls", [request.url])[0]
        logger.warning("%s：%s %s 无法获取：%s", state.agency["name"], "年报" if role == "report" else "附件", url, error)
        return [
            FetchedDocument(
                agency_id=state.agency_id, url=url, candidate_url=candidate.url, role=role, content=None,
                final_url=request.url, http_status=status, headers=headers, list_url=candidate.list_url,
                title=candidate.title if role == "report" else None, error=error,
            )
        ]

    @staticmethod
    def _charset(headers) -> str | None:
        return _charset_of((headers.get(b"Content-Type") or b"").decode("latin-1"))


def describe_failure(failure, options) -> tuple[str, int | None, dict]:
    """A short Chinese description of why a request failed, with the HTTP status and headers when there was a response."""
    exception = failure.value
    if isinstance(exception, HttpError):
        response = exception.response
        return f"HTTP {response.status}", response.status, _scrapy_headers(response.headers)
    if isinstance(exception, OffsiteRequest):
        return f"跳转到外部网站 {host_of(exception.url)}，未跟踪", None, {}
    if isinstance(exception, IgnoreRequest) and "robots.txt" in str(exception):
        return "robots.txt 禁止抓取", None, {}
    if isinstance(exception, (DownloadTimeoutError, TwistedTimeoutError)):
        return f"超时（超过 {options.download_timeout:g} 秒无响应）", None, {}
    if isinstance(exception, DownloadCancelledError) or "max size" in str(exception):
        return f"{TOO_LARGE}（{options.max_download_mb:g} MB），未下载", None, {}
    if isinstance(exception, DNSLookupError):
        return "域名无法解析", None, {}
    if isinstance(exception, ConnectionRefusedError):
        return "连接被拒绝", None, {}
    return f"下载失败：{type(exception).__name__}: {str(exception)[:200]}", None, {}


def _scrapy_headers(headers) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in headers.items()
    }


def _header_map(raw: str | None) -> dict[str, str]:
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return {str(k).lower(): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _charset_of(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _age_days(timestamp: str | None) -> float:
    try:
        seen = datetime.fromisoformat(timestamp)
    except (TypeError, ValueError):
        return float("inf")
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - seen).total_seconds() / 86400

