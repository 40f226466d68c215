"""Title, agency, year and the publication date the document states."""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.interpret.normalize import halfwidth

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = r"(?:\d{4}|[〇○零Ｏ一二三四五六七八九]{4})"
_TITLE = re.compile(
    rf"(?P<agency>[^\s:：]*?)\s*(?P<year>{_YEAR})\s*年度?\s*(?P<middle>[^\s]{{0,30}}?)"
    r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)"
)
_DATE_LABELS = ("发布时间", "发布日期", "发文日期", "成文日期", "公开日期", "生成日期")
_LABELED_DATE = re.compile(
    rf"(?P<label>{'|'.join(_DATE_LABELS)})\s*[:：]?\s*"
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
)
_ISO_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _year(text: str) -> int:
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in text))


_LABELLED_TITLE = re.compile(r"^\s*标题\s*[:：]\s*(.+)$")


def _title_candidates(meta_title: str | None, first_lines: list[str]) -> Iterator[str]:
    """Where a title may be, most trusted first; made as they are asked for,
    since the first one usually answers."""
    labelled = [m.group(1) for m in map(_LABELLED_TITLE.match, first_lines) if m]
    yield from reversed(labelled)  # "标题：…" lines, the last one first
    if meta_title:
        yield meta_title
    # A title often wraps: "淮安市洪泽区人民政府" / "2024 年政府信息公开工作年度报告".
    short = [line for line in first_lines if len(line) <= 120]  # a title is a line of its own
    yield from short
    yield from (a + b for a, b in zip(short, short[1:]))


def find_title(meta_title: str | None, first_lines: list[str]) -> tuple[str | None, str | None, int | None]:
    """Return (title, agency, year) from the metadata title or the opening lines."""
    fallback = None
    for candidate in _title_candidates(meta_title, first_lines):
        text = halfwidth(candidate).strip()
        if len(text) > 120 or ("报告" not in text and "年报" not in text):
            continue
        match = _TITLE.search(text)
        if not match:
            continue
        agency = match.group("agency").strip(" -—_") or match.group("middle").strip()
        agency = re.sub(r"^(正文|标题)", "", agency) or None
        title = text[match.start("agency") : match.end()].strip()
        found = (title, agency, _year(match.group("year")))
        if agency:
            return found
        fallback = fallback or found  # a title without the agency: look on for a fuller one
    return fallback or (None, None, None)


def find_published(meta: dict, opening_text: str) -> tuple[str | None, str | None]:
    """Return (YYYY-MM-DD, where it was read) or (None, None).

    Only dates the page labels as a publication date count: the date under
    the signature is when the report was written, not when it was published.
    """
    pubdate = meta.get("pubdate")
    if pubdate:
        match = _ISO_DATE.search(halfwidth(pubdate))
        if match:
            return _iso(*match.groups()), "meta:PubDate"
    for text in (meta.get("chrome_text") or "", opening_text):
        # Dates are nearly always in ASCII digits: fold the (long) portal text
        # only when the raw search finds nothing.
        match = _LABELED_DATE.search(text) or _LABELED_DATE.search(halfwidth(text))
        if match:
            return _iso(match.group("y"), match.group("m"), match.group("d")), f"label:{match.group('label')}"
    return None, None


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"
