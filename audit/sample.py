"""Sample annual reports written by this project, for the demo, tests and benchmarks.

The prose is ours; the section titles and table labels are the national
format's standard wording. ``SampleReport`` holds the figures; ``to_text``
and ``to_html`` render it in the two commonest published layouts (tab-
separated text, and a portal page with a rowspan table). A fresh sample
reconciles exactly, so a test can change one number and expect one finding.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass, field

from audit.model import SECTION_NUMERALS, SECTIONS, TABLE3_ROWS

T3_COLUMNS_HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _row(*applicants: int) -> list[int]:
    return [*applicants, sum(applicants)]


def _default_table3() -> dict[str, list]:
    rows = {key: _row(0, 0, 0, 0, 0, 0) for key in TABLE3_ROWS}
    rows["new_received"] = _row(40, 5, 0, 1, 2, 1)
    rows["carried_over"] = _row(3, 1, 0, 0, 0, 0)
    rows["granted"] = _row(18, 3, 0, 1, 1, 0)
    rows["partially_granted"] = _row(4, 1, 0, 0, 0, 0)
    rows["denied.process_information"] = _row(2, 0, 0, 0, 0, 0)
    rows["unable.not_held"] = _row(12, 1, 0, 0, 1, 1)
    rows["not_processed.duplicate"] = _row(1, 0, 0, 0, 0, 0)
    rows["other.no_correction"] = _row(2, 0, 0, 0, 0, 0)
    rows["processed_total"] = _row(39, 5, 0, 1, 2, 1)
    rows["carried_forward"] = _row(4, 1, 0, 0, 0, 0)
    return rows


@dataclass
class SampleReport:
    agency: str = "示例市生态环境局"
    year: int = 2024
    published: str | None = "2025-01-20"  # written as 发布日期 in the page header
    table2: dict[str, list] = field(
        default_factory=lambda: {
            "rules": [0, 0, 0],
            "normative_documents": [2, 1, 15],
            "licensing": [356],
            "penalty": [48],
            "coercion": [3],
            "admin_fees": [12.5],
        }
    )
    table3: dict[str, list] = field(default_factory=_default_table3)
    table4: list = field(default_factory=lambda: [2, 1, 0, 1, 4, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0])
    fee_statement: str = "本年度本机关发出收费通知0件，收费金额0元，实际收取信息处理费0元。"
    omit_sections: tuple[int, ...] = ()
    intro_received: str | None = None  # a sentence about applications for section 一

    def copy(self, **changes) -> "SampleReport":
        clone = copy.deepcopy(self)
        for key, value in changes.items():
            setattr(clone, key, value)
        return clone

    # ------------------------------------------------------------ prose
    def section_bodies(self) -> dict[int, list[str]]:
        received = self.intro_received or (
            f"{self.year}年，本机关共收到政府信息公开申请{self.table3['new_received'][6]}件，均在法定期限内答复。"
        )
        return {
            1: [
                f"{self.year}年，{self.agency}以制度建设为抓手推进政务公开，按季度梳理公开目录，及时更新机构职能、政策文件和执法信息。",
                received,
            ],
            2: [],
            3: [],
            4: [],
            5: [
                "主要问题：政策解读形式较单一，部分栏目更新不够及时。",
                "改进情况：下一年度将建立栏目更新台账，增加图解和问答式解读，并开展业务培训。",
            ],
            6: [self.fee_statement],
        }


def _title(sample: SampleReport) -> str:
    return f"{sample.agency}{sample.year}年政府信息公开工作年度报告"


def _heading(number: int) -> str:
    return f"{SECTION_NUMERALS[number - 1]}、{SECTIONS[number - 1][1]}"


def _table2_rows(sample: SampleReport) -> list[list[str]]:
    t2 = sample.table2
    fmt = lambda v: "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))  # noqa: E731
    return [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *map(fmt, t2["rules"])],
        ["行政规范性文件", *map(fmt, t2["normative_documents"])],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", fmt(t2["licensing"][0]), "", ""],
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政处罚", fmt(t2["penalty"][0]), "", ""],
        ["行政强制", fmt(t2["coercion"][0]), "", ""],
        ["第二十条第（八）项", "", "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        ["行政事业性收费", fmt(t2["admin_fees"][0]), "", ""],
    ]


def _cell(value) -> str:
    return "" if value is None else str(value)


def _table3_rows(sample: SampleReport) -> list[list[str]]:
    """Rows as (group label, leaf label, 7 values); a group label only on its first row."""
    rows = []
    previous_group = None
    for key, (label, group) in TABLE3_ROWS.items():
        values = [_cell(v) for v in sample.table3[key]]
        if not group:
            rows.append([label, "", *values])
        elif key == "granted":
            rows.append([group, label, *values])
        elif group == "三、本年度办理结果":
            rows.append(["", label, *values])
        else:
            rows.append([group if group != previous_group else "", label, *values])
        previous_group = group
    return rows


def to_text(sample: SampleReport) -> str:
    """Tab-separated text, as portals' "plain text" exports print it."""
    lines = [_title(sample), ""]
    if sample.published:
        lines += [f"发布日期：{sample.published}", ""]
    bodies = sample.section_bodies()
    for number in range(1, 7):
        if number in sample.omit_sections:
            continue
        lines += [_heading(number), ""]
        lines += [p + "\n" for p in bodies[number]]
        if number == 2:
            lines += ["\t".join(r) for r in _table2_rows(sample)] + [""]
        if number == 3:
            lines.append("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\t\t\t\t\t\t")
            lines.append("\t\t自然人\t法人或其他组织\t\t\t\t\t总计")
            lines.append("\t\t\t" + "\t".join(T3_COLUMNS_HEADER[1:6]) + "\t")
            lines += ["\t".join(r) for r in _table3_rows(sample)] + [""]
        if number == 4:
            lines.append("行政复议\t\t\t\t\t行政诉讼")
            lines.append("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉")
            lines.append("\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2))
            lines.append("\t".join(_cell(v) for v in sample.table4))
            lines.append("")
    return "\n".join(lines) + "\n"


def to_html(sample: SampleReport, chrome: bool = True) -> str:
    """A portal article page: header chrome with 发布日期, the body in #zoom, rowspan tables."""
    e = html.escape
    body: list[str] = []
    bodies = sample.section_bodies()
    for number in range(1, 7):
        if number in sample.omit_sections:
            continue
        body.append(f"<p><strong>{e(_heading(number))}</strong></p>")
        body += [f"<p>{e(p)}</p>" for p in bodies[number]]
        if number == 2:
            body.append("<table border='1'>" + "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in _table2_rows(sample)
            ) + "</table>")
        if number == 3:
            rows = [
                "<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
                "<td colspan='7'>申请人情况</td></tr>",
                "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>",
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in T3_COLUMNS_HEADER[1:6]) + "</tr>",
            ]
            for key, (label, group) in TABLE3_ROWS.items():
                values = "".join(f"<td>{e(_cell(v))}</td>" for v in sample.table3[key])
                if not group:
                    rows.append(f"<tr><td colspan='3'>{e(label)}</td>{values}</tr>")
                elif key == "granted":
                    rows.append(f"<tr><td rowspan='22'>三、本年度办理结果</td><td colspan='2'>{e(label)}</td>{values}</tr>")
                elif group == "三、本年度办理结果":
                    rows.append(f"<tr><td colspan='2'>{e(label)}</td>{values}</tr>")
                else:
                    first = [k for k, (_, g) in TABLE3_ROWS.items() if g == group][0]
                    span = sum(1 for _, g in TABLE3_ROWS.values() if g == group)
                    lead = f"<td rowspan='{span}'>{e(group)}</td>" if key == first else ""
                    rows.append(f"<tr>{lead}<td>{e(label)}</td>{values}</tr>")
            body.append("<table border='1'>" + "".join(rows) + "</table>")
        if number == 4:
            heads = "".join(f"<td>{h}</td>" for h in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
            body.append(
                "<table border='1'><tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
                f"<tr>{heads.replace('<td>', '<td rowspan=2>')}<td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>"
                f"<tr>{heads}{heads}</tr>"
                "<tr>" + "".join(f"<td>{e(_cell(v))}</td>" for v in sample.table4) + "</tr></table>"
            )
    title = e(_title(sample))
    pubdate = f"<meta name='PubDate' content='{e(sample.published)} 09:00'>" if sample.published else ""
    header = (
        f"<div class='nav'>首页 &gt; 政务公开 &gt; 政府信息公开年报</div>"
        f"<div class='info'>发布日期：{e(sample.published)}　来源：{e(sample.agency)}</div>" if sample.published and chrome else ""
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta name='ArticleTitle' content='{title}'>{pubdate}</head><body>"
        f"{header}<h1>{title}</h1><div id='zoom' class='TRS_Editor'>{''.join(body)}</div>"
        "<div class='footer'>主办单位：示例市人民政府办公室　网站标识码：0000000000</div></body></html>"
    )

