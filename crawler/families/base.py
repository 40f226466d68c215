"""What every portal family shares, and the pagination mixins families combine.

In the manner of city-scrapers' mixins: a family is a small class listing the
mixins that fit its CMS plus what differs (hidden list markup, page-count
scripts, JSON list APIs). ``read_listing`` turns one fetched list page into
the links it lists and the further pages of the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.classify import is_column_title, normalize
from crawler.pages import Link, Page

NEXT_TEXTS = ("下一页", "下页", "后一页", "后页", "next", ">", "›", "»", ">>")
PAGE_PARAMS = ("page", "pageNum", "pageNo", "pageno", "pageIndex", "curPage", "currentPage", "p", "pn")
_TOTAL_PAGES = re.compile(r"(?:共|总页数[:：]?)\s*(\d{1,4})\s*页")


@dataclass
class Listing:
    """What one list page holds (a JSON list API's answer gives it all at once)."""

    links: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # other pages of the same list
    is_column: bool = False  # the page names itself an annual-report column
    page: Page | None = None  # None for a JSON list


class PageListing(Listing):
    """An HTML page's listing. Its further pages and its heading are read when
    first asked: a page reached as the column needs no heading test, and a menu
    page that lists no report no pagination."""

    def __init__(self, family: PortalFamily, page: Page):  # no dataclass fields: the properties below
        self.family, self.page = family, page

    @cached_property
    def links(self) -> list[Link]:
        return self.page.links()

    @cached_property
    def pages(self) -> list[str]:
        return self.family.pages(self.page)

    @cached_property
    def is_column(self) -> bool:
        return is_column_title(self.page.headings())


class PortalFamily:
    name = "base"

    def matches(self, url: str, body: bytes) -> bool:
        return False

    def page(self, url: str, body: bytes, declared: str | None = None) -> Page:
        return Page(url, body, declared)

    def read_listing(self, url: str, body: bytes, declared: str | None = None) -> Listing:
        return PageListing(self, self.page(url, body, declared))

    def pages(self, page: Page) -> list[str]:
        """Further pages of the list; each mixin adds what it recognises."""
        return []

    def column_url(self, page: Page, link: Link) -> str:
        """The URL to fetch for a column link (a JSON API for single-page apps)."""
        return link.url


def _same_list(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return a.netloc == b.netloc


def _dedupe(urls: list[str], current: str) -> list[str]:
    seen, out = {current}, []
    for url in urls:
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def first_page_alias(url: str) -> str | None:
    """The same URL without its page parameter when it asks for page 1 (``list.shtml?page=1``
    is ``list.shtml`` on the one-based lists portals use), else None."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    rest = [(k, v) for k, v in query if not (k in PAGE_PARAMS and v == "1")]
    if len(rest) == len(query):
        return None
    return urlunsplit(parts._replace(query=urlencode(rest)))


class NextLinkPagination(PortalFamily):
    """A "下一页" link on each page (home-grown sites, many CMS templates)."""

    def pages(self, page: Page) -> list[str]:
        found = super().pages(page)
        for link in page.links():
            text = normalize(link.text).lower()
            if text in NEXT_TEXTS and _same_list(page.url, link.url):
                found.append(link.url)
        return _dedupe(found, page.url)


class QueryPagePagination(PortalFamily):
    """``list.shtml?page=N`` links, and every page up to "共N页" when the count is written."""

    def pages(self, page: Page) -> list[str]:
        found = super().pages(page)
        current = urlsplit(page.url)
        template = None
        for link in page.links():
            parts = urlsplit(link.url)
            if parts.netloc != current.netloc or parts.path != current.path:
                continue
            query = dict(parse_qsl(parts.query))
            param = next((p for p in PAGE_PARAMS if p in query and query[p].isdigit()), None)
            if param:
                found.append(link.url)
                template = template or (parts, query, param)
        # "共N页" is read only beside page links: without them there is no page URL to number
        total = _TOTAL_PAGES.search(normalize(page.visible_text)) if template else None
        if total:
            parts, query, param = template
            first = 0 if any(q.get(param) == "0" for q in [query]) else 1
            for number in range(first, min(int(total.group(1)), 200) + first):
                query = {**query, param: str(number)}
                found.append(urlunsplit(parts._replace(query=urlencode(query))))
        return _dedupe(found, page.url)


class NumberedIndexPagination(PortalFamily):
    """``index_1.html``, ``index_2.html`` links written out as anchors."""

    _NUMBERED = re.compile(r"/(index|list|default)_\d+\.s?html?$")

    def pages(self, page: Page) -> list[str]:
        found = super().pages(page)
        directory = page.url.rsplit("/", 1)[0]
        for link in page.links():
            if self._NUMBERED.search(urlsplit(link.url).path) and link.url.rsplit("/", 1)[0] == directory:
                found.append(link.url)
        return _dedupe(found, page.url)
