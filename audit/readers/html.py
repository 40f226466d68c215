"""HTML reader: a saved portal page in, the report body as blocks out.

Portal pages wrap the report in navigation, breadcrumbs and footers. The
reader finds the element that holds the report (a known CMS container, or
the smallest element holding the most report markers), reads it into
paragraphs and tables, and keeps the rest of the page's text as
``meta["chrome_text"]`` because 发布时间 labels live there.

Decisions worth knowing:

* Only lxml (libxml2) is used, and every walk over the tree is iterative
  (``iterwalk``), so a 50 MB page or a page nested 10,000 levels deep reads
  in linear time without recursion.
* A ``<table>`` that contains another table, or has a single cell, is a
  layout box, not data: its cells are read as ordinary flow, so the nested
  tables come out as Table blocks of their own and the text as paragraphs.
  Report tables never nest, while whole reports are often wrapped in one.
* rowspan is clamped to the rows left in the table and a span stops where
  it would overlap another cell; colspan is capped at 100, and trailing
  columns in which no cell starts are trimmed, so an absurd colspan adds no
  phantom columns. Rows with no cell of their own (all covered by spans or
  empty ``<tr>``) are dropped.
* ``<o:p>`` (Word's paragraph mark) is unwrapped, not deleted: it usually
  holds only a non-breaking space, but Word-pasted signatures (机关名称,
  成文日期) sometimes sit inside it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import lxml.etree as etree
import lxml.html

from audit.document import Document, Paragraph, Table, clean_text
from audit.readers import unreadable
from audit.readers.encoding import decode

CHROME_LIMIT = 20_000
MAX_COLSPAN = 100
MAX_COLUMNS = 1000

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol "
    "p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Elements whose subtree is never visible text (or is chrome by nature).
DROP_TAGS = ("script", "style", "noscript", "template", "head", "title", "select", "iframe", "object", "svg")
# Elements that may hold the report body.
CONTAINER_TAGS = frozenset("body div article section main td center form".split())
KNOWN_IDS = frozenset(["zoom", "zoomcon", "ucap-content", "content", "fontzoom", "maintext", "article"])
KNOWN_CLASSES = frozenset(
    ["trs_editor", "trs_ueditor", "article-content", "article_content", "view", "content", "pages_content", "news_content"]
)
# Report markers, written without whitespace (matched against compacted text).
MARKERS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题", "其他需要报告的事项")

_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(data: bytes, source: str) -> Document:
    """Read an HTML page; never raises (a failure gives readable=False)."""
    try:
        return _read(data, source)
    except Exception as error:  # noqa: BLE001 - a reader must never raise on bad input
        return unreadable(source, "无法解析该 HTML 页面，未能读取年报内容", error=f"{type(error).__name__}: {error}")


def _read(data: bytes, source: str) -> Document:
    match = _CHARSET.search(data[:65536])
    declared = match.group(1).decode("ascii", "replace") if match else None
    text, encoding, problems = decode(data, declared)
    # Re-encode to UTF-8 and tell libxml2 so, so that no meta tag inside the
    # page can make it decode a second time with the wrong charset.
    payload = text.replace("\x00", "").encode("utf-8", "replace")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    root = lxml.html.document_fromstring(payload, parser=parser)

    meta = {"format": "html", "encoding": encoding, **_page_meta(root)}
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    etree.strip_tags(root, "o:p")
    page = root.find("body")
    if page is None:
        page = root

    body, found = _choose_body(page)
    blocks = _flow(body)
    chrome = _chrome_text(page, body) if body is not page else ""
    meta.update(body_found=found, chrome_text=chrome)
    if not blocks and not chrome:
        return unreadable(source, "HTML 页面中没有可读取的文字内容", encoding=encoding)
    return Document(source=source, blocks=blocks, meta=meta, problems=problems)


def _page_meta(root) -> dict:
    """Title (ArticleTitle, else the first <title>) and PubDate as written."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        name = (element.get("name") or "").strip().lower()
        if name in ("articletitle", "pubdate") and name not in found:
            found[name] = (element.get("content") or "").strip()
    title = clean_text(found.get("articletitle") or "")
    if not title:
        first = next(root.iter("title"), None)
        title = clean_text(first.text_content()) if first is not None else ""
    return {"title": title or None, "pubdate": found.get("pubdate") or None}


# ------------------------------------------------------------------ body


def _is_known(element) -> bool:
    if element.tag == "article":
        return True
    if (element.get("id") or "").strip().lower() in KNOWN_IDS:
        return True
    classes = (element.get("class") or "").lower().split()
    return any(c in KNOWN_CLASSES for c in classes)


