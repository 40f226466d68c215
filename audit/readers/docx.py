"""DOCX reader: body paragraphs and tables in document order.

python-docx opens the package; the body is then walked as XML, because
``row.cells`` repeats a merged cell at every grid position it covers and
the cell convention (see ``audit.document``) wants its text once, at the
top-left, with None elsewhere.

Decisions worth knowing:

* A line break (``w:br``, ``w:cr``, page breaks included) ends a paragraph,
  as ``<br>`` does in the HTML reader: Word users type Shift+Enter between a
  heading and its text.
* A table that contains another table, or has a single cell, is a layout
  box: its cells are read as ordinary flow (as in the HTML reader), so the
  nested tables come out as Table blocks of their own.
* Text in content controls (``w:sdt``) and custom XML is read; text boxes
  are read once (the ``mc:Fallback`` copy of a drawing is dropped).
  Headers, footers, footnotes and comments are not part of the body.
"""

from __future__ import annotations

import io

from audit.document import Document, Paragraph, Table, clean_text
from audit.readers import unreadable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_SPAN = 100
_GAP = object()  # a grid position no cell occupies (gridBefore/gridAfter, short rows)


def read(data: bytes, source: str) -> Document:
    """Read a DOCX file; never raises (a failure gives readable=False)."""
    try:
        return _read(data, source)
    except Exception as error:  # noqa: BLE001 - a reader must never raise on bad input
        return unreadable(
            source,
            "无法打开该 DOCX 文件（文件已损坏或不是 Word 文档），未能读取年报内容",
            error=f"{type(error).__name__}: {error}",
        )


def _read(data: bytes, source: str) -> Document:
    import docx  # python-docx; imported here so a missing install is a Problem, not an ImportError

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    for fallback in list(body.iter(FALLBACK)):
        fallback.getparent().remove(fallback)
    blocks = list(_blocks(body))
    if not blocks:
        return unreadable(source, "DOCX 文件中没有可读取的文字内容", error="no text in document body", format="docx")
    title = clean_text(document.core_properties.title or "")
    return Document(source=source, blocks=blocks, meta={"format": "docx", "title": title or None})


def _blocks(container):
    """Yield Paragraph and Table blocks of a body, cell or content control."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            yield from _paragraphs(child)
        elif tag == W + "tbl":
            if _is_layout(child):
                for row in _rows(child):
                    for cell in _cells(row):
                        yield from _blocks(cell)
            else:
                table = _table(child)
                if table is not None:
                    yield table
        elif tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if tag == W + "sdt" else child
            if content is not None:
                yield from _blocks(content)


def _paragraphs(p):
    """One w:p as Paragraphs: its runs' text, split at line breaks."""
    parts: list[list[str]] = [[]]
    for node in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        if node.tag == W + "t":
            parts[-1].append(node.text or "")
        elif node.getparent().tag != W + "r":
            continue  # w:tab inside w:tabs is a tab stop, not text
        elif node.tag == W + "tab":
            parts[-1].append("\t")
        else:
            parts.append([])
    for part in parts:
        text = clean_text("".join(part))
        if text:
            yield Paragraph(text)


def _children(parent, tag: str):
    """``parent``'s children with ``tag``, looking through content controls."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content, tag)


def _rows(tbl):
    return _children(tbl, W + "tr")


def _cells(tr):
    return _children(tr, W + "tc")


def _is_layout(tbl) -> bool:
    if next(tbl.iterdescendants(W + "tbl"), None) is not None:
        return True
    return sum(1 for row in _rows(tbl) for _ in _cells(row)) <= 1


def _prop(parent, path: str):
    """The w:val of ``parent``'s child at ``path`` (None if absent), and the child."""
    if parent is None:
        return None, None
    node = parent.find(path)
    return (node.get(W + "val") if node is not None else None), node


def _count(parent, path: str, default: int, limit: int) -> int:
    value, _ = _prop(parent, path)
    try:
        return max(0, min(int(value), limit)) if value is not None else default
    except ValueError:
        return default


def _cell_text(tc) -> str:
    lines = []
    for block in _blocks(tc):
        if isinstance(block, Table):  # only reachable through a layout table
            lines.extend(" ".join(c for c in row if c) for row in block.rows)
        else:
            lines.append(block.text)
    return clean_text("\n".join(lines))


def _table(tbl) -> Table | None:
    """Build the grid: gridSpan covers to the right, vMerge continue downward."""
    grid: list[list] = []
    for tr in _rows(tbl):
        row_props = tr.find(W + "trPr")
        row: list = [_GAP] * _count(row_props, W + "gridBefore", 0, MAX_SPAN)
        above = grid[-1] if grid else []
        for tc in _cells(tr):
            props = tc.find(W + "tcPr")
            span = max(1, _count(props, W + "gridSpan", 1, MAX_SPAN))
            col = len(row)
            vmerge, vnode = _prop(props, W + "vMerge")
            hmerge, hnode = _prop(props, W + "hMerge")
            continues_down = vnode is not None and vmerge != "restart"
            continues_right = hnode is not None and hmerge != "restart"
            # A continuation with nothing to continue (malformed) is an ordinary cell.
            if continues_down and col < len(above) and above[col] is not _GAP:
                row.extend([None] * span)
            elif continues_right and row and row[-1] is not _GAP:
                row.extend([None] * span)
            else:
                row.append(_cell_text(tc))
                row.extend([None] * (span - 1))
        row.extend([_GAP] * _count(row_props, W + "gridAfter", 0, MAX_SPAN))
        grid.append(row)

    width = max((len(row) for row in grid), default=0)
    rows = [["" if c is _GAP else c for c in row] + [""] * (width - len(row)) for row in grid]
    if not any(c for row in rows for c in row):
        return None
    return Table(rows=rows)
