"""Publication dates as portals show them, and where each was read.

Order of trust (spec §5): the ``PubDate`` meta tag the CMS writes, then a
visible label (发布时间/发布日期/…, publication labels before 成文日期, which
is when the text was signed), then the date beside the link in the list,
then a date in the URL (TRS ``t20230113_``, Hanweb ``/art/2023/1/13/``).
Sources are recorded as ``meta:PubDate``, ``label:发布时间``, ``list``, ``url``.
"""

from __future__ import annotations

import re
from datetime import date

from crawler.classify import normalize

META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "pubtime")
LABELS = ("发布时间", "发布日期", "公开日期", "发文日期", "生成日期", "成文日期")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_LABELLED = {label: re.compile(rf"{label}\s*[:：]?\s*((?:19|20)\d{{2}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}})") for label in LABELS}
_URL_PATTERNS = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS article
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb article
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})-?(\d{2})/"),  # a dated directory
)


def iso(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_date(text: str | None) -> str | None:
    """The first real calendar date written in ``text`` (2023-01-13, 2023年1月13日, 2023/1/13, 20230113)."""
    if not text:
        return None
    text = normalize(text) if any("\uff0d" <= ch <= "\uff19" for ch in text) else text  # full-width digits and －／．
    for match in _DATE.finditer(text):
        found = iso(*match.groups())
        if found:
            return found
    for match in _COMPACT.finditer(text):
        found = iso(*match.groups())
        if found:
            return found
    return None


def date_from_meta(metas: dict[str, str]) -> tuple[str, str] | tuple[None, None]:
    """``metas`` maps lower-cased meta names to contents."""
    for name in META_NAMES:
        found = find_date(metas.get(name))
        if found:
            original = "PubDate" if name == "pubdate" else name
            return found, f"meta:{original}"
    return None, None


def date_from_labels(text: str | None) -> tuple[str, str] | tuple[None, None]:
    """A date written after a publication label in the page's visible text."""
    if not text:
        return None, None
    for label in LABELS:
        for match in _LABELLED[label].finditer(text):
            found = find_date(match.group(1))
            if found:
                return found, f"label:{label}"
    return None, None


def date_from_url(url: str | None) -> str | None:
    for pattern in _URL_PATTERNS:
        match = pattern.search(url or "")
        if match:
            found = iso(*match.groups())
            if found:
                return found
    return None


def choose_date(
    metas: dict[str, str], visible_text: str, list_date: str | None, url: str
) -> tuple[str | None, str | None]:
    """The publication date and its source, by the order of trust above."""
    found, source = date_from_meta(metas)
    if found:
        return found, source
    found, source = date_from_labels(visible_text)
    if found:
        return found, source
    if list_date:
        return list_date, "list"
    found = date_from_url(url)
    if found:
        return found, "url"
    return None, None
