"""The canonical report model of spec §3, with its keys and standard labels.

Every reader's output ends up here, so rules never see a file format. The
row and column keys are the spec's, spelled exactly as there; the JSON of
``nianbao parse`` is ``Report.to_dict()``.

A cell value is an ``int`` or ``float`` when the cell holds a number,
``None`` when it is blank or absent, or the original string when it holds
something else ("/", "—", "无"). A blank is never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from audit.document import Problem

Cell = Union[int, float, str, None]

# ---------------------------------------------------------------- sections
# (number, standard title, accepted variants). Variants are matched after
# the interpreter's label normalisation; a variant match is recorded.
SECTIONS: list[tuple[int, str, tuple[str, ...]]] = [
    (1, "总体情况", ("概述",)),
    (2, "主动公开政府信息情况", ()),
    (3, "收到和处理政府信息公开申请情况", ()),
    (
        4,
        "政府信息公开行政复议、行政诉讼情况",
        (
            "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "政府信息公开行政复议和行政诉讼情况",
        ),
    ),
    (
        5,
        "存在的主要问题及改进情况",
        ("政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及整改措施"),
    ),
    (6, "其他需要报告的事项", ()),
]
SECTION_NUMERALS = "一二三四五六"

# ---------------------------------------------------------------- table 2
TABLE2_COLUMNS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount": "本年收费金额",
}
# row key -> (standard label, its columns, the article item it reports)
TABLE2_ROWS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "rules": ("规章", ("issued", "repealed", "in_force"), "第二十条第（一）项"),
    "normative_documents": ("行政规范性文件", ("issued", "repealed", "in_force"), "第二十条第（一）项"),
    "licensing": ("行政许可", ("decisions",), "第二十条第（五）项"),
    "penalty": ("行政处罚", ("decisions",), "第二十条第（六）项"),
    "coercion": ("行政强制", ("decisions",), "第二十条第（六）项"),
    "admin_fees": ("行政事业性收费", ("amount",), "第二十条第（八）项"),
}

# ---------------------------------------------------------------- table 3
TABLE3_COLUMNS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
APPLICANT_COLUMNS = tuple(k for k in TABLE3_COLUMNS if k != "total")

# row key -> (standard label as printed in the leaf cell, group label or "")
TABLE3_ROWS: dict[str, tuple[str, str]] = {
    "new_received": ("一、本年新收政府信息公开申请数量", ""),
    "carried_over": ("二、上年结转政府信息公开申请数量", ""),
    "granted": ("（一）予以公开", "三、本年度办理结果"),
    "partially_granted": ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三、本年度办理结果"),
    "denied.state_secret": ("1.属于国家秘密", "（三）不予公开"),
    "denied.prohibited_by_law": ("2.其他法律行政法规禁止公开", "（三）不予公开"),
    "denied.security_stability": ("3.危及“三安全一稳定”", "（三）不予公开"),
    "denied.third_party": ("4.保护第三方合法权益", "（三）不予公开"),
    "denied.internal_affairs": ("5.属于三类内部事务信息", "（三）不予公开"),
    "denied.process_information": ("6.属于四类过程性信息", "（三）不予公开"),
    "denied.enforcement_file": ("7.属于行政执法案卷", "（三）不予公开"),
    "denied.query_service": ("8.属于行政查询事项", "（三）不予公开"),
    "unable.not_held": ("1.本机关不掌握相关政府信息", "（四）无法提供"),
    "unable.needs_creation": ("2.没有现成信息需要另行制作", "（四）无法提供"),
    "unable.still_unclear": ("3.补正后申请内容仍不明确", "（四）无法提供"),
    "not_processed.complaint": ("1.信访举报投诉类申请", "（五）不予处理"),
    "not_processed.duplicate": ("2.重复申请", "（五）不予处理"),
    "not_processed.publication": ("3.要求提供公开出版物", "（五）不予处理"),
    "not_processed.excessive": ("4.无正当理由大量反复申请", "（五）不予处理"),
    "not_processed.confirmation": ("5.要求行政机关确认或重新出具已获取信息", "（五）不予处理"),
    "other.no_correction": (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "（六）其他处理",
    ),
    "other.fee_unpaid": (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "（六）其他处理",
    ),
    "other.other": ("3.其他", "（六）其他处理"),
    "processed_total": ("（七）总计", "三、本年度办理结果"),
    "carried_forward": ("四、结转下年度继续办理", ""),
}
# The 2019 format's single （六）其他处理 row, used instead of the three other.* rows.
TABLE3_OLD_OTHER_ROW = "other"
TABLE3_OLD_OTHER_LABEL = "（六）其他处理"

# The 21 leaf result rows whose sum is 三（七）总计 (TAB-102).
TABLE3_RESULT_LEAVES = tuple(
    k
    for k in TABLE3_ROWS
    if k not in ("new_received", "carried_over", "processed_total", "carried_forward")
)

TABLE3_OTHER_SUBROWS = ("other.no_correction", "other.fee_unpaid", "other.other")


def table3_result_leaves(table3: dict) -> list[str]:
    """The rows whose sum is 三（七）总计 in this table: the 21 leaves of the 2021
    format, with the 2019 format's single （六）其他处理 row in place of its
    three sub-rows when the report uses it."""
    if TABLE3_OLD_OTHER_ROW not in table3:
        return list(TABLE3_RESULT_LEAVES)
    return [k for k in TABLE3_RESULT_LEAVES if k not in TABLE3_OTHER_SUBROWS] + [TABLE3_OLD_OTHER_ROW]


# ---------------------------------------------------------------- table 4
TABLE4_COLUMNS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
TABLE4_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}

# Problem kinds the interpreter records; rules map them to findings.
PROBLEM_KINDS = {
    "unreadable": "the file could not be read as a report",
    "encoding": "the declared encoding was wrong or the bytes needed repair",
    "table_missing": "a statistical table was not found",
    "label_deviation": "a row or column label differs from the standard wording",
    "heading_variant": "a section heading differs from the standard title",
    "row_missing": "a row of a table was not found",
    "short_row": "a row has fewer cells than the format",
    "extra_cells": "a row has more cells than the format",
    "ambiguous_split": "digits run together admit more than one reading",
    "split_by_text": "digits run together, read with the figures the text states",
    "stray_value": "a value that belongs to no row",
    "old_format": "a feature of the 2019 format",
}


def empty_table2() -> dict[str, dict[str, Cell]]:
    return {row: {col: None for col in cols} for row, (_, cols, _) in TABLE2_ROWS.items()}


def empty_table3() -> dict[str, dict[str, Cell]]:
    return {row: {col: None for col in TABLE3_COLUMNS} for row in TABLE3_ROWS}


def empty_table4() -> dict[str, dict[str, Cell]]:
    return {group: {col: None for col in TABLE4_COLUMNS} for group in TABLE4_GROUPS}


@dataclass
class Section:
    number: int
    found: bool = False
    heading: str | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "found": self.found, "heading": self.heading}


@dataclass
class Report:
    """The canonical annual report (spec §3.4)."""

    source: str
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD when the document states it
    published_source: str | None = None  # where that date was read
    format_version: str = "unknown"  # "2021", "2019" or "unknown"
    sections: list[Section] = field(default_factory=lambda: [Section(n) for n in range(1, 7)])
    table2: dict[str, dict[str, Cell]] = field(default_factory=empty_table2)
    table3: dict[str, dict[str, Cell]] = field(default_factory=empty_table3)
    table4: dict[str, dict[str, Cell]] = field(default_factory=empty_table4)
    tables_found: dict[str, bool] = field(
        default_factory=lambda: {"table2": False, "table3": False, "table4": False}
    )
    body_text: str = ""
    readable: bool = True
    problems: list[Problem] = field(default_factory=list)

    def section(self, number: int) -> Section:
        return self.sections[number - 1]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the ``nianbao parse`` contract (DESIGN.md)."""
        return {
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "title": self.title,
            "published": self.published,
            "format_version": self.format_version,
            "sections": [s.to_dict() for s in self.sections],
            "table2": self.table2,
            "table3": self.table3,
            "table4": self.table4,
            "problems": [p.to_dict() for p in self.problems],
        }