def _choose_body(page):
    """Return (element holding the report, whether any marker was found).

    One pass builds the page text with whitespace removed (so a marker split
    across spans still matches) and records where each container starts and
    ends in it; a container's score is the number of distinct markers inside
    it, plus one if it holds a table.
    """
    pieces: list[str] = []
    pos = 0
    count = 0
    open_containers: list[tuple] = []
    containers: list[tuple] = []  # (element, text start, text end, node start, node end)
    tables: list[int] = []
    for event, element in etree.iterwalk(page, events=("start", "end")):
        tag = element.tag
        if event == "start":
            count += 1
            if tag == "table":
                tables.append(count)
            if tag in CONTAINER_TAGS:
                open_containers.append((element, pos, count))
            chunk = element.text
        else:
            if tag in CONTAINER_TAGS:
                opened, text_start, node_start = open_containers.pop()
                containers.append((opened, text_start, pos, node_start, count))
            chunk = element.tail if element is not page else None
        if chunk:
            chunk = "".join(chunk.split())
            pieces.append(chunk)
            pos += len(chunk)

    compact = "".join(pieces)
    hits = [[m.start() for m in re.finditer(re.escape(marker), compact)] for marker in MARKERS]

    def score(text_start: int, text_end: int, node_start: int, node_end: int) -> int:
        total = 0
        for marker, positions in zip(MARKERS, hits):
            i = bisect_left(positions, text_start)
            if i < len(positions) and positions[i] + len(marker) <= text_end:
                total += 1
        if not total:
            return 0  # a table alone does not make a report
        i = bisect_left(tables, node_start + 1)
        return total + (i < len(tables) and tables[i] <= node_end)

    scored = [(score(*c[1:]), c) for c in containers]
    best = max((s for s, _ in scored), default=0)
    if best == 0:
        return page, False
    winners = [c for s, c in scored if s == best]
    known = [c for c in winners if _is_known(c[0])]
    # Smallest text wins; on a tie the inner element (later start) wins.
    element = min(known or winners, key=lambda c: (c[2] - c[1], -c[3]))[0]
    return element, True


def _chrome_text(page, body) -> str:
    """Page text outside the body, one line per block (a table row is a line).

    When it is too long, keep the text nearest the body: labels such as
    发布时间 sit just above or below it, while the far ends are menus.
    """
    before: list[str] = []
    after: list[str] = []
    lines = before
    for block in _flow(page, skip=body):
        if block is _SKIPPED:
            lines = after
        elif isinstance(block, Table):
            lines.extend(" ".join(c for c in row if c) for row in block.rows if any(row))
        else:
            lines.append(block.text)
    head, tail = "\n".join(before), "\n".join(after)
    if len(head) + len(tail) > CHROME_LIMIT:
        tail = tail[: CHROME_LIMIT // 4]
        head = head[-(CHROME_LIMIT - len(tail)) :]
    return "\n".join(part for part in (head, tail) if part)


# ------------------------------------------------------------------ flow

_SKIPPED = Paragraph("")  # marker object: where the skipped element stood


def _flow(root, skip=None) -> list:
    """Blocks of ``root`` in document order.

    Block elements and <br> end the current paragraph; inline elements
    (span, font, b, ...) join their text with no separator.
    """
    blocks: list = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            text = clean_text("".join(buffer))
            buffer.clear()
            if text:
                blocks.append(Paragraph(text))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if element is skip:
                flush()
                blocks.append(_SKIPPED)
                walker.skip_subtree()
                continue
            if tag == "table" and element is not root and not _is_layout(element):
                flush()
                table = _table(element)
                if table is not None:
                    blocks.append(table)
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if element.text:
                buffer.append(element.text)
        else:
            if tag in BLOCK_TAGS or element is skip:
                flush()
            if element is not root and element.tail:
                buffer.append(element.tail)
    flush()
    return blocks


# ------------------------------------------------------------------ tables


def _rows(table):
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if row.tag == "tr")


def _cells(row):
    return [cell for cell in row if cell.tag in ("td", "th")]


def _is_layout(table) -> bool:
    if next(table.iterdescendants("table"), None) is not None:
        return True
    return sum(len(_cells(row)) for row in _rows(table)) <= 1


def _span(value, limit: int) -> int:
    """An HTML span attribute as an int in 1..limit (0 means 'to the end')."""
    match = re.match(r"\s*(\d+)", value or "")
    number = int(match.group(1)) if match else 1
    return limit if number == 0 else max(1, min(number, limit))


def _cell_text(cell) -> str:
    lines = []
    for block in _flow(cell):
        if isinstance(block, Table):  # unreachable for grid tables; kept for safety
            lines.extend(" ".join(c for c in row if c) for row in block.rows)
        else:
            lines.append(block.text)
    return clean_text("\n".join(lines))


_FREE = object()  # a grid position no cell has claimed yet


def _table(table) -> Table | None:
    """Expand rowspan/colspan into a full grid (see module docstring)."""
    rows = list(_rows(table))
    grid: list[list] = [[] for _ in rows]
    own = [False] * len(rows)
    starts: set[int] = set()
    for r, row in enumerate(rows):
        line = grid[r]
        col = 0
        for cell in _cells(row):
            while col < len(line) and line[col] is not _FREE:
                col += 1
            if col >= MAX_COLUMNS:
                break
            width = min(_span(cell.get("colspan"), MAX_COLSPAN), MAX_COLUMNS - col)
            height = _span(cell.get("rowspan"), len(rows) - r)
            own[r] = True
            starts.add(col)
            _claim(line, col)
            line[col] = _cell_text(cell)
            for c in range(col + 1, col + width):
                if not _claim(line, c):
                    break
                line[c] = None
            # Cover the rows below, stopping where another cell already sits.
            for below in grid[r + 1 : r + height]:
                if not all(_claim(below, c) for c in range(col, col + width)):
                    break
                below[col : col + width] = [None] * width
            col += width

    if not starts:
        return None
    width = max(starts) + 1
    out = []
    for r, line in enumerate(grid):
        if not own[r]:
            continue
        line = [("" if c is _FREE else c) for c in line[:width]]
        out.append(line + [""] * (width - len(line)))
    if not any(c for line in out for c in line):
        return None
    return Table(rows=out)


def _claim(line: list, col: int) -> bool:
    """Grow ``line`` to reach ``col``; True when that position is still free."""
    if len(line) <= col:
        line.extend([_FREE] * (col + 1 - len(line)))
    return line[col] is _FREE
