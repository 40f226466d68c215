"""Table 2 (section 二): documents issued and decisions made.

Its rows have no arithmetic of their own, so a digit run that admits several
readings stays ambiguous, unless the report's own text states the row's
figures ("现行有效行政规范性文件698件…制发的规范性文件88件") and exactly one
reading agrees with them.
"""

from __future__ import annotations

import re

from audit.document import Problem
from audit.interpret.cells import read_row
from audit.interpret.labels import column_deviations, match_label
from audit.interpret.normalize import core, halfwidth
from audit.interpret.rows import RawRow
from audit.model import TABLE2_COLUMNS, TABLE2_ROWS, Cell, empty_table2

TARGETS: dict[str, tuple[str, ...]] = {key: (label,) for key, (label, _, _) in TABLE2_ROWS.items()}
TARGETS["normative_documents"] = ("行政规范性文件", "规范性文件")

# Wordings of the 2019 format's table 2 (FMT-001).
OLD_FORMAT_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "第二十条第(九)项", "政府集中采购")
COLUMN_VARIANTS = {
    "repealed": ("本年度止件数", "本年废止件"),
    "in_force": ("现行有效件",),
    "issued": ("本年制发件",),
}
# How the text names a row when it states its figures.
_TEXT_NAMES = {"normative_documents": "规范性文件", "rules": "规章"}


def read_table2(rows: list[RawRow], body_text: str) -> tuple[dict[str, dict[str, Cell]], bool, bool, list[Problem]]:
    """Return (table2, found, old_format, problems)."""
    table = empty_table2()
    problems: list[Problem] = []
    filled: set[str] = set()
    headers: list[str] = []

    for row in rows:
        headers.extend(row.labels)  # column headings share rows with labels in running text
        if not row.has_values():
            continue
        match = match_label(row.labels, TARGETS) if row.labels else None
        if match is None or match.key in filled:
            continue
        key = match.key
        label, columns, _ = TABLE2_ROWS[key]
        if not match.exact:
            problems.append(
                Problem(
                    "label_deviation",
                    f"表二行标题写作“{match.text}”，标准为“{label}”",
                    location={"table": "table2", "row": key},
                    evidence={"label": match.text, "standard": label},
                )
            )
        reading = read_row(row, len(columns), {"table": "table2", "row": key}, f"表二“{label}”行")
        cells, row_problems = reading.cells, reading.problems
        if cells is None and len(reading.candidates) > 1:
            cells = _confirmed_by_text(key, reading.candidates, body_text)
            if cells is not None:
                row_problems = [p for p in row_problems if p.kind != "ambiguous_split"]
                row_problems.append(
                    Problem(
                        "split_by_text",
                        f"表二“{label}”行数字连写，已按正文所述数字拆分为{'、'.join(map(str, cells))}",
                        location={"table": "table2", "row": key},
                        evidence={"candidates": reading.candidates[:8], "chosen": cells},
                    )
                )
        problems.extend(row_problems)
        if cells is not None:
            table[key] = dict(zip(columns, cells))
        filled.add(key)

    header_text = core("".join(headers))
    old_format = any(core(marker) in header_text for marker in OLD_FORMAT_MARKERS)
    problems.extend(column_deviations("table2", header_text, TABLE2_COLUMNS, COLUMN_VARIANTS, "表二"))
    return table, len(filled) >= 2, old_format, problems


def _confirmed_by_text(key: str, candidates: list[list[int]], body_text: str) -> list[int] | None:
    """The one candidate whose 制发 and 现行有效 figures the text states, if any."""
    name = _TEXT_NAMES.get(key)
    if not name:
        return None
    text = halfwidth(body_text)
    stated = {int(n) for n in re.findall(rf"{name}[^。；，,\d]{{0,6}}?(\d+)件", text)}
    if not stated:
        return None
    agreeing = [c for c in candidates if c[0] in stated and c[2] in stated]
    return agreeing[0] if len(agreeing) == 1 else None
