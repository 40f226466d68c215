"""DOCX reader: document order, merged cells once, broken files unreadable."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from audit.document import Paragraph, Table
from audit.readers.docx import read


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc) -> list[list[list]]:
    return [b.rows for b in doc.blocks if isinstance(b, Table)]


@pytest.fixture()
def report_bytes() -> bytes:
    """A small report: headings, a line break, and a table-3-like header."""
    document = docx.Document()
    document.core_properties.title = "示例局2023年政府信息公开工作年度报告"
    document.add_paragraph("一、总体情况")
    mixed = document.add_paragraph()
    mixed.add_run("三、收到和处理")
    mixed.add_run("政府信息公开申请情况")
    broken = document.add_paragraph("第一行")
    broken.runs[0].add_break()
    broken.add_run("第二行")
    document.add_paragraph("")  # empty paragraphs are skipped

    table = document.add_table(rows=5, cols=5)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    # horizontal merge across the header row's applicant columns
    table.cell(0, 2).merge(table.cell(0, 4)).text = "申请人情况"
    # a 2x2 block merged both ways at the top-left
    table.cell(0, 0).merge(table.cell(1, 1)).text = "（本列数据的勾稽关系）"
    # a vertical merge down the first column (rows 2-4)
    table.cell(2, 0).merge(table.cell(4, 0)).text = "三、本年度办理结果"
    table.cell(2, 1).text = ""  # a blank cell stays ""

    document.add_paragraph("六、其他需要报告的事项")
    return save(document)


def test_document_order_and_meta(report_bytes):
    doc = read(report_bytes, "report.docx")
    assert doc.readable and doc.problems == []
    assert doc.meta == {"format": "docx", "title": "示例局2023年政府信息公开工作年度报告"}
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph"] * 4 + ["Table", "Paragraph"]
    assert paragraphs(doc) == [
        "一、总体情况",
        "三、收到和处理政府信息公开申请情况",
        "第一行",
        "第二行",
        "六、其他需要报告的事项",
    ]


def test_merged_cells_appear_once(report_bytes):
    doc = read(report_bytes, "report.docx")
    assert tables(doc) == [
        [
            ["（本列数据的勾稽关系）", None, "申请人情况", None, None],
            [None, None, "r1c2", "r1c3", "r1c4"],
            ["三、本年度办理结果", "", "r2c2", "r2c3", "r2c4"],
            [None, "r3c1", "r3c2", "r3c3", "r3c4"],
            [None, "r4c1", "r4c2", "r4c3", "r4c4"],
        ]
    ]


def test_python_docx_cells_would_repeat_the_merge(report_bytes):
    # Guard for the reason the reader walks the XML: row.cells repeats merged text.
    table = docx.Document(io.BytesIO(report_bytes)).tables[0]
    assert [c.text for c in table.rows[0].cells].count("申请人情况") == 3
    doc = read(report_bytes, "report.docx")
    assert sum(c == "申请人情况" for row in tables(doc)[0] for c in row) == 1


def test_grid_before_and_after_leave_empty_positions():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"{r}{c}"
    # second row: skip the first grid column (w:gridBefore) and drop its first cell
    tr = table.rows[1]._tr
    tr.remove(tr.tc_lst[0])
    tr_pr = tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    tr_pr.insert(0, before)
    doc = read(save(document), "grid.docx")
    assert tables(doc) == [[["00", "01", "02"], ["", "11", "12"]]]


def test_nested_table_makes_outer_a_layout_box():
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "一、总体情况"
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "信息内容", "本年制发件数"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "规章", "0"
    doc = read(save(document), "nested.docx")
    assert paragraphs(doc) == ["一、总体情况"]
    assert tables(doc) == [[["信息内容", "本年制发件数"], ["规章", "0"]]]


def test_truncated_docx_is_unreadable(report_bytes):
    doc = read(report_bytes[: len(report_bytes) // 2], "truncated.docx")
    assert doc.readable is False
    assert [p.kind for p in doc.problems] == ["unreadable"]
    assert "error" in doc.problems[0].evidence
    assert "DOCX" in doc.problems[0].message


def test_zip_that_is_not_a_word_file_is_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是 Word 文档")
    doc = read(buffer.getvalue(), "not-word.docx")
    assert doc.readable is False
    assert doc.problems[0].kind == "unreadable"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04", b"\x00" * 100])
def test_garbage_never_raises(data):
    doc = read(data, "bad.docx")
    assert doc.readable is False
    assert doc.problems[0].kind == "unreadable"


def test_empty_document_is_unreadable():
    doc = read(save(docx.Document()), "empty.docx")
    assert doc.readable is False
    assert doc.problems[0].evidence["error"] == "no text in document body"
