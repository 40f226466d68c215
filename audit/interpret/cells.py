"""Turn a raw row's values into exactly the format's number of cells.

Shared by tables 2, 3 and 4. Grid rows know their blanks; running text does
not, and may need its digit runs split (``digits.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from audit.document import Problem
from audit.interpret.digits import Check, split_runs
from audit.interpret.normalize import halfwidth, parse_cell
from audit.interpret.rows import RawRow
from audit.model import Cell


@dataclass(slots=True)
class RowReading:
    cells: list[Cell] | None  # None: the row could not be read reliably
    problems: list[Problem] = field(default_factory=list)
    candidates: list[list[int]] = field(default_factory=list)  # for an ambiguous split


def _trim_blanks(values: list[str], width: int) -> list[str]:
    """Drop blank cells that are only layout (merged label areas, padding)."""
    if len(values) <= width:
        return values  # nothing to drop (the caller does not change the list)
    values = list(values)
    while len(values) > width and not values[0].strip():
        values.pop(0)
    while len(values) > width and not values[-1].strip():
        values.pop()
    return values


def _passes(cells: Sequence[Cell], check: Check | None) -> bool:
    if check is None:
        return True
    if not all(isinstance(c, (int, float)) for c in cells):
        return False
    return check(cells)  # type: ignore[arg-type]


def read_row(row: RawRow, width: int, where: dict, label: str, check: Check | None = None) -> RowReading:
    """Read ``row`` as ``width`` cells; ``where`` is the problem location."""
    values = _trim_blanks(row.values, width) if row.grid else [v for v in row.values if v.strip()]
    if len(values) == width:
        return RowReading([parse_cell(v) for v in values])  # the usual row: nothing to report

    shown = " ".join(v if v.strip() else "□" for v in row.values)

    digits = [halfwidth(v).strip() for v in values]
    if not row.grid and len(values) < width and all(d.isdigit() for d in digits) and sum(map(len, digits)) >= width:
        solutions = split_runs(digits, width, check)
        if len(solutions) == 1:
            return RowReading(list(solutions[0]))
        problem = Problem(
            "ambiguous_split",
            f"{label}：数字连写为“{shown}”，"
            + (f"可拆分为{len(solutions)}种不同结果，无法确定各栏数值" if solutions else "无法拆分为符合勾稽关系的数值"),
            location=dict(where),
            evidence={"raw": shown, "candidates": solutions[:8]},
        )
        return RowReading(None, [problem], solutions)

    if len(values) > width:
        windows = [values[:width], values[-width:]]
        readings = [[parse_cell(v) for v in w] for w in windows]
        passing = [r for r in readings if _passes(r, check)]
        cells = None
        if readings[0] == readings[1]:
            cells = readings[0]
        elif len(passing) == 1:
            cells = passing[0]
        problem = Problem(
            "extra_cells",
            f"{label}：该行有{len(values)}个数据单元格，格式规定为{width}个（多出单元格）"
            + ("" if cells is not None else "，无法确定各栏数值"),
            location=dict(where),
            evidence={"raw": shown, "count": len(values), "expected": width},
        )
        return RowReading(cells, [problem])

    # Fewer cells than the format.
    if not any(v.strip() for v in values):
        return RowReading([None] * width)
    if row.grid:
        # The total sits in the last column; a missing cell is at the front,
        # where a wide label took its place. A row that is blank but for its
        # total reads the same whatever its width, so that is no problem.
        cells = [None] * (width - len(values)) + [parse_cell(v) for v in values]
        if not any(v.strip() for v in values[:-1]):
            return RowReading(cells)
        readable = True
    else:
        cells = [None] * width  # running text: the blanks' positions are unknown
        readable = False
    problem = Problem(
        "short_row",
        f"{label}：该行只有{len(values)}个数据单元格，格式规定为{width}个"
        + ("" if readable else "，无法确定各栏位置"),
        location=dict(where),
        evidence={"raw": shown, "count": len(values), "expected": width},
    )
    return RowReading(cells, [problem])
