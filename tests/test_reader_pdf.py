"""Tests for audit.readers.pdf.

Synthetic PDFs are drawn with reportlab at test time, in tmp_path. Chinese
text uses the built-in CID font STSong-Light: it is not embedded, and
pdfminer maps it back to Unicode with the CMaps it ships, so nothing has to
be installed beyond reportlab. The two real reports are read in place under
../shared; the expected values come from the hand audit in its INDEX.md.
"""

from __future__ import annotations

import random
import re

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from audit.document import Paragraph, Table
from audit.readers import pdf, read_bytes
from conftest import shared_path

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

SIZE = 14  # body type size
LEFT = 72
PER_LINE = 30  # CJK characters in a full body line
RIGHT = LEFT + PER_LINE * SIZE
PITCH = 26  # baseline to baseline
FILLER = "政府信息公开工作依申请办理主动公开平台建设监督保障情况进一步规范完善"


def filler(n: int, offset: int = 0) -> str:
    return "".join(FILLER[(offset + i) % len(FILLER)] for i in range(n))


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def values_after(doc, label: str) -> list[str]:
    """Cells to the right of the first table cell equal to label, merged positions left out."""
    for table in tables(doc):
        for row in table.rows:
            if label in row:
                return [c for c in row[row.index(label) + 1 :] if c is not None]
    raise AssertionError(f"no table row labelled {label!r}")


# ---------------------------------------------------------------- synthetic PDFs


def page_number_footer(c, doc) -> None:
    c.setFont(FONT, 10)
    c.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")


def build(path, story) -> bytes:
    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=page_number_footer, onLaterPages=page_number_footer)
    return path.read_bytes()


TABLE3_ROWS = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", "", "申请人情况", "", ""],
    ["", "", "自然人", "其他", "总计"],
    ["一、本年新收政府信息公开申请数量", "", "95", "1", "96"],
    ["二、上年结转政府信息公开申请数量", "", "2", "0", "2"],
    ["三\n、\n本\n年\n度\n办\n理\n结\n果", "（一）予以公开", "50", "0", "50"],
    ["", "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）", "9", "0", "9"],
    *[["", f"第{i}项", str(i), "0", str(i)] for i in range(1, 31)],
    ["四、结转下年度继续办理", "", "3", "0", "3"],
]


@pytest.fixture
def table3_pdf(tmp_path) -> bytes:
    """Heading, a ruled 5-column table that runs over onto page 2, a heading after it."""
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
            ("SPAN", (0, 0), (1, 1)),  # corner note over two rows and two columns
            ("SPAN", (2, 0), (4, 0)),  # 申请人情况 over three columns
            ("SPAN", (0, 2), (1, 2)),
            ("SPAN", (0, 3), (1, 3)),
            ("SPAN", (0, 4), (0, 12)),  # vertical 三、本年度办理结果 over nine rows
            ("SPAN", (0, -1), (1, -1)),
        ]
    )
    heading = ParagraphStyle("h", fontName=FONT, fontSize=14, leading=22)
    story = [
        RLParagraph("三、收到和处理政府信息公开申请情况", heading),
        Spacer(1, 300),  # push the table down so it must break onto page 2
        RLTable(TABLE3_ROWS, colWidths=[30, 200, 60, 60, 60], style=style),
        RLParagraph("四、政府信息公开行政复议、行政诉讼情况", heading),
    ]
    return build(tmp_path / "table3.pdf", story)


def test_continued_table_is_one_block_in_reading_order(table3_pdf):
    doc = pdf.read(table3_pdf, "table3.pdf")
    assert doc.readable and doc.meta["pages"] == 2
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Table", "Paragraph"]
    assert paragraphs(doc) == ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    (table,) = tables(doc)
    assert len(table.rows) == len(TABLE3_ROWS)
    assert all(len(row) == 5 for row in table.rows)
    assert table.rows[2] == ["一、本年新收政府信息公开申请数量", None, "95", "1", "96"]
    assert table.rows[-1] == ["四、结转下年度继续办理", None, "3", "0", "3"]
    # The rows either side of the page break, in order.
    labels = [row[1] for row in table.rows[6:-1]]
    assert labels == [f"第{i}项" for i in range(1, 31)]


