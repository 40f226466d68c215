"""Hanweb / 大汉 JCMS: columns ``/col/col1229/index.html``, articles
``/art/2023/1/13/art_1229_N.html``. The list items are not in the page's
markup but in ``<record><![CDATA[...]]></record>`` blocks of a
``<datastore>`` script; further pages are ``?uid=UNIT&pageNum=N`` with the
count from ``totalpage``/``totalRecord``/``perpage``."""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode, urlsplit, urlunsplit

from crawler.families.base import NextLinkPagination, QueryPagePagination
from crawler.pages import Page

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_TOTAL_PAGES = re.compile(r"totalpage\s*(?:>|[:=]\s*['\"]?)\s*(\d+)", re.IGNORECASE)
_TOTAL_RECORDS = re.compile(r"totalrecord\s*(?:>|[:=]\s*['\"]?)\s*(\d+)", re.IGNORECASE)
_PER_PAGE = re.compile(r"perpage\s*(?:>|[:=]\s*['\"]?)\s*(\d+)", re.IGNORECASE)
_UNITS = (re.compile(r"unitid=(\d+)", re.I), re.compile(r"[?&]uid=(\d+)", re.I), re.compile(r"<div id=['\"]?(\d+)['\"]?>\s*<script", re.I))
_COLUMN = re.compile(r"/col/col\d+/")
MAX_PAGES = 200


def datastore_records(text: str) -> list[str]:
    return _RECORD.findall(text)


def jpage_pages(page_url: str, text: str) -> list[str]:
    """``?uid=U&pageNum=N`` URLs for every page the datastore's counts imply."""
    pages = _TOTAL_PAGES.search(text)
    if pages:
        count = int(pages.group(1))
    else:
        records, per_page = _TOTAL_RECORDS.search(text), _PER_PAGE.search(text)
        if not (records and per_page and int(per_page.group(1))):
            return []
        count = math.ceil(int(records.group(1)) / int(per_page.group(1)))
    unit = next((m for pattern in _UNITS if (m := pattern.search(text))), None)
    parts = urlsplit(page_url)
    urls = [urlunsplit(parts._replace(query=""))]  # page 1 is the column's own index.html
    for number in range(2, min(count, MAX_PAGES) + 1):
        query = {"uid": unit.group(1)} if unit else {}
        query["pageNum"] = str(number)
        urls.append(urlunsplit(parts._replace(query=urlencode(query))))
    return urls


class HanwebFamily(QueryPagePagination, NextLinkPagination):
    name = "hanweb"

    def matches(self, url: str, body: bytes) -> bool:
        return b"<datastore" in body[:500_000].lower() or bool(_COLUMN.search(url)) or ("/art/" in url and "/art_" in url)

    def page(self, url: str, body: bytes, declared: str | None = None) -> Page:
        page = Page(url, body, declared)
        page.extra_fragments = datastore_records(page.text)
        return page

    def pages(self, page: Page) -> list[str]:
        found = super().pages(page) + jpage_pages(page.url, page.text)
        # "pageNum=1" is the column's index.html: never fetch the first page twice.
        return [url for url in dict.fromkeys(found) if url != page.url and not url.endswith("pageNum=1")]
