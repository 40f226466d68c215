"""Focused tests of each layout problem the interpreter solves, on small
documents written here (our prose; the labels are the format's)."""

from __future__ import annotations

import pytest

from audit.document import Document, Paragraph, Table
from audit.interpret import interpret, parse_bytes
from audit.interpret.digits import applicant_row_check, split_runs, table4_check
from audit.interpret.normalize import parse_cell
from audit.interpret.rows import tokenize_text
from audit.model import TABLE3_ROWS
from audit.sample import SampleReport, to_text


def parse_text(text: str):
    return parse_bytes(text.encode("utf-8"), "t.txt")


# ------------------------------------------------------------------ cells
@pytest.mark.parametrize(
    "raw,value",
    [
        ("12", 12),
        ("１２", 12),  # full-width digits
        ("3,119", 3119),
        ("３，１１９", 3119),  # full-width thousands separator
        ("96171.6", 96171.6),
        (" 0 ", 0),
        ("-2", -2),
        ("", None),
        ("  ", None),
        (None, None),
        ("/", "/"),
        ("—", "—"),
        ("无", "无"),
    ],
)
def test_cells_are_numbers_or_keep_their_state(raw, value):
    parsed = parse_cell(raw)
    assert parsed == value and type(parsed) is type(value)


# ------------------------------------------------------------------ digit runs
def test_split_uses_the_row_total():
    assert split_runs(["640020470"], 7, applicant_row_check) == [[64, 0, 0, 2, 0, 4, 70]]


def test_whitespace_is_a_hard_boundary():
    assert split_runs(["500000", "5"], 7, applicant_row_check) == [[5, 0, 0, 0, 0, 0, 5]]


def test_ambiguous_split_returns_every_reading():
    readings = split_runs(["220000325"], 7, applicant_row_check)
    assert sorted(readings) == [[2, 20, 0, 0, 0, 3, 25], [22, 0, 0, 0, 0, 3, 25]]


def test_table4_split_with_group_totals():
    assert split_runs(["110024001510102"], 15, table4_check) == [[1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]]


def test_no_leading_zeros_and_no_reading_when_inconsistent():
    assert split_runs(["000"], 3) == [[0, 0, 0]]
    assert split_runs(["1234567"], 7, applicant_row_check) == []


def test_item_number_glued_to_a_digit_run_goes_to_the_next_label():
    tokens = tokenize_text("1.本机关不掌握相关政府信息2200003252.没有现成信息需要另行制作0000000")
    assert tokens == [
        ("label", "1.本机关不掌握相关政府信息"),
        ("value", "220000325"),
        ("label", "2.没有现成信息需要另行制作"),
        ("value", "0000000"),
    ]


def test_digits_inside_label_wording_stay_in_the_label():
    tokens = tokenize_text("本年收费金额（单位：万元，保留4位小数）行政事业性收费 12.5")
    assert tokens[-1] == ("value", "12.5")
    assert all(kind == "label" for kind, _ in tokens[:-1])


# ------------------------------------------------------------------ run-together body
def _one_line_body(table3_rows: dict[str, str], table4: str) -> str:
    parts = ["标题: 示例区2024年度政府信息公开工作年度报告", "发布时间: 2025-03-10 10:00", "正文"]
    body = "一、总体情况本区持续推进政务公开。二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件305第二十条第（五）项信息内容本年处理决定数量行政许可120"
    body += "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    for key, (label, group) in TABLE3_ROWS.items():
        prefix = group if group and key in ("granted", "denied.state_secret", "unable.not_held", "not_processed.complaint", "other.no_correction") else ""
        body += prefix + label + table3_rows.get(key, "0000000")
    body += "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + table4
    body += "五、存在的主要问题及改进情况问题是解读不够。六、其他需要报告的事项本年度未发出收费通知，未收取信息处理费。"
    return "\n".join(parts + [body])


def test_body_on_one_line_with_cells_run_together():
    rows = {"new_received": "102000012", "granted": "910010", "processed_total": "102000012"}
    # 予以公开 "910010" has six digits for seven cells: unreadable, reported.
    report = parse_text(_one_line_body(rows, "110024001510102"))
    assert all(s.found for s in report.sections)
    assert report.published == "2025-03-10"
    assert list(report.table3["new_received"].values()) == [10, 2, 0, 0, 0, 0, 12]
    assert list(report.table3["granted"].values()) == [None] * 7
    assert [p.kind for p in report.problems if p.location.get("row") == "granted"] == ["short_row"]
    assert report.table4["litigation_direct"] == {"upheld": 4, "corrected": 0, "other": 0, "pending": 1, "total": 5}
    assert report.table2["normative_documents"] == {"issued": 3, "repealed": 0, "in_force": 5}


