"""PDF reader: pdfplumber positions turned into paragraphs and ruled tables.

Annual reports are mostly WPS or Word exports: justified Chinese body text
with a two-character first-line indent, ruled statistical tables, and (in
WPS) paragraphs wrapped in invisible text frames. The reader therefore

* finds tables from *visible* rules only: filled, unstroked rectangles are
  frame or cell backgrounds, and letting them count as rules glues text
  frames onto the tables beside them;
* treats a table with a single column as a text frame, so its text flows
  with the rest of the page;
* rebuilds paragraphs from line geometry (see ``_continues``) across the
  whole document, so a sentence broken by a page break stays whole;
* joins a table that runs on from the foot of one page to the head of the
  next when both have the same number of columns.

It never raises: a PDF it cannot read gives ``readable=False`` and a Chinese
problem saying why.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import pdfplumber

from audit.document import Document, Paragraph, Problem, Table, clean_text

NO_TEXT = "PDF 没有文字层（可能是扫描件），无法读取年报内容，请人工核对"
NO_PAGES = "PDF 文件中没有页面，无法读取年报内容，请人工核对"
ENCRYPTED = "PDF 文件已加密，无法读取年报内容，请人工核对"
TRUNCATED = "PDF 文件不完整（可能下载中断或被截断），无法读取年报内容，请人工核对"
BROKEN = "PDF 文件已损坏，无法解析，无法读取年报内容，请人工核对"
# Fonts without a Unicode mapping: pdfminer gives "(cid:123)" for each glyph.
UNDECODED = "PDF 文字无法解码（字体缺少 Unicode 映射），无法读取年报内容，请人工核对"

# A line that starts a numbered heading or list item starts a paragraph:
# 一、 （二） (3) 1. 2、 第四章. "1.5" is a number, not an item.
_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)|第[一二三四五六七八九十百\d]+[章节部分])"
)
# Page numbers as their own line: "- 1 -", "— 2 —", "第 3 页", "第3页 共6页", "3/6".
_DECORATED_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－─_~·•]+\s*\d{1,4}\s*[-—–－─_~·•]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")

# Kangxi radicals and compatibility ideographs look exactly like ordinary
# ideographs (some PDF fonts map 一 to U+2F00); map them to the ordinary
# ones. Full NFKC would also turn （，into (, which labels must keep.
_IDEOGRAPH_FIX = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in [*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00)]
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    width: float  # page width, to group pages that share a layout


@dataclass
class _Page:
    items: list  # Table or _Line, top to bottom, page numbers left out
    chars: int  # characters other than spaces
    undecoded: int  # of which pdfminer could not map to Unicode
    images: bool


@dataclass
class _Layout:
    left: float
    right: float
    gap: float  # usual space between two lines of one paragraph


def read(data: bytes, source: str) -> Document:
    meta: dict = {"format": "pdf"}
    try:
        with pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False) as pdf:
            meta.update(_metadata(pdf))
            meta["pages"] = len(pdf.pages)
            pages = [_read_page(page) for page in pdf.pages]
    except Exception as exc:  # pdfminer raises anything on a broken file
        message, error = _cause(exc)
        return _unreadable(source, meta, message, error=error)
    if not pages:
        return _unreadable(source, meta, NO_PAGES)
    chars = sum(page.chars for page in pages)
    if not chars:
        return _unreadable(source, meta, NO_TEXT)
    undecoded = sum(page.undecoded for page in pages)
    if undecoded * 2 > chars:
        return _unreadable(source, meta, UNDECODED, undecoded=undecoded, chars=chars)
    problems = [
        Problem(
            "unreadable",
            f"第 {number} 页没有文字层（可能是扫描图片），该页内容未读取，请人工核对",
            location={"page": number},
        )
        for number, page in enumerate(pages, 1)
        if page.images and not page.chars
    ]
    blocks = _assemble([page.items for page in pages])
    return Document(source=source, blocks=blocks, meta=meta, problems=problems)


def _unreadable(source: str, meta: dict, message: str, **evidence) -> Document:
    return Document(
        source=source,
        meta=meta,
        readable=False,
        problems=[Problem("unreadable", message, evidence=evidence)],
    )


def _cause(exc: BaseException) -> tuple[str, str]:
    """Chinese message and error text for what pdfplumber/pdfminer raised."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        # pdfplumber wraps pdfminer's exception as its first argument.
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or inner
    # PDFPasswordIncorrect has no message; its name is the evidence.
    error = str(chain[0]) or f"{type(chain[-1]).__name__}: {chain[-1]}".rstrip(": ")
    names = " ".join(type(e).__name__ + " " + str(e) for e in chain).lower()
    if "password" in names or "encrypt" in names:
        return ENCRYPTED, error
    if "eof" in names:
        return TRUNCATED, error
    return BROKEN, error