def test_merged_cells_give_none_and_wrapped_labels_are_joined(table3_pdf):
    (table,) = tables(pdf.read(table3_pdf, "table3.pdf"))
    assert table.rows[0] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, "申请人情况", None, None]
    assert table.rows[1] == [None, None, "自然人", "其他", "总计"]
    # One character per line in the cell, joined back into the label.
    assert table.rows[4][:2] == ["三、本年度办理结果", "（一）予以公开"]
    assert table.rows[5][:2] == [None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]
    # The vertical span covers rows 4-12 of column 0; row 13 is outside it.
    assert [row[0] for row in table.rows[5:13]] == [None] * 8
    assert table.rows[13][0] == ""


def test_tables_with_different_columns_are_not_merged(tmp_path):
    style = TableStyle([("FONT", (0, 0), (-1, -1), FONT, 10), ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))])
    story = [
        RLTable([["信息内容", "本年制发件数", "现行有效件数"], ["规章", "1", "11"]], style=style),
        PageBreak(),
        RLTable([["信息内容", "本年处理决定数量"], ["行政许可", "447228"]], style=style),
    ]
    doc = pdf.read(build(tmp_path / "two.pdf", story), "two.pdf")
    assert [t.rows for t in tables(doc)] == [
        [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "1", "11"]],
        [["信息内容", "本年处理决定数量"], ["行政许可", "447228"]],
    ]


def test_single_column_table_is_a_text_frame(tmp_path):
    style = TableStyle([("FONT", (0, 0), (-1, -1), FONT, 12), ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))])
    story = [RLTable([["一、总体情况"], ["二、主动公开政府信息情况"]], colWidths=[400], style=style)]
    doc = pdf.read(build(tmp_path / "frame.pdf", story), "frame.pdf")
    assert tables(doc) == []
    assert paragraphs(doc) == ["一、总体情况", "二、主动公开政府信息情况"]


