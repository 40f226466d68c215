"""Table 4 (section 四): administrative reviews and lawsuits.

The table has no row labels: under a two-level header sits one row of 15
numbers (three groups of 结果维持, 结果纠正, 其他结果, 尚未审结, 总计). We take the
first run of values that reads as 15 cells; some layouts print the three
groups as three rows of five, which are joined.
"""

from __future__ import annotations

from audit.document import Problem
from audit.interpret.cells import read_row
from audit.interpret.digits import table4_check
from audit.interpret.rows import RawRow
from audit.model import TABLE4_COLUMNS, TABLE4_GROUPS, Cell, empty_table4

WIDTH = len(TABLE4_GROUPS) * len(TABLE4_COLUMNS)


def _candidate_rows(rows: list[RawRow]) -> list[RawRow]:
    """Rows with values, with three consecutive five-value rows joined."""
    valued = [r for r in rows if r.has_values()]
    joined: list[RawRow] = []
    index = 0
    while index < len(valued):
        group = valued[index : index + 3]
        counts = [len([v for v in r.values if v.strip()]) for r in group]
        if len(group) == 3 and counts == [5, 5, 5] and all(r.grid for r in group):
            joined.append(RawRow(values=[v for r in group for v in r.values if v.strip()], grid=True))
            index += 3
            continue
        joined.append(valued[index])
        index += 1
    return joined


def read_table4(rows: list[RawRow]) -> tuple[dict[str, dict[str, Cell]], bool, list[Problem]]:
    """Return (table4, found, problems)."""
    table = empty_table4()
    candidates = _candidate_rows(rows)
    if not candidates:
        return table, False, []
    readings = []
    for row in candidates:
        reading = read_row(row, WIDTH, {"table": "table4"}, "表四数据行", table4_check)
        if reading.cells is not None and not reading.problems:
            _fill(table, reading.cells)
            return table, True, []
        readings.append((len([v for v in row.values if v.strip()]), reading))
    # No clean row: report on the one nearest 15 values, the likeliest to be the
    # table's; a few stray numbers in the section's prose are no table at all.
    count, reading = min(readings, key=lambda item: abs(item[0] - WIDTH))
    if count < len(TABLE4_COLUMNS):
        return table, False, []
    if reading.cells is not None:
        _fill(table, reading.cells)
    return table, True, reading.problems


def _fill(table: dict[str, dict[str, Cell]], cells: list[Cell]) -> None:
    columns = list(TABLE4_COLUMNS)
    for index, group in enumerate(TABLE4_GROUPS):
        table[group] = dict(zip(columns, cells[index * 5 : index * 5 + 5]))
