"""Table 3 (section 三): applications received and how they were handled.

Rows are matched by label; rows whose label was lost (PDF-to-Markdown dumps
print labels and numbers apart) take the next unfilled row in the format's
order. Digit runs are split with each row's total, and rows that still admit
several readings are settled with the column identities (TAB-101/TAB-102)
only when exactly one combination satisfies them.
"""

from __future__ import annotations

import functools
import itertools

from audit.document import Problem
from audit.interpret.cells import read_row
from audit.interpret.digits import applicant_row_check
from audit.interpret.labels import column_deviations, match_label
from audit.interpret.normalize import core
from audit.interpret.rows import RawRow
from audit.model import (
    TABLE3_COLUMNS,
    TABLE3_OLD_OTHER_LABEL,
    TABLE3_OLD_OTHER_ROW,
    TABLE3_OTHER_SUBROWS,
    TABLE3_ROWS,
    Cell,
    table3_result_leaves,
)

WIDTH = len(TABLE3_COLUMNS)
ORDER = list(TABLE3_ROWS)

TARGETS: dict[str, tuple[str, ...]] = {key: (label,) for key, (label, _) in TABLE3_ROWS.items()}
TARGETS["partially_granted"] = (TABLE3_ROWS["partially_granted"][0], "（二）部分公开")
TARGETS[TABLE3_OLD_OTHER_ROW] = (TABLE3_OLD_OTHER_LABEL,)

# Column headings and the abbreviations met in real reports.
COLUMN_VARIANTS = {
    "social_welfare": ("社会组织",),
    "research": ("科研单位",),
    "commercial": ("企业",),
}


@functools.cache  # a handful of keys, one call per row read
def _label(key: str) -> str:
    if key == TABLE3_OLD_OTHER_ROW:
        return f"表三“{TABLE3_OLD_OTHER_LABEL}”行"
    label, group = TABLE3_ROWS[key]
    prefix = f"{group.split('、')[0]}" if group.startswith("（") else ""
    return f"表三“{prefix}{label}”行"


_POSITION = {key: index for index, key in enumerate(ORDER)}
_POSITION[TABLE3_OLD_OTHER_ROW] = _POSITION["other.other"]


def _order_index(key: str) -> int:
    return _POSITION[key]


def read_table3(rows: list[RawRow]) -> tuple[dict[str, dict[str, Cell]], bool, list[Problem]]:
    """Return (table3, found, problems)."""
    table: dict[str, dict[str, Cell]] = {key: dict.fromkeys(TABLE3_COLUMNS) for key in ORDER}
    problems: list[Problem] = []
    filled: set[str] = set()
    ambiguous: dict[str, list[list[int]]] = {}
    pointer = -1
    pure_text = not any(r.grid for r in rows)
    header_labels: list[str] = []

    for row in rows:
        # A grid row of blank cells under a known label, once the data rows
        # have begun (headings such as "其他" come before), is a row left
        # empty; in running text a lone label's numbers are elsewhere.
        has_values = row.has_values()
        blank_grid_row = row.grid and bool(row.values) and pointer >= 0
        if not has_values and not blank_grid_row:
            if pointer < 0:
                header_labels.extend(row.labels)
            continue
        match = match_label(row.labels, TARGETS) if row.labels else None
        if not has_values and (match is None or match.key in filled):
            continue
        if not row.grid and not pure_text and len(row.values) < WIDTH:
            problems.append(
                Problem(
                    "stray_value",
                    f"表三中“{' '.join(row.values)}”不属于任何一行，已忽略",
                    location={"table": "table3"},
                    evidence={"values": row.values, "near": row.label},
                )
            )
            continue
        if match is None:
            if pointer < 0:
                continue  # numbers before the first row: not table 3's
            following = [k for k in ORDER[pointer + 1 :] if k not in filled]
            if not following:
                continue
            key = following[0]
        else:
            key = match.key
            if key in filled:
                continue
            if not match.exact:
                standard = TARGETS[key][0]
                problems.append(
                    Problem(
                        "label_deviation",
                        f"表三行标题写作“{match.text}”，标准为“{standard}”",
                        location={"table": "table3", "row": key},
                        evidence={"label": match.text, "standard": standard},
                    )
                )
        reading = read_row(row, WIDTH, {"table": "table3", "row": key}, _label(key), applicant_row_check)
        problems.extend(reading.problems)
        if key not in table:
            table[key] = dict.fromkeys(TABLE3_COLUMNS)
        if reading.cells is not None:
            table[key] = dict(zip(TABLE3_COLUMNS, reading.cells))
        elif reading.candidates:
            ambiguous[key] = reading.candidates
        filled.add(key)
        pointer = _order_index(key)

    if ambiguous:
        problems = _settle_by_identities(table, ambiguous, problems)

    found = len(filled) >= 3
    if found:
        problems.extend(_missing_rows(filled))
        problems.extend(column_deviations("table3", core("".join(header_labels)), TABLE3_COLUMNS, COLUMN_VARIANTS, "表三"))
    return table, found, problems


def _missing_rows(filled: set[str]) -> list[Problem]:
    problems = []
    old_other = TABLE3_OLD_OTHER_ROW in filled
    if old_other:
        problems.append(
            Problem(
                "old_format",
                "表三“（六）其他处理”为一行，未按2021年格式分列1.逾期不补正、2.逾期未缴费、3.其他三项",
                location={"table": "table3", "row": TABLE3_OLD_OTHER_ROW},
            )
        )
    for key in ORDER:
        if key in filled or (old_other and key in TABLE3_OTHER_SUBROWS):
            continue
        problems.append(
            Problem("row_missing", f"未找到{_label(key)}", location={"table": "table3", "row": key})
        )
    return problems


def _identities_hold(table: dict[str, dict[str, Cell]]) -> bool:
    """TAB-101 and TAB-102 on every column where all cells are numbers."""
    leaves = table3_result_leaves(table)
    for column in TABLE3_COLUMNS:
        checks = [
            (["new_received", "carried_over"], ["processed_total", "carried_forward"]),
            (leaves, ["processed_total"]),
        ]
        for left, right in checks:
            values = [table[k][column] for k in left + right]
            if all(isinstance(v, (int, float)) for v in values):
                if sum(values[: len(left)]) != sum(values[len(left) :]):
                    return False
    return True


def _settle_by_identities(table, ambiguous, problems):
    """Choose among split readings the single combination the identities allow."""
    keys = list(ambiguous)
    choices = [ambiguous[k] for k in keys]
    total = 1
    for c in choices:
        total *= len(c)
    if total > 4096:
        return problems
    passing = []
    for combo in itertools.product(*choices):
        trial = {k: dict(v) for k, v in table.items()}
        for key, cells in zip(keys, combo):
            trial[key] = dict(zip(TABLE3_COLUMNS, cells))
        if _identities_hold(trial):
            passing.append(combo)
            if len(passing) > 1:
                return problems
    if len(passing) != 1:
        return problems
    for key, cells in zip(keys, passing[0]):
        table[key] = dict(zip(TABLE3_COLUMNS, cells))
    settled = set(keys)
    kept = []
    for problem in problems:
        if problem.kind == "ambiguous_split" and problem.location.get("row") in settled:
            continue
        kept.append(problem)
    return kept

