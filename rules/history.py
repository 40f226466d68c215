"""YR: this year's report against the same agency's report on the year before."""

from __future__ import annotations

import re

from audit.engine import AuditContext, finding, rule
from audit.model import TABLE3_COLUMNS
from rules.common import fmt, is_number

SIMILARITY_THRESHOLD = 0.85
SHINGLE = 8


@rule("YR-001", "error", "上年结转数与上一年度年报的结转下年度数不一致")
def yr_001(context: AuditContext):
    """Per column, 二、上年结转 (year Y) must equal 四、结转下年度继续办理 in the same
    agency's report on year Y-1: the same applications, counted twice."""
    report, previous = context.report, context.previous()
    if previous is None or not report.tables_found.get("table3") or not previous.tables_found.get("table3"):
        return
    for column in TABLE3_COLUMNS:
        now = report.table3["carried_over"][column]
        before = previous.table3["carried_forward"][column]
        if is_number(now) and is_number(before) and now != before:
            yield finding(
                "YR-001",
                f"表三 {TABLE3_COLUMNS[column]} 列：本年度“上年结转”为 {fmt(now)}，"
                f"但{previous.year}年度年报“结转下年度继续办理”为 {fmt(before)}",
                {"table": "table3", "row": "carried_over", "column": column},
                this_year=now,
                previous_year=before,
                previous_source=previous.source,
            )


@rule("YR-002", "info", "现行有效件数与上年数及本年制发、废止数不衔接")
def yr_002(context: AuditContext):
    """现行有效件数 (Y) should equal 现行有效 (Y-1) + 本年制发 − 本年废止, for 规章 and
    行政规范性文件. Info only: documents may also expire or be re-classified."""
    report, previous = context.report, context.previous()
    if previous is None or not report.tables_found.get("table2") or not previous.tables_found.get("table2"):
        return
    for key, label in (("rules", "规章"), ("normative_documents", "行政规范性文件")):
        now, before = report.table2[key], previous.table2[key]
        values = (now["in_force"], before["in_force"], now["issued"], now["repealed"])
        if not all(is_number(v) for v in values):
            continue
        expected = before["in_force"] + now["issued"] - now["repealed"]
        if now["in_force"] != expected:
            yield finding(
                "YR-002",
                f"表二“{label}”：上年现行有效 {fmt(before['in_force'])} + 本年制发 {fmt(now['issued'])} − 本年废止 {fmt(now['repealed'])} = {fmt(expected)}，"
                f"但本年现行有效为 {fmt(now['in_force'])}",
                {"table": "table2", "row": key, "column": "in_force"},
                expected=expected,
                stated=now["in_force"],
            )


def _shingles(text: str) -> set[str]:
    text = re.sub(r"[\s\d]", "", text)  # figures change every year; the wording is what is copied
    return {text[i : i + SHINGLE] for i in range(0, max(len(text) - SHINGLE + 1, 0))}


def _narrative(report) -> str:
    keep = []
    for number in (1, 5):  # the free-written sections; the rest is mostly tables
        section = report.section(number)
        if section.found:
            keep.append(section.text)
    return "\n".join(keep)


@rule("YR-003", "info", "正文与上一年度年报高度雷同")
def yr_003(context: AuditContext):
    """The narrative (sections 一 and 五) is nearly identical to the agency's previous
    report (内容雷同): a report copied from last year says nothing about this year."""
    report, previous = context.report, context.previous()
    if previous is None or not report.readable:
        return
    now, before = _shingles(_narrative(report)), _shingles(_narrative(previous))
    if len(now) < 50 or len(before) < 50:
        return
    similarity = len(now & before) / len(now | before)
    if similarity >= SIMILARITY_THRESHOLD:
        yield finding(
            "YR-003",
            f"第一、五部分正文与{previous.year}年度年报的相似度为{similarity:.0%}，内容高度雷同",
            {"section": [1, 5]},
            similarity=round(similarity, 3),
            previous_source=previous.source,
        )
