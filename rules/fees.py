"""FEE: the statement on information processing fees (信息处理费) in section 六.

Basis: 国办函〔2020〕109号 (政府信息公开信息处理费管理办法) and the 2021 format,
which ask section 六 to report the number of fee notices issued, their total
amount and the amount actually collected. 行政事业性收费 in table 2 is a
different thing and does not count.
"""

from __future__ import annotations

import re

from audit.engine import AuditContext, finding, rule
from rules.common import is_number

_FEE = re.compile(r"信息处理费|收费|收取.{0,6}费|缴纳费用|费用")
_NOTICE = re.compile(r"(收费|缴费)通知")
_AMOUNT = re.compile(r"金额|\d+(?:\.\d+)?\s*元|收取")


def fee_text(context: AuditContext) -> tuple[str, bool]:
    """Section 六's text (the whole body when section 六 is missing), and whether it was section 六."""
    report = context.report
    section = report.section(6)
    if section.found:
        return section.text, True
    return report.body_text, False


@rule("FEE-001", "error", "第六部分未说明信息处理费收取情况")
def fee_001(context: AuditContext):
    """Section 六 says nothing about information processing fees (信息处理费 / 收费通知).

    The format requires the statement even when no fee was charged
    ("本年度未收取信息处理费" is enough to pass this rule).
    """
    report = context.report
    if not report.readable:
        return
    text, in_section = fee_text(context)
    if _FEE.search(text):
        return
    where = "第六部分“其他需要报告的事项”" if in_section else "报告全文（未找到第六部分）"
    shown = text.strip()[:60] or "（空）"
    yield finding(
        "FEE-001",
        f"{where}未说明信息处理费的收取情况（应写明发出收费通知的件数、总金额及实际收取的总金额，未收费的也应说明）。该部分原文：“{shown}”",
        {"section": 6},
        text=shown,
    )


@rule("FEE-002", "info", "信息处理费说明不完整（缺收费通知件数、金额或实收金额）")
def fee_002(context: AuditContext):
    """A fee statement exists but does not give what the format asks for: the
    number of fee notices, their total amount and the amount actually collected."""
    report = context.report
    if not report.readable:
        return
    text, _ = fee_text(context)
    if not _FEE.search(text):
        return
    missing = []
    if not _NOTICE.search(text):
        missing.append("发出收费通知的件数")
    if not _AMOUNT.search(text):
        missing.append("收费金额")
    if missing:
        yield finding(
            "FEE-002",
            f"信息处理费说明不完整：未写明{'、'.join(missing)}（格式要求写明发出收费通知的件数和总金额以及实际收取的总金额）",
            {"section": 6},
            missing=missing,
        )


@rule("FEE-003", "warning", "表三有“逾期未缴费”的申请，但第六部分未报告收费通知")
def fee_003(context: AuditContext):
    """Table 3 row 三（六）2 (applicant did not pay after a fee notice) is above 0,
    so fee notices were issued, yet section 六 reports none."""
    report = context.report
    if not report.readable or not report.tables_found.get("table3"):
        return
    unpaid = report.table3["other.fee_unpaid"]["total"]
    if not is_number(unpaid) or unpaid <= 0:
        return
    text, _ = fee_text(context)
    if _NOTICE.search(text):
        return
    yield finding(
        "FEE-003",
        f"表三“（六）2.申请人逾期未按收费通知要求缴纳费用”为 {unpaid} 件，说明曾发出收费通知，但第六部分未报告发出收费通知的件数和金额",
        {"table": "table3", "row": "other.fee_unpaid", "section": 6},
        fee_unpaid=unpaid,
    )