def test_invisible_frame_backgrounds_do_not_join_the_table_below(tmp_path):
    """WPS puts each line of a text frame on a white filled rectangle."""
    path = tmp_path / "wps.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 12)
    lines = ["（一）主动公开情况。", "（二）依申请公开情况。", "（三）政府信息管理情况。"]
    for i, text in enumerate(lines):
        bottom = 700 - 28 * (i + 1)
        c.setFillColorRGB(1, 1, 1)
        c.rect(72, bottom, 420, 28, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(80, bottom + 9, text)
    xs, ys = [72, 212, 352, 492], [616 - 24 * k for k in range(3)]  # table starts where the frame ends
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for r, row in enumerate([["规章", "1", "11"], ["行政规范性文件", "8", "66"]]):
        for k, text in enumerate(row):
            c.drawString(xs[k] + 4, ys[r] - 16, text)
    c.save()
    doc = pdf.read(path.read_bytes(), "wps.pdf")
    assert paragraphs(doc) == lines
    assert [t.rows for t in tables(doc)] == [[["规章", "1", "11"], ["行政规范性文件", "8", "66"]]]


# ---------------------------------------------------------------- paragraphs


def draw_lines(c, lines) -> None:
    """lines: (text, indent in characters or "center", type size), top to bottom from y=780.

    (None, points, 0) leaves that much extra space.
    """
    y = 780
    for text, indent, size in lines:
        if text is None:
            y -= indent
            continue
        c.setFont(FONT, size)
        if indent == "center":
            c.drawCentredString(A4[0] / 2, y, text)
        else:
            c.drawString(LEFT + indent * size, y, text)
        y -= PITCH if size == SIZE else size * 2


@pytest.fixture
def prose_pdf(tmp_path) -> tuple[bytes, list[str]]:
    """Three pages of wrapped body text, with the paragraphs it should read as."""
    p1 = [filler(PER_LINE - 2, 0), filler(PER_LINE, 3), filler(PER_LINE, 7)]
    p2 = ["（一）主动公开情况。" + filler(PER_LINE - 10, 1), filler(PER_LINE, 2), filler(12, 4) + "。"]
    p3_page1 = [filler(PER_LINE - 2, 5)] + [filler(PER_LINE, k) for k in range(19)]
    p3_page2 = [filler(9, 6) + "。"]
    path = tmp_path / "prose.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    draw_lines(
        c,
        [("某县人民政府", "center", 20), ("2024 年政府信息公开工作年度报告", "center", 20), ("一、总体情况", 2, SIZE)]
        + [(p1[0], 2, SIZE), (p1[1], 0, SIZE), (p1[2], 0, SIZE)]
        # Starts flush left after a full line: only the 一、/（一） rule ends p1.
        + [(text, 0, SIZE) for text in p2]
        + [(p3_page1[0], 2, SIZE)]
        + [(text, 0, SIZE) for text in p3_page1[1:]],
    )
    c.setFont(FONT, 10)
    c.drawCentredString(A4[0] / 2, 40, "- 1 -")
    c.showPage()
    # p5 ends short, p6 starts flush left: only the short line ends p5.
    # p6 ends full, p7 is indented: only the indent ends p6.
    p5 = [filler(PER_LINE - 2, 8), filler(5, 9) + "。"]
    p6 = [filler(PER_LINE, 10), filler(PER_LINE, 11)]
    p7 = [filler(PER_LINE - 2, 12), filler(3, 13) + "。"]
    draw_lines(
        c,
        [(p3_page2[0], 0, SIZE), ("二、主动公开政府信息情况", 2, SIZE)]
        + [(p5[0], 2, SIZE), (p5[1], 0, SIZE), (p6[0], 0, SIZE), (p6[1], 0, SIZE), (p7[0], 2, SIZE), (p7[1], 0, SIZE)],
    )
    c.setFont(FONT, 10)
    c.drawCentredString(A4[0] / 2, 40, "— 2 —")
    c.showPage()
    draw_lines(c, [("三、收到和处理政府信息公开申请情况", 2, SIZE), ("1.本年新收申请" + filler(22), 2, SIZE)])
    c.setFont(FONT, 10)
    c.drawCentredString(A4[0] / 2, 40, "第 3 页")
    c.showPage()
    # p8 and p9 are separated only by blank space; p9 wraps onto a line of
    # bare digits mid-page, which is text, unlike the bare page number.
    p8 = [filler(PER_LINE - 2, 14), filler(PER_LINE, 15)]
    p9 = [filler(PER_LINE, 16), "3119"]
    draw_lines(
        c,
        [(p8[0], 2, SIZE), (p8[1], 0, SIZE), (None, 3 * PITCH, 0), (p9[0], 0, SIZE), (p9[1], 0, SIZE)]
        + [("五、存在的主要问题及改进情况", 2, SIZE)],
    )
    c.setFont(FONT, 10)
    c.drawCentredString(A4[0] / 2, 40, "4")
    c.showPage()
    c.save()
    expected = [
        "某县人民政府",
        "2024 年政府信息公开工作年度报告",
        "一、总体情况",
        "".join(p1),
        "".join(p2),
        "".join(p3_page1 + p3_page2),
        "二、主动公开政府信息情况",
        "".join(p5),
        "".join(p6),
        "".join(p7),
        "三、收到和处理政府信息公开申请情况",
        "1.本年新收申请" + filler(22),
        "".join(p8),
        p9[0] + " 3119",
        "五、存在的主要问题及改进情况",
    ]
    return path.read_bytes(), expected


def test_wrapped_lines_join_into_paragraphs(prose_pdf):
    data, expected = prose_pdf
    doc = pdf.read(data, "prose.pdf")
    assert doc.readable and doc.problems == []
    assert tables(doc) == []
    assert paragraphs(doc) == expected


def test_page_numbers_are_dropped(prose_pdf):
    text = pdf.read(prose_pdf[0], "prose.pdf").text()
    assert not re.search(r"- 1 -|— 2 —|第 ?3 ?页", text)
    assert not re.search(r"^4$", text, re.MULTILINE)


# ---------------------------------------------------------------- metadata


