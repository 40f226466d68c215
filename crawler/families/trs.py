"""TRS WCM (拓尔思): static pages ``index.html``, ``index_1.html`` … whose count
is written by a ``createPageHTML(...)`` script; articles ``./202301/t20230113_N.html``
with a ``PubDate`` meta tag and the body in ``.TRS_Editor``."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from crawler.families.base import NextLinkPagination, NumberedIndexPagination, PortalFamily
from crawler.pages import Page

_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?")
_SCRIPT_TEXT = etree.XPath("//script/text()")
MAX_PAGES = 200


def create_page_html_pages(page_url: str, script_text: str) -> list[str]:
    """All pages of a TRS list from its ``createPageHTML(count, current, "index", "html")`` call.

    Both signatures seen on portals are understood: ``(count, current, prefix,
    suffix)`` and ``("div_id", count, current, prefix, suffix, total)``;
    arguments may be variables assigned earlier in the script.
    """
    match = _CALL.search(script_text)
    if not match:
        return []
    numbers, strings = [], []
    for raw in match.group(1).split(","):
        arg = raw.strip()
        if not arg:
            continue
        if arg[0] in "'\"":
            strings.append(arg.strip("'\""))
        elif arg.isdigit():
            numbers.append(int(arg))
        else:
            assigned = re.search(rf"\b{re.escape(arg)}\s*=\s*(\d+)", script_text)
            if assigned:
                numbers.append(int(assigned.group(1)))
    if not numbers or len(strings) < 2:
        return []
    count = min(numbers[0], MAX_PAGES)
    prefix, suffix = strings[-2], strings[-1]
    names = [f"{prefix}.{suffix}"] + [f"{prefix}_{n}.{suffix}" for n in range(1, count)]
    return [urljoin(page_url, name) for name in names]


class CreatePageHTMLPagination(PortalFamily):
    def pages(self, page: Page) -> list[str]:
        found = super().pages(page)
        scripts = "\n".join(_SCRIPT_TEXT(page.root))
        found += [url for url in create_page_html_pages(page.url, scripts) if url != page.url]
        return list(dict.fromkeys(found))


class TRSFamily(CreatePageHTMLPagination, NumberedIndexPagination, NextLinkPagination):
    name = "trs"

    def matches(self, url: str, body: bytes) -> bool:
        head = body[:300_000]
        return b"createPageHTML" in head or b"TRS_Editor" in head or bool(_ARTICLE.search(url))
