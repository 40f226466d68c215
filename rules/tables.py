"""TAB: the three statistical tables, their cells and their arithmetic.

Blank cells are missing data, not zeros: the arithmetic rules skip every
comparison that involves one, and TAB-002 names those cells and says the
checks were skipped.
"""

from __future__ import annotations

from collections import defaultdict

from audit.engine import AuditContext, finding, rule
from audit.model import (
    APPLICANT_COLUMNS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE3_OLD_OTHER_ROW,
    TABLE3_RESULT_LEAVES,
    TABLE3_ROWS,
    TABLE4_GROUPS,
    table3_result_leaves,
)
from rules.common import TABLE_TITLES, column_label, fmt, is_number, row_label

TABLE_NAMES = {
    "table2": "表二“主动公开政府信息情况”",
    "table3": "表三“收到和处理政府信息公开申请情况”",
    "table4": "表四“政府信息公开行政复议、行政诉讼情况”",
}
# Problems of these kinds explain a row's missing values better than "blank".
_ROW_READING_PROBLEMS = ("ambiguous_split", "row_missing")
COLLAPSE_ROWS = 5  # this many rows blank in the same (not all) columns make one finding


def _readable(context: AuditContext, table: str) -> bool:
    report = context.report
    return report.readable and report.tables_found.get(table, False)


def _rows(report, table: str):
    """(row key, {column: value}) for the rows the report's format has."""
    data = getattr(report, table)
    if table == "table3":
        leaves = set(table3_result_leaves(data))
        for key in [*TABLE3_ROWS, TABLE3_OLD_OTHER_ROW]:
            if key in data and (key in leaves or key not in TABLE3_RESULT_LEAVES):
                yield key, data[key]
    elif table == "table2":
        for key, (_, columns, _) in TABLE2_ROWS.items():
            yield key, {c: data[key].get(c) for c in columns}
    else:
        yield from data.items()


@rule("TAB-001", "error", "统计表缺失或无法读取")
def tab_001(context: AuditContext):
    """Table 2, 3 or 4 is missing or unreadable (for example published only as an image).

    Basis: the unified format requires the three tables; without them no
    statistic of the report can be checked.
    """
    report = context.report
    if not report.readable:
        return
    for table, found in report.tables_found.items():
        if not found:
            yield finding("TAB-001", f"未能读取{TABLE_NAMES[table]}（缺失、或以图片等无法识别的形式发布）", {"table": table})


@rule("TAB-002", "warning", "单元格为空或不是数字")
def tab_002(context: AuditContext):
    """Cells are blank or not numeric where the format requires a number.

    A blank is not a zero: the agency must fill every cell (0 where nothing
    happened). Rows that could not be read (digits run together with several
    possible readings, rows not found) are reported here with the reason.
    The arithmetic checks involving these cells are skipped.
    """
    report = context.report
    reading_problems = {
        (p.location.get("table"), p.location.get("row")): p
        for p in report.problems
        if p.kind in _ROW_READING_PROBLEMS
    }
    for table in ("table2", "table3", "table4"):
        if not _readable(context, table):
            continue
        blank_rows: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for key, cells in _rows(report, table):
            problem = reading_problems.get((table, key))
            if problem is not None:
                yield finding(
                    "TAB-002",
                    f"{problem.message}，相关勾稽核对已跳过",
                    {"table": table, "row": key},
                    **problem.evidence,
                )
                continue
            missing = tuple(c for c, v in cells.items() if not is_number(v))
            if missing:
                blank_rows[missing].append(key)
        for columns, keys in blank_rows.items():
            yield from _blank_findings(report, table, columns, keys)


def _blank_findings(report, table, columns, keys):
    data = getattr(report, table)
    names = "、".join(column_label(table, c) for c in columns)
    whole_rows = len(columns) == len(next(iter(getattr(report, table).values())))
    if len(keys) >= COLLAPSE_ROWS and not whole_rows:
        yield finding(
            "TAB-002",
            f"{TABLE_TITLES[table]}“{names}”栏在{len(keys)}行中为空或不是数字（无数据应填0），相关勾稽核对已跳过",
            {"table": table, "columns": list(columns)},
            rows=keys,
        )
        return
    for key in keys:
        values = [data[key].get(c) for c in columns]
        shown = "、".join(f"{column_label(table, c)}（{'空' if v is None else v}）" for c, v in zip(columns, values))
        yield finding(
            "TAB-002",
            f"{TABLE_TITLES[table]}“{row_label(table, key)}”行有{len(columns)}个单元格为空或不是数字：{shown}，相关勾稽核对已跳过",
            {"table": table, "row": key},
            columns=list(columns),
            values=values,
        )


@rule("TAB-003", "warning", "行的单元格数与格式不符（错位或多出单元格）")
def tab_003(context: AuditContext):
    """A row has more or fewer cells than the format (shifted or extra columns).

    An extra or missing cell means the numbers may sit under the wrong
    applicant type; the reader keeps the reading the row total supports and
    says so.
    """
    for problem in context.report.problems:
        if problem.kind in ("extra_cells", "short_row"):
            yield finding("TAB-003", problem.message, problem.location, **problem.evidence)


@rule("TAB-004", "info", "行、列标题与标准表述不一致")
def tab_004(context: AuditContext):
    """A row or column label deviates from the standard wording of the format.

    Misprints and abbreviations ("社会组织" for 社会公益组织, "本年度止件数")
    do not change the numbers but should be corrected in the next report.
    """
    for problem in context.report.problems:
        if problem.kind == "label_deviation":
            yield finding("TAB-004", problem.message, problem.location, **problem.evidence)


