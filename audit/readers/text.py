"""Plain text and Markdown reader.

Text dumps of reports come in several layouts: tab-separated table rows,
Markdown tables, one table cell per line, or a whole body on one line. This
reader only restores what the bytes say for sure: tab and pipe rows become
``Table`` rows, every other non-empty line a ``Paragraph``. Working out which
lines are cells of which table is the interpreter's job, the same for every
format.
"""

from __future__ import annotations

import re

from audit.document import Document, Paragraph, Table, clean_text
from audit.readers.encoding import decode

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")


def _table_row(line: str) -> list[str] | None:
    """Cells of a tab or Markdown-pipe row, or None for a plain line."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 2:
        return [clean_text(c) for c in stripped[1:-1].split("|")]
    if "\t" in line:
        return [clean_text(c) for c in line.rstrip("\n").split("\t")]
    return None


def read(data: bytes, source: str) -> Document:
    text, encoding, problems = decode(data)
    blocks: list[Paragraph | Table] = []
    table: Table | None = None
    for line in text.splitlines():
        if _MD_SEPARATOR.match(line) and "-" in line:
            continue
        row = _table_row(line)
        if row is not None:
            if table is None:
                table = Table(rows=[])
                blocks.append(table)
            table.rows.append(row)
            continue
        table = None
        line = _MD_HEADING.sub("", line).replace("**", "")
        line = clean_text(line)
        if line:
            blocks.append(Paragraph(line))
    return Document(
        source=source,
        blocks=blocks,
        meta={"format": "text", "encoding": encoding},
        problems=problems,
    )