# ---------------------------------------------------------------- metadata


def _metadata(pdf) -> dict:
    meta: dict = {}
    # Raw info dictionaries, not pdf.metadata: pdfminer decodes a UTF-16LE
    # title (BOM FF FE, as WPS writes it) as PDFDocEncoding mojibake.
    for info in pdf.doc.info:
        title = _decode_info(info.get("Title"))
        if title and "title" not in meta:
            meta["title"] = title
        created = _decode_info(info.get("CreationDate"))
        match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", created or "")
        if match and "pdf_created" not in meta:
            meta["pdf_created"] = "-".join(match.groups())
    return meta


def _decode_info(value) -> str | None:
    """A metadata string decoded by its BOM or bytes, or None if it is garbage."""
    try:
        value = pdfplumber.utils.resolve(value)
        if isinstance(value, str):
            raw = value.encode("latin-1")
        elif isinstance(value, bytes):
            raw = value
        else:
            return None
        if raw[:2] == b"\xfe\xff":
            text = raw[2:].decode("utf-16-be")
        elif raw[:2] == b"\xff\xfe":
            text = raw[2:].decode("utf-16-le")
        else:
            # No BOM: ASCII, UTF-8, or GBK written raw by a Chinese producer.
            text = None
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            if text is None:
                return None
    except Exception:
        return None
    text = text.replace("\x00", "").strip()
    if not text or any(unicodedata.category(ch) in ("Cc", "Co", "Cn") or ch == "\ufffd" for ch in text):
        return None
    return text


# ---------------------------------------------------------------- one page


def _visible_rule(obj) -> bool:
    """Keep graphics that can draw a table rule; drop filled backgrounds."""
    if obj.get("object_type") not in ("rect", "curve"):
        return True
    if obj.get("stroke"):
        return True
    # Some producers draw rules as hairline filled rectangles.
    return min(obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]) <= 2


def _read_page(page) -> _Page:
    page = page.dedupe_chars().filter(_visible_rule)
    tables = []
    for found in page.find_tables():
        rows = [[None if cell is None else _fix(clean_text(cell)) for cell in row] for row in found.extract()]
        if rows and max(len(row) for row in rows) >= 2:
            tables.append((found.bbox, Table(rows=rows)))

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for (x0, top, x1, bottom), _ in tables)

    text_page = page.filter(outside_tables) if tables else page
    lines = []
    for raw in text_page.extract_text_lines(return_chars=True):
        text = _fix(clean_text(raw["text"]))
        if text:
            sizes = [c["size"] for c in raw["chars"] if not c["text"].isspace()] or [raw["bottom"] - raw["top"]]
            lines.append(
                _Line(text, raw["x0"], raw["x1"], raw["top"], raw["bottom"], statistics.median(sizes), page.width)
            )

    items = sorted([(bbox[1], table) for bbox, table in tables] + [(line.top, line) for line in lines], key=lambda i: i[0])
    items = [item for _, item in items]
    # Page numbers: decorated ones anywhere, a bare number only as the
    # page's first or last item (a wrapped line may be just digits).
    kept = []
    for index, item in enumerate(items):
        if isinstance(item, _Line):
            text = item.text.replace(" ", "")
            if _DECORATED_PAGE_NUMBER.match(text):
                continue
            if _BARE_NUMBER.match(text) and index in (0, len(items) - 1):
                continue
        kept.append(item)
    texts = [c["text"] for c in page.chars if not c["text"].isspace()]
    undecoded = sum(1 for text in texts if text.startswith("(cid:"))
    return _Page(kept, len(texts), undecoded, bool(page.images))