def _t3(report, key, column):
    return report.table3.get(key, {}).get(column)


@rule("TAB-101", "error", "表三勾稽关系：本年新收＋上年结转≠办理结果总计＋结转下年度")
def tab_101(context: AuditContext):
    """Table 3, per column: 一 + 二 must equal 三（七）总计 + 四.

    Basis: the identity printed on the format itself (本列数据的勾稽关系为：
    第一项加第二项之和，等于第三项加第四项之和).
    """
    report = context.report
    if not _readable(context, "table3"):
        return
    for column in TABLE3_COLUMNS:
        new, old, done, next_year = (_t3(report, k, column) for k in ("new_received", "carried_over", "processed_total", "carried_forward"))
        if not all(is_number(v) for v in (new, old, done, next_year)):
            continue
        if new + old != done + next_year:
            yield finding(
                "TAB-101",
                f"表三 {TABLE3_COLUMNS[column]} 列：本年新收 {fmt(new)} + 上年结转 {fmt(old)} = {fmt(new + old)}，"
                f"但办理结果总计 {fmt(done)} + 结转下年度 {fmt(next_year)} = {fmt(done + next_year)}",
                {"table": "table3", "column": column},
                new_received=new,
                carried_over=old,
                processed_total=done,
                carried_forward=next_year,
            )


@rule("TAB-102", "error", "表三：（七）总计≠各项办理结果之和")
def tab_102(context: AuditContext):
    """Table 3, per column: 三（七）总计 must equal the sum of the 21 leaf result rows.

    In a report still using the 2019 format's single （六）其他处理 row, that
    row stands for the three 2021 sub-rows.
    """
    report = context.report
    if not _readable(context, "table3"):
        return
    leaves = table3_result_leaves(report.table3)
    for column in TABLE3_COLUMNS:
        values = [_t3(report, k, column) for k in leaves]
        total = _t3(report, "processed_total", column)
        if not is_number(total) or not all(is_number(v) for v in values):
            continue
        if sum(values) != total:
            yield finding(
                "TAB-102",
                f"表三 {TABLE3_COLUMNS[column]} 列：各项办理结果（予以公开至其他）之和为 {fmt(sum(values))}，但（七）总计为 {fmt(total)}",
                {"table": "table3", "column": column},
                leaves=dict(zip(leaves, values)),
                processed_total=total,
            )


@rule("TAB-103", "error", "表三：总计列≠六类申请人之和")
def tab_103(context: AuditContext):
    """Table 3, per row: the 总计 column must equal the sum of the six applicant columns."""
    report = context.report
    if not _readable(context, "table3"):
        return
    for key, cells in _rows(report, "table3"):
        parts = [cells.get(c) for c in APPLICANT_COLUMNS]
        total = cells.get("total")
        if not is_number(total) or not all(is_number(v) for v in parts):
            continue
        if sum(parts) != total:
            yield finding(
                "TAB-103",
                f"表三“{row_label('table3', key)}”行：六类申请人合计 {'+'.join(fmt(v) for v in parts)} = {fmt(sum(parts))}，但总计栏为 {fmt(total)}",
                {"table": "table3", "row": key},
                parts=dict(zip(APPLICANT_COLUMNS, parts)),
                total=total,
            )


@rule("TAB-104", "error", "表四：总计≠维持＋纠正＋其他＋尚未审结")
def tab_104(context: AuditContext):
    """Table 4, per group (行政复议, 未经复议直接起诉, 复议后起诉): 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结."""
    report = context.report
    if not _readable(context, "table4"):
        return
    for group, label in TABLE4_GROUPS.items():
        cells = report.table4[group]
        parts = [cells[c] for c in ("upheld", "corrected", "other", "pending")]
        total = cells["total"]
        if not is_number(total) or not all(is_number(v) for v in parts):
            continue
        if sum(parts) != total:
            yield finding(
                "TAB-104",
                f"表四 {label}：结果维持 {fmt(parts[0])} + 结果纠正 {fmt(parts[1])} + 其他结果 {fmt(parts[2])} + 尚未审结 {fmt(parts[3])} = {fmt(sum(parts))}，但总计为 {fmt(total)}",
                {"table": "table4", "row": group},
                parts=dict(zip(("upheld", "corrected", "other", "pending"), parts)),
                total=total,
            )


@rule("TAB-105", "error", "出现负数，或件数为小数")
def tab_105(context: AuditContext):
    """Negative numbers anywhere, or fractional numbers in a count.

    Every cell of tables 3 and 4 and every count of table 2 is a number of
    documents, decisions or cases; only 行政事业性收费 (万元) may have decimals.
    """
    report = context.report
    for table in ("table2", "table3", "table4"):
        if not _readable(context, table):
            continue
        for key, cells in _rows(report, table):
            for column, value in cells.items():
                if not is_number(value):
                    continue
                fractional = isinstance(value, float) and not value.is_integer() and column != "amount"
                if value < 0 or fractional:
                    what = "负数" if value < 0 else "小数"
                    yield finding(
                        "TAB-105",
                        f"{TABLE_TITLES[table]}“{row_label(table, key)}”行“{column_label(table, column)}”栏为{what} {fmt(value)}，件数应为非负整数",
                        {"table": table, "row": key, "column": column},
                        value=value,
                    )