def test_metadata_title_in_utf16_little_endian_and_creation_date(tmp_path):
    """WPS writes the title as UTF-16LE with a FF FE mark; pdfminer misreads it."""
    path = tmp_path / "meta.pdf"
    placeholder = "T" * 36  # same length as the hex string patched in below
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)  # invariant: CreationDate 2000-01-01
    c.setTitle(placeholder)
    c.setFont(FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.save()
    title = "政府信息公开年报"
    patched = b"<FFFE" + title.encode("utf-16-le").hex().upper().encode() + b">"
    assert len(patched) == len(placeholder) + 2  # keeps the xref offsets valid
    data = path.read_bytes().replace(f"({placeholder})".encode(), patched)
    doc = pdf.read(data, "meta.pdf")
    assert doc.meta["title"] == title
    assert doc.meta["pdf_created"] == "2000-01-01"
    assert doc.meta["format"] == "pdf" and doc.meta["pages"] == 1


def test_kangxi_radicals_become_ordinary_ideographs():
    # Some embedded fonts map 一 and 日 to the look-alike radicals U+2F00, U+2F47.
    assert pdf._fix("\u2f00、总体情况\u2f47") == "一、总体情况日"
    assert pdf._fix("（一）") == "（一）"  # full-width brackets stay


# ---------------------------------------------------------------- unreadable input


def image_page(c) -> None:
    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill="black")  # a "scanned" line
    c.drawImage(ImageReader(image), 50, 50, width=495, height=700)
    c.showPage()


