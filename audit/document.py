"""The document structure every reader produces.

A reader (HTML, text, PDF, DOCX) knows its file format and nothing about
annual reports; it turns bytes into an ordered list of blocks. Everything
that knows what an annual report looks like lives in ``audit.interpret``,
which reads only this structure, so every format gets the same treatment.

Cell convention in ``Table.rows`` (the same for every reader):

* a string is the cell's text as shown ("" for an empty cell);
* ``None`` marks a grid position covered by a merged cell (rowspan,
  colspan, gridSpan, vMerge, or a PDF merged area). The text of a merged
  cell appears once, at its top-left position, and is never repeated.

Text inside a cell or paragraph has its line breaks removed: a break
between two CJK characters is dropped, any other break becomes a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(slots=True)  # readers make thousands: slots make them cheaper
class Paragraph:
    """One paragraph, heading or line of running text."""

    text: str


@dataclass(slots=True)
class Table:
    """A grid of cells, row by row, with merged cells expanded (see above)."""

    rows: list[list[str | None]]


Block = Union[Paragraph, Table]


@dataclass
class Problem:
    """Something a reader or interpreter met that the audit must know about.

    ``kind`` is a stable machine name (see ``audit.model.PROBLEM_KINDS``),
    ``message`` is Chinese for the supervisor, ``location`` names the table,
    row and column keys or the section number when there is one.
    """

    kind: str
    message: str
    location: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "location": self.location,
            "evidence": self.evidence,
        }


@dataclass
class Document:
    """What a reader made of one file.

    ``meta`` carries facts the format itself states and the interpreter may
    use: ``title`` (HTML <title> or PDF title), ``pubdate`` (HTML
    ``<meta name="PubDate">`` as written), ``chrome_text`` (portal text
    outside the report body, where 发布时间 labels live), ``body_found``
    (HTML: False when no element held any report marker), ``encoding``,
    ``format`` ("html", "text", "pdf", "docx"), ``pages`` and ``pdf_created`` (PDF).

    ``readable`` is False when the file could not be read as a report at all
    (scanned PDF with no text layer, binary garbage, empty file); the
    ``problems`` then say why.
    """

    source: str
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def text(self) -> str:
        """All paragraph text and table cells, one block per line."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                for row in block.rows:
                    lines.append("\t".join(c for c in row if c is not None))
        return "\n".join(lines)


_CJK = (
    "\u3000-\u303f"  # CJK punctuation
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uff00-\uffef"  # full-width forms
    "\u2018-\u201f"  # curly quotes
)


_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")
_SPACES = re.compile("[\u00a0\u3000\t\f\v ]+")
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}]) *\n *(?=[{_CJK}])")
_BREAKS = re.compile(r" *\n+ *")
_NEEDS_WORK = re.compile("[\r\n\t\f\v\u00a0\u3000\u200b\u200c\u200d\ufeff]|  ")


def clean_text(text: str) -> str:
    """Apply the line-break convention above and tidy whitespace.

    Non-breaking and ideographic spaces become plain spaces, zero-width
    characters go, runs of spaces shrink to one, and a line break between two
    CJK characters disappears (PDF and Word wrap Chinese anywhere).
    """
    # Whitespace at either end goes whatever it is, and none of the steps
    # below looks across it (their lookarounds want CJK characters, which
    # \u3000 no longer is once spaces are tidied): strip first, so that text
    # with only its ends to trim, "\n    某某局\n  ", needs no other work.
    text = text.strip()
    if not _NEEDS_WORK.search(text):
        return text  # most cells: nothing to tidy
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CJK_BREAK.sub("", text)
    text = _BREAKS.sub(" ", text)
    return text.strip()
