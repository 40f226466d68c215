"""HTML reader: body selection, inline joining, table grids, encodings, size."""

from __future__ import annotations

import pytest

from audit.document import Paragraph, Table, clean_text
from audit.readers.encoding import is_utf8
from audit.readers.html import read
from conftest import FIXTURES, shared_path

HTML = FIXTURES / "html"

TRS_PARAGRAPHS = [
    "本报告依据《中华人民共和国政府信息公开条例》编制，数据统计期限为2022年1月1日至12月31日。",
    "一、总体情况",
    "本局今年把公开工作列入年度重点，按季度检查栏目更新。",
    "第二行写在换行之后。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "本年度没有因政府信息公开引起的行政复议和行政诉讼。",
    "五、存在的主要问题及改进情况",
    "个别栏目更新不够及时，下一年将按月核对。",
    "六、其他需要报告的事项",
    "本年度未收取信息处理费。",
]

_ = None  # a position covered by a merged cell
TRS_TABLE = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", _, _, "申请人情况", _, _, _, _, _, _],
    [_, _, _, "自然人", "法人或其他组织", _, _, _, _, "总计"],
    [_, _, _, _, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", _],
    ["一、本年新收政府信息公开申请数量", _, _, "5", "", "", "", "", "1", "6"],
    ["二、上年结转政府信息公开申请数量", _, _, "1", "", "", "", "", "", "1"],
    ["三、本年度办理结果", "（一）予以公开", _, "4", "", "", "", "", "1", "5"],
    [_, "（三）不予公开", "1.属于国家秘密", "0", "", "", "", "", "", "0"],
    [_, _, "2.其他法律行政法规禁止公开", "1", "", "", "", "", "", "1"],
    [_, "（七）总计", _, "5", "", "", "", "", "1", "6"],
    ["四、结转下年度继续办理", _, _, "1", "", "", "", "", "", "1"],
]


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc) -> list[list[list]]:
    return [b.rows for b in doc.blocks if isinstance(b, Table)]


@pytest.fixture(scope="module")
def trs_bytes() -> bytes:
    return (HTML / "trs_portal.html").read_bytes()


# ---------------------------------------------------------------- TRS page


def test_trs_meta(trs_bytes):
    doc = read(trs_bytes, "trs_portal.html")
    assert doc.readable
    assert doc.problems == []
    assert doc.meta["format"] == "html"
    assert doc.meta["encoding"] == "utf-8"
    assert doc.meta["title"] == "示例县统计局2022年政府信息公开工作年度报告"
    assert doc.meta["pubdate"] == "2023-01-16 09:30"
    assert doc.meta["body_found"] is True


def test_trs_body_is_zoom_and_chrome_goes_to_meta(trs_bytes):
    doc = read(trs_bytes, "trs_portal.html")
    assert paragraphs(doc) == TRS_PARAGRAPHS
    chrome = doc.meta["chrome_text"]
    assert "发布时间：2023-01-16" in chrome
    assert "当前位置：首页 > 政府信息公开 > 年度报告" in chrome
    assert "行政复议指南" in chrome  # the sidebar link is chrome, not body
    assert "主办单位：示例县人民政府办公室" in chrome
    assert "本年度未收取信息处理费" not in chrome
    # script, style and comment text never surfaces anywhere
    everything = doc.text() + chrome
    assert "脚本里的文字" not in everything
    assert "document.write" not in everything
    assert "TRS editor" not in everything


def test_trs_table_grid(trs_bytes):
    doc = read(trs_bytes, "trs_portal.html")
    assert tables(doc) == [TRS_TABLE]
    # the table sits between headings 三 and 四, in document order
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds[6] == "Table" and doc.blocks[5].text.startswith("三、") and doc.blocks[7].text.startswith("四、")


def test_gbk_bytes_declared_utf8_read_right(trs_bytes):
    gbk = trs_bytes.decode("utf-8").encode("gbk")
    assert b'charset=utf-8' in gbk
    doc = read(gbk, "gbk.html")
    assert doc.readable
    assert paragraphs(doc) == TRS_PARAGRAPHS
    assert tables(doc) == [TRS_TABLE]
    assert doc.meta["encoding"] == "gb18030"
    assert [p.kind for p in doc.problems] == ["encoding"]
    assert doc.problems[0].evidence == {"declared": "utf-8", "used": "gb18030"}


def test_utf8_bytes_declared_gb2312_read_right():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>年报</title></head><body><div id=zoom><p>一、总体情况</p><p>全年主动公开信息一百条。</p>"
        "</div></body></html>"
    )
    doc = read(page.encode("utf-8"), "utf8.html")
    assert paragraphs(doc) == ["一、总体情况", "全年主动公开信息一百条。"]
    assert doc.meta["encoding"] == "utf-8"
    assert doc.problems[0].kind == "encoding"
    assert doc.problems[0].evidence["declared"] == "gb2312"