def _fix(text: str) -> str:
    return text.translate(_IDEOGRAPH_FIX)


# ---------------------------------------------------------------- whole document


def _cluster(values: list[float], largest: bool, tolerance: float = 2.0) -> float:
    """The value most lines share (a margin), or the extreme if none is shared."""
    ordered = sorted(values)
    best, best_count = (ordered[-1] if largest else ordered[0]), 0
    for value in ordered if largest else reversed(ordered):
        count = bisect_right(ordered, value + tolerance) - bisect_left(ordered, value - tolerance)
        if count >= best_count:  # ties go to the outermost value seen last
            best, best_count = value, count
    return best if best_count >= 3 else (ordered[-1] if largest else ordered[0])


def _layouts(pages: list[list]) -> dict[float, _Layout]:
    """Margins and usual line gap, per page width (portrait and landscape differ)."""
    by_width: dict[float, list[_Line]] = {}
    gaps: dict[float, list[float]] = {}
    for items in pages:
        previous = None
        for item in items:
            if isinstance(item, _Line):
                by_width.setdefault(item.width, []).append(item)
                if previous is not None and item.top > previous.bottom:
                    gaps.setdefault(item.width, []).append(item.top - previous.bottom)
                previous = item
            else:
                previous = None
    return {
        width: _Layout(
            left=_cluster([line.x0 for line in lines], largest=False),
            right=_cluster([line.x1 for line in lines], largest=True),
            gap=statistics.median(gaps[width]) if gaps.get(width) else lines[0].size,
        )
        for width, lines in by_width.items()
    }


def _continues(previous: _Line, line: _Line, same_page: bool, layout: _Layout) -> bool:
    """Whether ``line`` carries on the paragraph that ``previous`` belongs to.

    A wrapped line runs to the right margin (within one character) and the
    next line starts flush left, in the same type size, without extra space
    above it and without a heading or list number.
    """
    if previous.width != line.width or abs(previous.size - line.size) > 1:
        return False
    if previous.x1 < layout.right - 0.9 * previous.size:
        return False
    if line.x0 > layout.left + 0.5 * line.size or _HEADING_START.match(line.text):
        return False
    return not same_page or line.top - previous.bottom <= layout.gap + 0.8 * line.size


def _assemble(pages: list[list]) -> list:
    layouts = _layouts(pages)
    blocks: list = []
    paragraph: list[str] = []
    previous, previous_page = None, -1  # last item placed, and its page

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(clean_text("\n".join(paragraph))))
            paragraph.clear()

    for page_number, items in enumerate(pages):
        for item in items:
            # Only the first item of a page can continue the last of the previous.
            adjacent = previous_page == page_number or (previous_page == page_number - 1 and item is items[0])
            if isinstance(item, Table):
                flush()
                if (
                    previous_page == page_number - 1
                    and item is items[0]
                    and isinstance(previous, Table)
                    and len(previous.rows[0]) == len(item.rows[0])
                ):
                    previous.rows.extend(item.rows)  # previous is blocks[-1]
                    item = previous
                else:
                    blocks.append(item)
            elif (
                isinstance(previous, _Line)
                and adjacent
                and _continues(previous, item, previous_page == page_number, layouts[item.width])
            ):
                paragraph.append(item.text)
            else:
                flush()
                paragraph.append(item.text)
            previous, previous_page = item, page_number
    flush()
    return blocks
