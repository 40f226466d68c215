"""A fetched HTML page, decoded whatever it claims, and what the spider reads from it.

Chinese portals often serve GBK while declaring UTF-8 (or the reverse), so the
body is decoded by ``audit.readers.encoding.decode`` (strict UTF-8, then
GB18030, then a guess) rather than by the declared charset. Malformed markup
is lxml's problem: it never raises here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from audit.readers.encoding import decode
from crawler.dates import find_date

_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
ATTACHMENT_EXTENSIONS = ("pdf", "docx", "doc", "wps")  # best first: readable formats before binary Word
_ATTACHMENT = re.compile(r"\.(pdf|docx|doc|wps)(?:$|[?#])", re.IGNORECASE)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
# Containers that hold an article body on the common CMS families (spec §5):
# these ids, or these class tokens. Found from the page's id and class values
# (one cheap pass), not with an XPath predicate tried on every element.
CONTENT_IDS = frozenset(["zoom", "ucap-content", "zoomcon", "content", "article"])
CONTENT_CLASSES = frozenset(["TRS_Editor", "article-content", "content"])
_IDS_AND_CLASSES = etree.XPath("//@id | //@class")
_XML_SPACE = re.compile("[ \t\r\n]+")  # what XPath's normalize-space splits on
# Text outside <script> and <style>. Those hold raw text only, never elements,
# so a text node's parent tells; plain strings, not lxml's "smart" ones.
_VISIBLE_TEXT = etree.XPath("//body//text()[not(parent::script)][not(parent::style)]", smart_strings=False)
_TEXT_INSIDE = etree.XPath(".//text()[not(parent::script)][not(parent::style)]", smart_strings=False)
# Compiled once: Element.xpath() compiles its expression on every call.
_BASE_HREF = etree.XPath("//base/@href")
_NAMED_METAS = etree.XPath("//meta[@name or @http-equiv or @property]")
_TITLE = etree.XPath("normalize-space(//title)")
_HEADING_TEXT = etree.XPath(
    "//h1//text() | //*[contains(@class,'crumb') or contains(@class,'position') or contains(@class,'location')"
    " or contains(@class,'lmmc')]//text()",
    smart_strings=False,
)
# Headings of the six sections; a page with several of them is the report itself.
REPORT_MARKERS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题", "其他需要报告的事项")


@dataclass(frozen=True)
class Link:
    url: str  # absolute, without fragment
    text: str
    fragment: str = ""
    given_date: str | None = None  # the date a list API gives with the link
    anchor: Any = field(default=None, compare=False, repr=False)  # the <a> it came from

    @cached_property
    def date(self) -> str | None:
        """The date written beside the link, in the same list item. Read when
        first asked: only report links are, out of a page of menus."""
        return _date_beside(self.anchor) if self.anchor is not None else self.given_date


def is_html(body: bytes, content_type: str = "") -> bool:
    head = body[:2048].lstrip().lower()
    if head.startswith((b"%pdf", b"pk\x03\x04", b"\xd0\xcf\x11\xe0")):
        return False
    if "html" in content_type.lower() or "xml" in content_type.lower():
        return True
    return any(tag in head for tag in (b"<html", b"<!doctype", b"<head", b"<body", b"<div", b"<meta", b"<table"))


def attachment_extension(url: str, text: str = "") -> str | None:
    for candidate in (url, text):
        match = _ATTACHMENT.search(candidate or "")
        if match:
            return match.group(1).lower()
    return None


@dataclass
class Page:
    url: str  # the final URL, against which links resolve
    body: bytes
    declared: str | None = None
    extra_fragments: list[str] = field(default_factory=list)  # markup hidden in scripts (Hanweb records)

    @cached_property
    def text(self) -> str:
        declared = self.declared
        if declared is None:
            match = _CHARSET.search(self.body[:65536])
            declared = match.group(1).decode("ascii", "replace") if match else None
        text, _, _ = decode(self.body, declared)
        return text

    @cached_property
    def root(self):
        """The page parsed by lxml (as parsel would: stripped, NULs removed)."""
        return _parse(self.text)

    @cached_property
    def base_url(self) -> str:
        base = next(iter(_BASE_HREF(self.root)), None)
        return urljoin(self.url, base.strip()) if base else self.url

    @cached_property
    def metas(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for meta in _NAMED_METAS(self.root):
            name = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").strip().lower()
            if name and name not in found:
                found[name] = (meta.get("content") or "").strip()
        return found

    @cached_property
    def title(self) -> str:
        for candidate in (self.metas.get("articletitle"), _TITLE(self.root)):
            if candidate:
                return candidate.strip()
        return ""

    @cached_property
    def visible_text(self) -> str:
        return "\n".join(filter(None, map(str.strip, _VISIBLE_TEXT(self.root))))

    @cached_property
    def content_text(self) -> str:
        """The article body's text when a known container holds it, else the whole visible text."""
        best = ""
        for node in _content_containers(self.root):
            text = " ".join(map(str.strip, _TEXT_INSIDE(node)))
            if len(text) > len(best):
                best = text
        return best or self.visible_text

    def marker_count(self) -> int:
        compact = re.sub(r"\s+", "", self.content_text)
        return sum(1 for marker in REPORT_MARKERS if marker in compact)

    def headings(self) -> str:
        """Page title, breadcrumb and headings: where a column names itself."""
        parts = [self.title, *_HEADING_TEXT(self.root)]
        return " ".join(filter(None, map(str.strip, parts)))

    def links(self) -> list[Link]:
        """Every link of the page and of markup hidden in scripts, with the date written beside it."""
        return list(self._links)

    @cached_property
    def _links(self) -> tuple[Link, ...]:
        found: list[Link] = []
        seen: set[str] = set()
        roots = [self.root] + [_parse(f) for f in self.extra_fragments if f.strip()]
        base = self.base_url
        parts = urlsplit(base)
        # What urljoin reads of the base depends on the link's form (RFC 3986 §5.2):
        # a full or network-path link needs only the base's scheme, a root-relative
        # one its scheme and host. Resolving against that much of the base gives the
        # same URL, and lets the menus every page of a portal repeats hit the cache.
        scheme_only, origin = f"{parts.scheme}:", f"{parts.scheme}://{parts.netloc}/"
        for root in roots:
            for anchor in root.iter("a"):
                href = (anchor.get("href") or "").strip()
                if not href or href.lower().startswith(_SKIP_SCHEMES):
                    continue
                if href.startswith("//") or href[:8].lower().startswith(("http://", "https://")):
                    resolved = _resolve(scheme_only, href)
                elif href.startswith("/"):
                    resolved = _resolve(origin, href)
                else:
                    resolved = _resolve(base, href)
                if resolved is None:
                    continue
                absolute, fragment = resolved
                text = (anchor.get("title") or "").strip() or " ".join(_text(anchor).split())
                key = f"{absolute}#{fragment}|{text}"
                if key in seen:
                    continue
                seen.add(key)
                found.append(Link(absolute, text, fragment, anchor=anchor))
        return tuple(found)

    def attachments(self) -> list[tuple[Link, str]]:
        """(link, extension) for PDF/DOC/DOCX/WPS links, best format first, in page order otherwise."""
        found = [(link, ext) for link in self.links() if (ext := attachment_extension(link.url, link.text))]
        return sorted(found, key=lambda item: ATTACHMENT_EXTENSIONS.index(item[1]))