def test_utf8_check_spans_slice_boundaries():
    # The UTF-8 check decodes in 16 KB slices: a character cut by a slice
    # boundary is still valid, an invalid byte far into the page is not.
    for pad in range(3):
        data = b"a" * (16384 - 1 - pad) + "政府信息公开".encode("utf-8") * 4000
        assert is_utf8(data)
    broken = "政府信息公开".encode("utf-8") * 10000 + b"\xff" + "年报".encode("utf-8")
    assert not is_utf8(broken)
    assert not is_utf8("年报".encode("utf-8")[:-1])  # cut off at the very end


def test_invalid_byte_late_in_a_utf8_page_is_reported():
    body = "".join(f"<p>第{i}段：全年主动公开政府信息。</p>" for i in range(3000))
    page = f'<html><head><meta charset="utf-8"></head><body><div id=zoom>{body}</div></body></html>'.encode()
    data = page.replace("第2999段".encode(), b"\xb5\xda2999\xb6\xce")  # two characters written in GBK
    doc = read(data, "late.html")
    assert doc.readable
    assert [p.kind for p in doc.problems] == ["encoding"]
    assert "无法确定" in doc.problems[0].message  # not silently read as clean UTF-8
    assert doc.blocks[0].text == "第0段：全年主动公开政府信息。"


# ---------------------------------------------------------------- odd pages


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("\n   某某局\n  ", "某某局"),  # only the ends to trim
        (" \u3000\n中\n文\u00a0 a\u200b \n", "中文 a"),  # trimmed ends, then the inside tidied
        ("\u200b\n\n中\r\n文 \u3000", "中文"),  # a zero-width character is not an end to trim
    ],
)
def test_clean_text_trims_ends_then_tidies(raw, clean):
    assert clean_text(raw) == clean


def test_malformed_html_still_reads():
    doc = read((HTML / "malformed.html").read_bytes(), "malformed.html")
    assert doc.readable
    assert doc.meta["title"] == "残缺页面"
    assert doc.meta["body_found"] is True
    assert paragraphs(doc) == [
        "一、总体情况",
        "本年度公开工作平稳。重点在于规范流程",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "结尾没有闭合标签",
    ]
    # rowspan=22 on a 3-row table is clamped; colspan=50 adds no phantom columns
    assert tables(doc) == [
        [
            ["信息内容", "本年制发件数", "现行有效件数"],
            ["规章", "0", "2"],
            [None, "1", "3"],
        ]
    ]


def test_page_without_report_reads_whole_body():
    doc = read((HTML / "no_report.html").read_bytes(), "no_report.html")
    assert doc.readable
    assert doc.meta["body_found"] is False
    assert doc.meta["chrome_text"] == ""
    texts = paragraphs(doc)
    assert "3月1日，示例县召开春季植树动员会，部署全县义务植树工作。" in texts
    assert "发布时间：2023-03-02" in texts
    assert tables(doc) == [[["乡镇", "计划株数"], ["东城镇", "1200"]]]


def test_layout_table_is_read_as_flow():
    page = """<html><body><div class="article-content"><table><tr><td>
      <p>一、总体情况</p><p>本年度工作正常开展。</p>
      <table border=1><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>
      <p>六、其他需要报告的事项</p>
    </td></tr></table></div></body></html>"""
    doc = read(page.encode(), "layout.html")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert tables(doc) == [[["信息内容", "本年制发件数"], ["规章", "0"]]]
    assert paragraphs(doc)[-1] == "六、其他需要报告的事项"


def test_smallest_element_holding_the_markers_wins_without_known_container():
    page = """<html><body><div class="wrap">
      <div class="side"><a>总体情况说明</a></div>
      <div class="mid"><div class="box">
        <p>一、总体情况</p><p>二、主动公开政府信息情况</p>
        <table><tr><td>规章</td><td>1</td></tr></table>
        <p>五、存在的主要问题及改进情况</p>
      </div><p>责任编辑：某某</p></div>
    </div></body></html>"""
    doc = read(page.encode(), "generic.html")
    assert doc.meta["body_found"] is True
    assert paragraphs(doc) == ["一、总体情况", "二、主动公开政府信息情况", "五、存在的主要问题及改进情况"]
    assert doc.meta["chrome_text"] == "总体情况说明\n责任编辑：某某"


