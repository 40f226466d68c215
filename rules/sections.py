"""SEC: the six sections the national format requires."""

from __future__ import annotations

import re

from audit.engine import AuditContext, finding, rule
from audit.model import SECTION_NUMERALS, SECTIONS


def _standard(number: int) -> str:
    return f"{SECTION_NUMERALS[number - 1]}、{SECTIONS[number - 1][1]}"


def _untitled_section_five(context: AuditContext) -> bool:
    """Section 五's content is there under its sub-headings, only its title is missing."""
    report = context.report
    text = report.section(4).text if report.section(4).found else ""
    return bool(re.search(r"主要问题", text) and re.search(r"改进|整改", text))


@rule("SEC-001", "error", "缺少规定章节")
def sec_001(context: AuditContext):
    """One of the six sections of the national format is missing (one finding per section).

    Basis: 条例 art. 50 and the unified format 国办公开办函〔2021〕30号, which
    fix the six parts of the report. A section is found by its top-level
    numbered heading; sub-headings such as （三） inside another section do
    not count.
    """
    report = context.report
    if not report.readable:
        return
    for section in report.sections:
        if section.found:
            continue
        if section.number == 5 and _untitled_section_five(context):
            continue  # reported by SEC-002: the content exists, the title does not
        yield finding(
            "SEC-001",
            f"缺少第{SECTION_NUMERALS[section.number - 1]}部分“{_standard(section.number)}”",
            {"section": section.number},
        )


@rule("SEC-002", "warning", "章节顺序或编号不规范，或章节为空")
def sec_002(context: AuditContext):
    """Sections are out of order, numbered out of sequence, untitled, or present but empty.

    Basis: the unified format numbers the sections 一 to 六 in a fixed order;
    a reader looking for a section by its number must find it there.
    """
    report = context.report
    if not report.readable:
        return
    found = [s for s in report.sections if s.found]
    positions = {s.number: report.body_text.find(s.heading or "") for s in found}
    ordered = sorted(found, key=lambda s: positions[s.number])
    if [s.number for s in ordered] != sorted(s.number for s in ordered):
        yield finding(
            "SEC-002",
            "章节顺序与规定格式不一致：" + "、".join(s.heading or "" for s in ordered),
            {"aspect": "order"},
            order=[s.number for s in ordered],
        )
    renumbered = [s for s in found if not (s.heading or "").lstrip("#* ").startswith(SECTION_NUMERALS[s.number - 1])]
    if renumbered:
        yield finding(
            "SEC-002",
            "章节编号不规范：" + "；".join(f"“{s.heading}”应为“{_standard(s.number)}”" for s in renumbered),
            {"aspect": "numbering"},
            headings={s.number: s.heading for s in renumbered},
        )
    if not report.section(5).found and _untitled_section_five(context):
        yield finding(
            "SEC-002",
            f"第五部分缺少标题“{_standard(5)}”，相关内容（主要问题、改进情况）写在第四部分之后",
            {"section": 5},
        )
    for section in found:
        if not section.text.strip():
            yield finding(
                "SEC-002",
                f"第{SECTION_NUMERALS[section.number - 1]}部分“{section.heading}”标题下没有内容",
                {"section": section.number},
            )