ITEM_TAGS = ("li", "tr", "dd", "p")


def _parse(text: str):
    """Parse HTML text as parsel does (stripped, without NULs, an empty page
    as <html/>), with lxml's plain elements: lxml.html's element classes cost
    a lookup at every step through the tree."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(text.replace("\x00", "").strip().encode("utf-8") or b"<html/>", parser)
    return root if root is not None else etree.fromstring(b"<html/>", parser)


@lru_cache(maxsize=16384)
def _resolve(base: str, href: str) -> tuple[str, str] | None:
    """``href`` made absolute against ``base`` and parted from its fragment; None if not http(s)."""
    try:
        absolute, fragment = urldefrag(urljoin(base, href))
    except ValueError:
        return None
    return (absolute, fragment) if urlsplit(absolute).scheme in ("http", "https") else None


def _text(element) -> str:
    """All text inside ``element`` (its XPath string value, as text_content() gives)."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def _content_containers(root) -> list:
    """Elements with a content id or class token, in document order."""
    found = []
    for value in _IDS_AND_CLASSES(root):
        if value.attrname == "id":
            if value not in CONTENT_IDS:
                continue
        elif CONTENT_CLASSES.isdisjoint(_XML_SPACE.split(value)):
            continue
        element = value.getparent()
        if not found or found[-1] is not element:  # known by both id and class: once
            found.append(element)
    return found


def _date_beside(anchor) -> str | None:
    """The date in the small list item (li, tr, dd, p, else the parent) that holds the link.

    Text outside the link is read first, so a date inside a title does not win
    over the date column beside it."""
    items = []
    for tag in ITEM_TAGS:
        item = next(anchor.iterancestors(tag), None)
        if item is not None:
            items.append(item)
    parent = anchor.getparent()
    if parent is not None:
        items.append(parent)
    link_text = " ".join(_text(anchor).split())
    for item in items:
        whole = " ".join(_text(item).split())
        if len(whole) > 200:
            continue  # a layout block, not a list item
        outside = " ".join(filter(None, map(str.strip, item.itertext())))
        found = find_date(outside.replace(link_text, " ", 1)) or find_date(whole)
        if found:
            return found
    return None