def test_ambiguous_rows_are_settled_by_the_column_identities_only_when_unique():
    rows = {
        "new_received": "220000325",  # ambiguous alone: 2|20|…|25 or 22|0|…|25
        "unable.not_held": "220000325",
        "processed_total": "220000325",
    }
    report = parse_text(_one_line_body(rows, "000000000000000"))
    # Every row is ambiguous the same way and any consistent choice satisfies the
    # identities, so more than one combination passes: nothing may be guessed.
    assert report.table3["new_received"]["natural_person"] is None
    assert sum(p.kind == "ambiguous_split" for p in report.problems) == 3

    rows["new_received"] = "22 0 0 0 0 3 25"  # spaced, so unambiguous
    report = parse_text(_one_line_body(rows, "000000000000000"))
    assert report.table3["unable.not_held"]["natural_person"] == 22
    assert report.table3["processed_total"]["commercial"] == 0
    assert not [p for p in report.problems if p.kind == "ambiguous_split"]


# ------------------------------------------------------------------ layouts
def test_one_cell_per_line():
    text = to_text(SampleReport())
    lines = []
    for line in text.splitlines():
        if "\t" in line:
            lines += [c for c in line.split("\t") if c.strip()] + [""]
        else:
            lines += [line, ""]
    report = parse_text("\n".join(lines))
    assert list(report.table3["granted"].values()) == [18, 3, 0, 1, 1, 0, 23]
    assert report.table4["review"]["total"] == 4
    assert report.table2["licensing"]["decisions"] == 356
    assert not [p for p in report.problems if p.kind != "label_deviation"]


def test_shifted_rows_keep_seven_numbers():
    text = to_text(SampleReport())
    shifted = text.replace("\t（七）总计\t", "（七）总计\t").replace("\t3.其他\t", "3.其他\t\t")
    report = parse_text(shifted)
    assert list(report.table3["processed_total"].values()) == [39, 5, 0, 1, 2, 1, 48]
    assert not [p for p in report.problems if p.kind in ("short_row", "extra_cells")]


def test_markdown_headings_bold_and_pipe_tables():
    text = to_text(SampleReport())
    text = text.replace("一、总体情况", "# 一、总体情况").replace("二、主动公开政府信息情况", "## 二、主动公开政府信息情况")
    text = text.replace("六、其他需要报告的事项", "**六、其他需要报告的事项**")
    lines = ["| " + " | ".join(l.split("\t")) + " |" if "\t" in l else l for l in text.splitlines()]
    report = parse_text("\n".join(lines))
    assert all(s.found for s in report.sections)
    assert report.section(6).heading == "六、其他需要报告的事项"
    assert report.table3["granted"]["total"] == 23


@pytest.mark.parametrize(
    "written,number",
    [
        ("一、概述", 1),
        ("一.总体情况", 1),
        ("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况", 4),
        ("五、政府信息公开工作存在的主要问题及改进情况", 5),
        ("五、存在的主要问题及整改措施", 5),
        ("二、主动公开政府信息情况 ", 2),
        ("三、收到和处理 政府信息公开申请情况", 3),
    ],
)
def test_heading_variants(written, number):
    report = parse_text(f"示例局2024年政府信息公开工作年度报告\n{written}\n正文一段。\n")
    assert report.section(number).found


def test_sub_heading_is_never_a_section():
    report = parse_text("示例局2024年政府信息公开工作年度报告\n一、总体情况\n（三）政府信息公开行政复议、行政诉讼情况\n本年度无。\n")
    assert report.section(1).found and not report.section(4).found


def test_gbk_text_reads_like_utf8():
    text = to_text(SampleReport())
    assert parse_bytes(text.encode("gb18030"), "g.txt").to_dict()["table3"] == parse_text(text).to_dict()["table3"]


def test_grid_from_any_reader_with_merged_cells():
    rows = [[label, None, *["1", "0", "0", "0", "0", "0", "1"]] for label in ["一、本年新收政府信息公开申请数量"]]
    rows += [["二、上年结转政府信息公开申请数量", None, "0", "0", "0", "0", "0", "0", "0"]]
    rows += [["三、本年度办理结果", "（一）予以公开", "1", "", "", "", "", "", "1"]]
    rows += [[None, "（七）总计", "1", "0", "0", "0", "0", "0", "1"]]
    document = Document(
        source="grid",
        blocks=[Paragraph("示例局2024年政府信息公开工作年度报告"), Paragraph("三、收到和处理政府信息公开申请情况"), Table(rows)],
    )
    report = interpret(document)
    assert list(report.table3["granted"].values()) == [1, None, None, None, None, None, 1]
    assert report.tables_found["table3"]
    assert {p.location.get("row") for p in report.problems if p.kind == "row_missing"} >= {"carried_forward"}
