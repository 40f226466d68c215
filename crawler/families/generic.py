"""Home-grown portals: plain anchors in lists or tables, "下一页" links, ``?page=N``."""

from __future__ import annotations

from crawler.families.base import NextLinkPagination, NumberedIndexPagination, QueryPagePagination


class GenericFamily(NextLinkPagination, QueryPagePagination, NumberedIndexPagination):
    name = "generic"

    def matches(self, url: str, body: bytes) -> bool:
        return True
