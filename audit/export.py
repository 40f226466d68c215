"""Findings as CSV for Excel and WPS: UTF-8 with BOM, Chinese headers, and every
cell that a spreadsheet would run as a formula neutralised (report titles and
text come from the internet)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import BinaryIO

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


# Chinese header, English key, width in the spreadsheet.
FINDING_COLUMNS = [
    ("机关", "agency", 24),
    ("类型", "agency_type", 10),
    ("地区", "region", 12),
    ("年度", "year", 8),
    ("规则", "rule", 10),
    ("级别", "severity", 8),
    ("问题描述", "message", 70),
    ("位置", "location", 28),
    ("来源链接", "source_url", 40),
    ("发布日期", "published", 12),
    ("状态", "status", 10),
    ("首次发现", "first_seen", 20),
    ("最近发现", "last_seen", 20),
    ("复核意见", "review", 30),
]
STATUS_LABELS = {"new": "新发现", "open": "未整改", "resolved": "已解决", "reopened": "再次出现"}
DECISION_LABELS = {"dismissed": "驳回", "confirmed": "确认"}
TYPE_LABELS = {"department": "部门", "government": "政府", "township": "乡镇街道"}


def finding_record(row: dict, chinese: bool) -> dict:
    """One stored finding as export fields (Chinese labels for people, codes for JSON)."""
    from audit.render import location_text

    review = None
    if row.get("review_decision"):
        decision = DECISION_LABELS[row["review_decision"]] if chinese else row["review_decision"]
        review = f"{decision}：{row['review_note']}（{row['reviewer']}，{row['reviewed_at'][:10]}）" if chinese else {
            "decision": decision,
            "note": row["review_note"],
            "reviewer": row["reviewer"],
            "at": row["reviewed_at"],
        }
    return {
        "fingerprint": row["fingerprint"],
        "agency": row.get("agency_name") or row["agency_id"],
        "agency_type": TYPE_LABELS.get(row.get("agency_type"), row.get("agency_type")) if chinese else row.get("agency_type"),
        "region": row.get("region"),
        "year": row["year"],
        "rule": row["rule"],
        "severity": SEVERITY_LABELS[row["severity"]] if chinese else row["severity"],
        "message": row["message"],
        "location": location_text(row["location"]) if chinese else row["location"],
        "source_url": row.get("source_url"),
        "published": row.get("published"),
        "status": STATUS_LABELS.get(row["status"], row["status"]) if chinese else row["status"],
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "review": review,
    }


def write_findings(rows: list[dict], fmt: str, out: BinaryIO) -> None:
    """Write stored findings as csv (BOM, Chinese headers, injection-safe), json or xlsx."""
    if fmt == "json":
        records = [finding_record(r, chinese=False) for r in rows]
        out.write(json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        return
    records = [finding_record(r, chinese=True) for r in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel and WPS need the BOM to read UTF-8
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([title for title, _, _ in FINDING_COLUMNS])
        for record in records:
            writer.writerow(safe_cell(record[key]) for _, key, _ in FINDING_COLUMNS)
        out.write(buffer.getvalue().encode("utf-8"))
        return
    if fmt == "xlsx":
        _write_xlsx(records, out)
        return
    raise ValueError(f"unknown format {fmt!r}")


def _write_xlsx(records: list[dict], out: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "审核问题"
    sheet.append([title for title, _, _ in FINDING_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        # Cells are written as strings (never formulas): openpyxl would treat a
        # leading "=" as a formula, so the same neutralising applies.
        sheet.append([safe_cell(record[key]) if isinstance(record[key], str) else record[key] for _, key, _ in FINDING_COLUMNS])
    for index, (_, key, width) in enumerate(FINDING_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        if key == "message":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(out)
