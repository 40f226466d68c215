"""From document lines to raw table rows: labels followed by values.

Every layout is reduced to one shape, ``RawRow(labels, values)``:

* a grid row (HTML/DOCX/PDF table, tab or pipe line) gives its label cells
  and the cells after the last label, blanks included: positions are known;
* running text (one cell per line, or a crawler dump with every cell run
  together: ``…申请数量640020470二、上年结转…``) is cut into label and value
  tokens; consecutive labels and the values after them form a row. Its
  blanks are invisible and digit runs may hold several cells (see
  ``digits.py``).

The table readers then match labels to the spec's row keys.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from audit.interpret.normalize import PLACEHOLDERS, halfwidth, is_value


class Line:
    """A paragraph (``text``) or a table row (``cells``, merged positions dropped).

    ``plain`` is the line as section and body text show it (a row's cells
    joined by tabs); it is read several times, so it is built once here.
    """

    __slots__ = ("text", "cells", "plain")

    def __init__(self, text: str | None = None, cells: list[str] | None = None, plain: str | None = None) -> None:
        self.text = text
        self.cells = cells
        if plain is None:  # a caller that has joined the cells already passes them joined
            plain = text if text is not None else "\t".join(cells or [])
        self.plain = plain

    @property
    def is_row(self) -> bool:
        return self.cells is not None


@dataclass(slots=True)  # one per table row: slots make them cheaper to build and read
class RawRow:
    labels: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    grid: bool = False

    @property
    def label(self) -> str:
        return "".join(self.labels)

    def has_values(self) -> bool:
        return any(map(str.strip, self.values))


# A digit run. Item numbers ("2.") glued to the end of a run belong to the
# next label: "2200003252.没有现成信息" is the run 220000325 and label "2.没有…".
_RUN = re.compile(r"\d(?:[\d,.]*\d)?")
# Digits that are part of a label's wording, not a cell.
_LABEL_DIGIT_FOLLOWERS = set("位年月日号%")


_HAS_DIGIT = re.compile(r"\d")


def tokenize_text(text: str) -> list[tuple[str, str]]:
    """Cut running text into ("label", text) and ("value", text) tokens."""
    text = halfwidth(text).strip()
    # Fast paths: most lines of one-cell-per-line dumps are a lone value or a lone label.
    if is_value(text):
        return [("value", text)] if text else []
    if not _HAS_DIGIT.search(text) and " " not in text:
        return [("label", text)]
    tokens: list[tuple[str, str]] = []
    label: list[str] = []

    def flush_label() -> None:
        joined = "".join(label).strip()
        label.clear()
        if joined and not re.fullmatch(r"[\s,，。:：;；、()（）]*", joined):
            tokens.append(("label", joined))

    for piece in re.split(r"(\s+)", text):
        if not piece or piece.isspace():
            label.append(piece)
            continue
        if piece in PLACEHOLDERS:
            flush_label()
            tokens.append(("value", piece))
            continue
        position = 0
        for match in _RUN.finditer(piece):
            start, end = match.span()
            run = match.group()
            after = piece[end : end + 1]
            before = piece[start - 1 : start] if start else ""
            if after in _LABEL_DIGIT_FOLLOWERS or before in ("第", "保留"):
                continue  # wording such as 保留4位小数
            item_number = after in (".", "、") and end + 1 < len(piece) and not piece[end + 1].isdigit()
            if item_number and len(run) == 1:
                continue  # "1.属于国家秘密": the digit opens the label
            if item_number:
                run, end = run[:-1], end - 1
            label.append(piece[position:start])
            flush_label()
            tokens.append(("value", run))
            position = end
        label.append(piece[position:])
    flush_label()
    return tokens


def raw_rows(lines: list[Line]) -> list[RawRow]:
    """Group a region's lines into raw rows (see module docstring)."""
    rows: list[RawRow] = []
    current: RawRow | None = None  # the open running-text row

    for line in lines:
        if line.cells is not None:
            current = None
            _grid_rows(line.cells, rows)
            continue
        for kind, text in tokenize_text(line.text or ""):
            if kind == "label":
                if current is None or current.values:
                    current = RawRow()
                    rows.append(current)
                current.labels.append(text)
            else:
                if current is None:
                    current = RawRow()
                    rows.append(current)
                current.values.append(text)
    return rows


_LABEL, _BLANK, _FILLED = 0, 1, 2


@functools.lru_cache(maxsize=4096)  # cells repeat ("0", "", "1"): many per report, few distinct
def _cell_kind(cell: str) -> int:
    """_LABEL, or a value: _BLANK or _FILLED."""
    if not is_value(cell):
        return _LABEL
    return _FILLED if cell.strip() else _BLANK


def _grid_rows(cells: list[str], rows: list[RawRow]) -> None:
    """Append one grid line's rows, usually one; split where a label follows values."""
    labels: list[str] = []
    values: list[str] = []
    filled = False  # whether values holds a non-blank value
    for cell in cells:
        kind = _cell_kind(cell)
        if kind != _LABEL:
            values.append(cell)
            if kind == _FILLED:
                filled = True
            continue
        if filled:
            rows.append(RawRow(labels, values, True))
            labels, values = [], []
            filled = False
        # Blanks before a label are the empty parts of a merged label area.
        values.clear()
        labels.append(cell)
    rows.append(RawRow(labels, values, True))
