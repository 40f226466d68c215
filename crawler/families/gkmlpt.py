"""Guangdong's 政府信息公开目录平台 (gkmlpt): the column page is a script
application; its lists come from ``/gkmlpt/api/all/<classify>?page=N&sid=<SID>``
as JSON (``articles`` with ``title``, ``url`` and ``first_publish_time``,
plus ``total``). Articles are ``/gkmlpt/content/…/post_N.html``. A column
link is ``/gkmlpt/index#<classify>``: the fragment names the category."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.dates import find_date
from crawler.families.base import Listing, NextLinkPagination
from crawler.pages import Link, Page

_SID = re.compile(r"""\bSID\b['"]?\s*[:=]\s*['"]?(\d+)|[?&]sid=(\d+)""", re.IGNORECASE)
CHINA = timezone(timedelta(hours=8))
MAX_PAGES = 200


def api_url(page_url: str, classify: str, sid: str | None, page: int = 1) -> str:
    parts = urlsplit(page_url)
    query = {"page": str(page)} | ({"sid": sid} if sid else {})
    return urlunsplit((parts.scheme, parts.netloc, f"/gkmlpt/api/all/{classify}", urlencode(query), ""))


def _date(value) -> str | None:
    if isinstance(value, (int, float)) and value > 0:
        seconds = value / 1000 if value > 10_000_000_000 else value  # milliseconds on some sites
        return datetime.fromtimestamp(seconds, CHINA).date().isoformat()
    if isinstance(value, str):
        return find_date(value)
    return None


def read_articles(url: str, data: dict) -> Listing:
    articles = data.get("articles") or data.get("data") or []
    links = []
    for article in articles if isinstance(articles, list) else []:
        if not isinstance(article, dict) or not article.get("url"):
            continue
        when = next((d for key in ("first_publish_time", "publish_time", "date", "display_publish_time") if (d := _date(article.get(key)))), None)
        links.append(Link(urljoin(url, str(article["url"])), str(article.get("title") or ""), "", when))
    pages = []
    total, current = data.get("total"), dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    if isinstance(total, int) and articles and current == "1":
        count = min(math.ceil(total / len(articles)), MAX_PAGES)
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        pages = [urlunsplit(parts._replace(query=urlencode({**query, "page": str(n)}))) for n in range(2, count + 1)]
    return Listing(links=links, pages=pages, is_column=True)


class GkmlptFamily(NextLinkPagination):
    name = "gkmlpt"

    def matches(self, url: str, body: bytes) -> bool:
        return "/gkmlpt/" in urlsplit(url).path

    def read_listing(self, url: str, body: bytes, declared: str | None = None) -> Listing:
        if body[:200].lstrip().startswith((b"{", b"[")):
            try:
                data = json.loads(body.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return Listing()
            return read_articles(url, data if isinstance(data, dict) else {"articles": data})
        return super().read_listing(url, body, declared)

    def column_url(self, page: Page, link: Link) -> str:
        if link.fragment.isdigit() and urlsplit(link.url).path.rstrip("/").endswith("/gkmlpt/index"):
            match = _SID.search(page.text)
            sid = (match.group(1) or match.group(2)) if match else None
            return api_url(link.url, link.fragment, sid)
        return link.url
