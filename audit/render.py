"""Findings as text for people: Chinese, grouped by severity."""

from __future__ import annotations

from audit.engine import SEVERITIES, SEVERITY_LABELS
from audit.model import SECTION_NUMERALS
from rules.common import TABLE_TITLES, column_label, row_label


def location_text(location: dict) -> str:
    """A finding's location in the format's own words: 表三 / 行 / 列, or 第N部分."""
    parts = []
    table = location.get("table")
    if table:
        parts.append(TABLE_TITLES.get(table, table))
        row = location.get("row")
        if row:
            try:
                parts.append(f"“{row_label(table, row)}”行")
            except KeyError:
                parts.append(str(row))
        column = location.get("column")
        if column:
            try:
                parts.append(f"“{column_label(table, column)}”列")
            except KeyError:
                parts.append(str(column))
        columns = location.get("columns")
        if columns:
            parts.append("、".join(column_label(table, c) for c in columns) + "列")
    section = location.get("section")
    if isinstance(section, int) and 1 <= section <= 6:
        parts.append(f"第{SECTION_NUMERALS[section - 1]}部分")
    elif isinstance(section, list):
        parts.append("、".join(f"第{SECTION_NUMERALS[s - 1]}部分" for s in section))
    return " ".join(parts) or "全文"


def audit_text(results) -> str:
    out = []
    for result in results:
        report, context = result.report, result.context
        out.append(f"== {report.source}")
        out.append(
            f"机关：{context.agency_name or '（未识别）'}　年度：{context.year or '（未识别）'}　"
            f"发布日期：{context.published.isoformat() if context.published else '（未知）'}"
        )
        if not result.findings:
            out.append("  未发现问题。")
        for severity in SEVERITIES:
            items = [f for f in result.findings if f.severity == severity]
            if not items:
                continue
            out.append(f"  【{SEVERITY_LABELS[severity]}】{len(items)}项")
            for item in items:
                out.append(f"    {item.rule} {item.message}")
                out.append(f"        位置：{location_text(item.location)}　指纹：{item.fingerprint}")
        counts = "，".join(
            f"{SEVERITY_LABELS[s]}{sum(1 for f in result.findings if f.severity == s)}项" for s in SEVERITIES
        )
        out.append(f"  合计：{counts}")
        out.append("")
    return "\n".join(out)
