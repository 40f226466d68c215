"""Findings as CSV for Excel and WPS: UTF-8 with BOM, Chinese headers, and every
cell that a spreadsheet would run as a formula neutralised (report titles and
text come from the internet)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from audit.engine import SEVERITY_LABELS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text; a leading formula character is escaped with an apostrophe."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


AUDIT_HEADERS = ["来源", "机关", "年度", "规则", "级别", "问题描述", "位置", "指纹"]


def audit_csv(results: Iterable) -> str:
    """CSV text (with BOM) of ``nianbao audit`` results."""
    from audit.render import location_text

    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(AUDIT_HEADERS)
    for result in results:
        for item in result.findings:
            writer.writerow(
                safe_cell(v)
                for v in (
                    result.report.source,
                    result.context.agency_name,
                    result.context.year,
                    item.rule,
                    SEVERITY_LABELS[item.severity],
                    item.message,
                    location_text(item.location),
                    item.fingerprint,
                )
            )
    return buffer.getvalue()