def test_image_only_pdf_is_unreadable(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    image_page(c)
    image_page(c)
    c.save()
    doc = pdf.read(path.read_bytes(), "scan.pdf")
    assert doc.readable is False
    assert doc.blocks == []
    assert [p.kind for p in doc.problems] == ["unreadable"]
    assert "没有文字层" in doc.problems[0].message
    assert doc.meta["pages"] == 2


def test_one_scanned_page_among_text_pages_is_reported(tmp_path):
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.showPage()
    image_page(c)
    c.save()
    doc = pdf.read(path.read_bytes(), "mixed.pdf")
    assert doc.readable is True
    assert paragraphs(doc) == ["一、总体情况"]
    assert [(p.kind, p.location) for p in doc.problems] == [("unreadable", {"page": 2})]


def test_truncated_pdf_is_unreadable_without_raising(table3_pdf):
    doc = pdf.read(table3_pdf[: len(table3_pdf) // 2], "half.pdf")
    assert doc.readable is False and doc.blocks == []
    (problem,) = doc.problems
    assert problem.kind == "unreadable"
    assert "不完整" in problem.message
    assert problem.evidence["error"]


def test_garbage_after_pdf_header_is_unreadable():
    data = b"%PDF-1.4\n" + random.Random(20240101).randbytes(4096)
    doc = pdf.read(data, "garbage.pdf")
    assert doc.readable is False
    (problem,) = doc.problems
    assert problem.kind == "unreadable" and "PDF" in problem.message
    assert problem.evidence["error"]


def test_password_protected_pdf_is_unreadable(tmp_path):
    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.setFont(FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.save()
    doc = pdf.read(path.read_bytes(), "locked.pdf")
    assert doc.readable is False
    assert "加密" in doc.problems[0].message


def test_copy_protected_pdf_without_user_password_is_read(tmp_path):
    # Portals often restrict copying with an owner password only; that opens.
    # (ASCII text: reportlab's encrypted CID font dictionaries defeat pdfminer.)
    path = tmp_path / "nocopy.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Annual report 2024")
    c.save()
    doc = pdf.read(path.read_bytes(), "nocopy.pdf")
    assert doc.readable is True
    assert paragraphs(doc) == ["Annual report 2024"]


def test_text_without_unicode_mapping_is_unreadable(tmp_path):
    path = tmp_path / "cid.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.save()
    # An unknown character collection: pdfminer can only say "(cid:N)".
    data = path.read_bytes().replace(b"/Registry (Adobe)", b"/Registry (Xdobe)")
    doc = pdf.read(data, "cid.pdf")
    assert doc.readable is False
    assert "无法解码" in doc.problems[0].message


def test_dispatch_sends_pdf_bytes_here(table3_pdf):
    doc = read_bytes(table3_pdf, "https://example.gov.cn/report.pdf")
    assert doc.meta["format"] == "pdf"
    assert len(tables(doc)) == 1


# ---------------------------------------------------------------- real reports (../shared)


@pytest.fixture(scope="module")
def huaian():
    path = shared_path("fixtures/real/huaian-2024.pdf")
    return pdf.read(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def hongze():
    path = shared_path("fixtures/real/hongze-2024.pdf")
    return pdf.read(path.read_bytes(), str(path))


HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@pytest.mark.parametrize("name", ["huaian", "hongze"])
def test_real_report_structure(name, request):
    doc = request.getfixturevalue(name)
    assert doc.readable and doc.problems == []
    assert doc.meta["format"] == "pdf"
    assert doc.meta["pdf_created"] == "2025-02-25"
    texts = paragraphs(doc)
    for heading in HEADINGS:
        assert heading in texts
    assert not [t for t in texts if re.fullmatch(r"[-—]\s*\d+\s*[-—]", t)]
    # WPS text frames are paragraphs, not one-column tables.
    assert all(len(row) > 1 for t in tables(doc) for row in t.rows)
    # The vertical label of table 3, one character per line in the PDF.
    assert values_after(doc, "三、本年度办理结果")
    # Table 3 runs over a page break and is one block.
    table3 = [t for t in tables(doc) if any("一、本年新收政府信息公开申请数量" in row for row in t.rows)]
    assert len(table3) == 1
    assert any("四、结转下年度继续办理" in row for row in table3[0].rows)


def test_huaian_tables(huaian):
    assert huaian.meta["pages"] == 6
    assert values_after(huaian, "（一）予以公开") == ["1288", "21", "0", "0", "50", "3", "1362"]
    assert values_after(huaian, "一、本年新收政府信息公开申请数量") == ["3001", "53", "0", "0", "61", "4", "3119"]
    assert values_after(huaian, "行政事业性收费") == ["96171.6"]
    assert values_after(huaian, "行政许可") == ["447228"]
    numbers = [row for t in tables(huaian) for row in t.rows if row and row[0] == "72"]
    assert numbers == [["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]]
    # （四）无法提供 is cut by the page break: both halves, consecutive rows of one table.
    (table3,) = [t for t in tables(huaian) if any("（四）无" in row for row in t.rows)]
    index = next(i for i, row in enumerate(table3.rows) if "（四）无" in row)
    assert "法提供" in table3.rows[index + 1]


def test_huaian_paragraph_across_page_break(huaian):
    texts = paragraphs(huaian)
    # "…“建设‘四最’一流" ends page 1, "营商环境…" starts page 2.
    assert any("“建设‘四最’一流营商环境高质量推进产业发展”" in t for t in texts)
    # The introduction sits in a WPS text frame; its lines join up too.
    assert any(t.startswith("本报告由淮安市人民政府办公室") and "规定编制。报告所列统计期限" in t for t in texts)
    assert huaian.meta["title"] == "政府信息公开工作年度报告"


def test_hongze_tables(hongze):
    assert hongze.meta["pages"] == 5
    assert values_after(hongze, "一、本年新收政府信息公开申请数量") == ["95", "0", "0", "0", "0", "0", "95"]
    assert values_after(hongze, "2.其他法律行政止公开") == ["0"] * 7
    numbers = [c for c in values_after(hongze, "（六）其他处理") if c]
    assert numbers == ["0"] * 7
    assert not any("1、申请人无正当理由逾期不补正" in (c or "") for t in tables(hongze) for row in t.rows for c in row)
    rows = [row for t in tables(hongze) for row in t.rows if row and row[0] == "1" and len(row) == 15]
    assert rows == [["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]]
    # The frame of prose beside table 2 stays prose, not table rows.
    assert not any("政府信息管理情况" in (c or "") for t in tables(hongze) for row in t.rows for c in row)
    assert any(t.startswith("（三）政府信息管理情况。") for t in paragraphs(hongze))