def test_long_chrome_is_capped_keeping_text_next_to_the_body():
    nav = "".join(f"<li><a href='/l{i}'>栏目{i}</a></li>" for i in range(20000))
    page = (
        f"<html><body><ul>{nav}</ul><div class=info>发布时间：2024-01-17</div>"
        "<div id=zoom><p>一、总体情况</p></div><div>字体：大 中 小</div></body></html>"
    )
    doc = read(page.encode(), "chrome.html")
    chrome = doc.meta["chrome_text"]
    assert len(chrome) <= 20_000
    assert "发布时间：2024-01-17" in chrome
    assert chrome.endswith("字体：大 中 小")
    assert "栏目0\n" not in chrome  # the far end of the menu is what gets cut


@pytest.mark.parametrize("data", [b"", b"   \n", b"<html><head></head><body> </body></html>", "<p>不是字节</p>"])
def test_unreadable_input_never_raises(data):
    doc = read(data, "bad.html")
    assert doc.readable is False
    assert [p.kind for p in doc.problems] == ["unreadable"]
    assert "error" in doc.problems[0].evidence
    assert any("\u4e00" <= ch <= "\u9fff" for ch in doc.problems[0].message)


def test_deep_nesting_never_raises():
    def nested(depth):
        return ("<html><body>" + "<div><span>" * depth + "<p>一、总体情况</p>" + "</span></div>" * depth).encode()

    assert paragraphs(read(nested(1000), "deep.html")) == ["一、总体情况"]
    too_deep = read(nested(20000), "deeper.html")  # past libxml2's limit: lost, but no exception
    assert too_deep.readable is False and too_deep.problems[0].kind == "unreadable"


# ---------------------------------------------------------------- real page


@pytest.fixture(scope="module")
def shuyang():
    path = shared_path("fixtures/real/shuyang-fgj-2023.html")
    return read(path.read_bytes(), str(path))


def _table3(doc):
    for rows in tables(doc):
        if any("三、本年度办理结果" in (c or "") for row in rows for c in row):
            return rows
    raise AssertionError("table 3 not found")


def test_shuyang_body_excludes_chrome(shuyang):
    assert shuyang.readable
    assert shuyang.meta["body_found"] is True
    body = shuyang.text()
    for chrome in ("繁體版", "智能问答", "走进沭阳", "索引号", "采集时间"):
        assert chrome not in body
    assert "公开日期 2024-01-17" in shuyang.meta["chrome_text"]


def test_shuyang_headings_read_whole(shuyang):
    texts = paragraphs(shuyang)
    assert "三、收到和处理政府信息公开申请情况" in texts
    assert "五、存在的主要问题及整改措施" in texts
    assert "一、总体情况" in texts and "六、其他需要报告的事项" in texts
    # the signature sits inside Word's <o:p>, which is unwrapped, not dropped
    assert texts[-1] == "2024年1月17日"


def test_shuyang_table3_rowspan22(shuyang):
    rows = _table3(shuyang)
    hits = [(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell == "三、本年度办理结果"]
    assert len(hits) == 1  # whole, and once
    r, c = hits[0]
    assert [rows[r + k][c] for k in range(1, 22)] == [None] * 21
    assert "本年度办理结果" not in "".join(cell or "" for row in rows for cell in row).replace("三、本年度办理结果", "", 1)


def test_shuyang_table3_blank_legal_person_columns(shuyang):
    rows = _table3(shuyang)

    def row_of(label):
        return next(row for row in rows if any(label in (c or "") for c in row))

    # columns: 自然人, five legal-person columns, 总计
    assert row_of("本年新收政府信息公开申请数量")[-7:] == ["26", "", "", "", "", "", "26"]
    assert row_of("（一）予以公开")[-7:] == ["26", "", "", "", "", "", "26"]


# ---------------------------------------------------------------- size


def test_fifty_megabyte_page_reads(trs_bytes):
    page = trs_bytes.decode("utf-8")
    start = page.index('<div id="zoom"')
    inner_start = page.index(">", start) + 1
    inner_end = page.index("<!-- TRS editor ends -->")
    report = page[inner_start:inner_end]
    copies = 50 * 1024 * 1024 // len(report.encode("utf-8")) + 1
    big = (page[:inner_start] + report * copies + page[inner_end:]).encode("utf-8")
    assert len(big) >= 50 * 1024 * 1024
    doc = read(big, "big.html")
    assert doc.readable
    assert doc.meta["body_found"] is True
    found = tables(doc)
    assert len(found) == copies
    assert found[0] == TRS_TABLE and found[-1] == TRS_TABLE
    assert "发布时间：2023-01-16" in doc.meta["chrome_text"]
