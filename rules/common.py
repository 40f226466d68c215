"""Wording shared by the rules: the format's own names for tables, rows, columns."""

from __future__ import annotations

from audit.model import (
    TABLE2_COLUMNS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE3_OLD_OTHER_LABEL,
    TABLE3_OLD_OTHER_ROW,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Cell,
)

TABLE_TITLES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def is_number(value: Cell) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def row_label(table: str, key: str) -> str:
    if table == "table3":
        if key == TABLE3_OLD_OTHER_ROW:
            return TABLE3_OLD_OTHER_LABEL
        label, group = TABLE3_ROWS[key]
        if group.startswith("（"):
            return f"{group}{label}"
        return label
    if table == "table2":
        return TABLE2_ROWS[key][0]
    if table == "table4":
        return TABLE4_GROUPS[key]
    return key


def column_label(table: str, column: str) -> str:
    if table == "table3":
        return TABLE3_COLUMNS[column]
    if table == "table2":
        return TABLE2_COLUMNS[column]
    return TABLE4_COLUMNS[column]


def fmt(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "空" if value is None else str(value)
