"""The crawler's parsers on frozen portal pages: link classification, dates,
pagination, column discovery, decoding. No network, no reactor."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.classify import classify_title, column_score, nav_score, title_year
from crawler.dates import choose_date, date_from_labels, date_from_url, find_date
from crawler.families import BY_NAME, detect, first_page_alias
from crawler.families.gkmlpt import api_url
from crawler.families.hanweb import jpage_pages
from crawler.families.trs import create_page_html_pages
from crawler.pages import Page, is_html

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
SITE = "http://www.example.gov.cn"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def listing(name: str, url: str):
    body = fixture(name)
    return detect(url, body).read_listing(url, body)


def reports_in(found, year: int | None = None) -> dict[str, tuple[int, str | None]]:
    """title -> (year, date beside it) for every link classified as a report."""
    out = {}
    for link in found.links:
        kind = classify_title(link.text)
        if kind.kind == "report" and (year is None or kind.year == year):
            out[link.text] = (kind.year, link.date)
    return out


# ---------------------------------------------------------------- classification
@pytest.mark.parametrize(
    "title, year, strong",
    [
        ("示例市生态环境局2023年政府信息公开工作年度报告", 2023, True),
        ("示例市生态环境局二〇二三年政府信息公开工作年度报告", 2023, True),
        ("示例县人民政府二○二二年度政府信息公开年报", 2022, True),
        ("２０２４年度政府信息公开工作年度报告", 2024, True),
        ("政府信息公开工作年度报告（2021年）", 2021, True),
        ("2023 年 政务公开工作年度报告", 2023, True),
        ("2023年度报告", 2023, False),
        ("示例镇2022年年报", 2022, False),
        # Agency names that contain another yearly report's topic are still reports.
        ("示例县审计局2023年政府信息公开工作年度报告", 2023, True),
        ("示例市安全生产监督管理局2023年政府信息公开年报", 2023, True),
        ("示例市营商环境建设局二〇二三年政府信息公开工作年度报告", 2023, True),
    ],
)
def test_report_titles_give_their_year(title, year, strong):
    kind = classify_title(title)
    assert (kind.kind, kind.year, kind.strong) == ("report", year, strong)


@pytest.mark.parametrize(
    "title",
    [
        "示例市2023年政府网站工作年度报表",
        "二〇二三年度示例区政府网站工作年度报表",
        "示例市2024年政府工作报告",
        "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
        "关于报送2023年度政府信息公开工作年度报告的通知",
        "2023年度政府信息公开工作年度报告解读",
        "一图读懂示例县2023年政府信息公开年报",
        "示例区2023年法治政府建设年度报告",
        "示例县2023年度审计工作年度报告",
        "示例市2023年安全生产工作年度报告",
    ],
)
def test_lookalikes_are_skipped(title):
    assert classify_title(title).kind == "lookalike"


@pytest.mark.parametrize("title", ["我局召开年度工作会议", "政府信息公开指南", "", "2023年部门预算公开", "关于印发2024年政务公开工作要点的通知"])
def test_other_links_are_not_reports(title):
    assert classify_title(title).kind == "other"


def test_title_year_prefers_the_year_followed_by_nian():
    assert title_year("第2期：示例县2022年度政府信息公开年报") == 2022
    assert title_year("政府信息公开年报") is None


@pytest.mark.parametrize(
    "text, expected",
    [("政府信息公开年报", True), ("信息公开年报", True), ("年度报告", True), ("政府网站工作年度报表", False),
     ("2023年政府信息公开工作年度报告", False), ("政府工作报告", False), ("新闻动态", False)],
)
def test_column_link_texts(text, expected):
    assert bool(column_score(text)) is expected


def test_column_names_rank_above_generic_words():
    assert column_score("政府信息公开年报") > column_score("年度报告") > column_score("年报")
    assert nav_score("政府信息公开") > 0 and nav_score("法定主动公开内容") > nav_score("政务公开")
    assert nav_score("政府信息公开年报") == 0  # that is the column itself


# ---------------------------------------------------------------- dates
def test_dates_in_every_written_form():
    assert find_date("发布时间：2023-01-13 15:53") == "2023-01-13"
    assert find_date("2023年1月3日") == "2023-01-03"
    assert find_date("2023/01/13") == "2023-01-13"
    assert find_date("20230113") == "2023-01-13"
    assert find_date("２０２３－０１－１３") == "2023-01-13"
    assert find_date("2023-13-45") is None
    assert find_date("索引号：11440300MB2C/2026-00001") is None


def test_date_in_url():
    assert date_from_url(f"{SITE}/zfxxgk/202301/t20230113_5911420.html") == "2023-01-13"
    assert date_from_url(f"{SITE}/art/2023/3/8/art_1229_3001.html") == "2023-03-08"
    assert date_from_url(f"{SITE}/xxgk/gknb/20250115/content_1101.shtml") == "2025-01-15"
    assert date_from_url(f"{SITE}/gkmlpt/content/5/5121/post_5121001.html") is None


def test_publication_labels_come_before_the_signing_date():
    text = "成文日期：2023-01-10\n发布日期：2023-01-16"
    assert date_from_labels(text) == ("2023-01-16", "label:发布日期")
    assert date_from_labels("成文日期：2023年1月10日") == ("2023-01-10", "label:成文日期")


def test_date_sources_in_order_of_trust():
    url = f"{SITE}/a/202301/t20230113_1.html"
    meta = {"pubdate": "2023-01-15 09:00"}
    assert choose_date(meta, "发布时间：2023-01-14", "2023-01-12", url) == ("2023-01-15", "meta:PubDate")
    assert choose_date({}, "发布时间：2023-01-14", "2023-01-12", url) == ("2023-01-14", "label:发布时间")
    assert choose_date({}, "正文", "2023-01-12", url) == ("2023-01-12", "list")
    assert choose_date({}, "正文", None, url) == ("2023-01-13", "url")
    assert choose_date({}, "正文", None, f"{SITE}/a/b.html") == (None, None)


@pytest.mark.parametrize(
    "name, url, expected",
    [
        ("trs_article.html", f"{SITE}/trs/zfxxgk/zfxxgknb/202601/t20260120_5911420.html", ("2026-01-20", "meta:PubDate")),
        ("hanweb_article_attachment.html", f"{SITE}/hanweb/art/2026/3/28/art_1229_3001.html", ("2026-03-28", "label:发布日期")),
        ("gkmlpt_post_dated.html", f"{SITE}/gkmlpt/content/0/4870/post_4870001.html", ("2025-01-26", "label:发布日期")),
        ("gkmlpt_post_nodate.html", f"{SITE}/gkmlpt/content/1/5121/post_5121001.html", (None, None)),
        ("homegrown_report_gbk.html", f"{SITE}/xxgk/gknb/content_1201.shtml", ("2026-01-10", "label:发布时间")),
    ],
)
def test_report_page_dates(name, url, expected):
    page = Page(url, fixture(name))
    assert choose_date(page.metas, page.visible_text, None, url) == expected


# ---------------------------------------------------------------- lists and pagination
def test_trs_list_links_dates_and_createpagehtml_pages():
    url = f"{SITE}/trs/zfxxgk/zfxxgknb/index.html"
    found = listing("trs_list.html", url)
    assert found.is_column
    assert reports_in(found) == {"示例市生态环境局2025年政府信息公开工作年度报告": (2025, "2026-01-20")}
    assert found.pages == [f"{SITE}/trs/zfxxgk/zfxxgknb/index_1.html", f"{SITE}/trs/zfxxgk/zfxxgknb/index_2.html"]
    assert detect(url, fixture("trs_list.html")).name == "trs"


def test_trs_second_page_has_the_chinese_numeral_title():
    found = listing("trs_list_page2.html", f"{SITE}/trs/zfxxgk/zfxxgknb/index_1.html")
    assert reports_in(found) == {"示例市生态环境局二〇二四年政府信息公开工作年度报告": (2024, "2025-01-18")}
    assert f"{SITE}/trs/zfxxgk/zfxxgknb/index.html" in found.pages  # page 0 from any page


def test_trs_other_signature_with_variables():
    url = f"{SITE}/qzf/xxgknb/index.shtml"
    found = listing("trs_list_variant.html", url)
    assert found.pages == [f"{SITE}/qzf/xxgknb/index_{n}.shtml" for n in (1, 2, 3)]
    assert reports_in(found) == {
        "示例区人民政府二〇二三年政府信息公开工作年度报告": (2023, "2024-03-29"),
        "示例区人民政府2022年度政府信息公开工作年度报告（更新版）": (2022, "2023-03-30"),
    }
    assert found.is_column


def test_create_page_html_without_a_call_or_with_one_page():
    assert create_page_html_pages(f"{SITE}/a/index.html", "var x = 1;") == []
    assert create_page_html_pages(f"{SITE}/a/index.html", 'createPageHTML(1, 0, "index", "html");') == [f"{SITE}/a/index.html"]


def test_hanweb_records_hidden_in_the_datastore_and_pagenum_pages():
    url = f"{SITE}/hanweb/col/col1229/index.html"
    found = listing("hanweb_column.html", url)
    assert detect(url, fixture("hanweb_column.html")).name == "hanweb"
    assert reports_in(found) == {"示例县人民政府2025年政府信息公开工作年度报告": (2025, "2026-03-28")}
    assert [link.text for link in found.links if "法治政府" in link.text]  # look-alikes are links too
    assert found.pages == [f"{url}?uid=4880&pageNum=2", f"{url}?uid=4880&pageNum=3"]
    assert jpage_pages(url, "<totalpage>2</totalpage> unitid=77") == [url, f"{url}?uid=77&pageNum=2"]


def test_gkmlpt_column_link_becomes_the_json_api():
    index_url = f"{SITE}/gkmlpt/index"
    found = listing("gkmlpt_index.html", index_url)
    column = next(link for link in found.links if column_score(link.text))
    assert column.fragment == "2745"
    family = detect(column.url)
    assert family.name == "gkmlpt"
    assert family.column_url(found.page, column) == f"{SITE}/gkmlpt/api/all/2745?page=1&sid=755031"
    assert api_url(index_url, "9", None, 3) == f"{SITE}/gkmlpt/api/all/9?page=3"


def test_gkmlpt_json_list_with_dates_from_epoch_and_pages_from_total():
    url = f"{SITE}/gkmlpt/api/all/2745?page=1&sid=755031"
    found = BY_NAME["gkmlpt"].read_listing(url, fixture("gkmlpt_api_page1.json"))
    assert found.is_column and found.page is None
    assert reports_in(found) == {"示例区财政局2025年政府信息公开工作年度报告": (2025, "2026-01-15")}
    assert found.pages == [f"{SITE}/gkmlpt/api/all/2745?page=2&sid=755031"]
    assert BY_NAME["gkmlpt"].read_listing(url, b"{not json").links == []


def test_homegrown_gbk_page_declared_utf8_reads_correctly():
    url = f"{SITE}/xxgk/gknb/list.shtml"
    body = fixture("homegrown_list_gbk.html")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the fixture really is GBK behind a UTF-8 declaration
    found = listing("homegrown_list_gbk.html", url)
    assert found.is_column
    assert reports_in(found) == {"示例镇人民政府2025年政府信息公开工作年度报告": (2025, "2026-01-10")}
    assert found.pages == [f"{url}?page=2", f"{url}?page=1"] or set(found.pages) == {f"{url}?page=2", f"{url}?page=1"}
    assert first_page_alias(f"{url}?page=1") == url
    assert first_page_alias(f"{url}?page=2") is None


def test_homegrown_second_page_without_dates():
    found = listing("homegrown_list_page2_gbk.html", f"{SITE}/xxgk/gknb/list.shtml?page=2")
    assert reports_in(found, 2024) == {"示例镇人民政府2024年政府信息公开工作年度报告": (2024, None)}
    assert f"{SITE}/xxgk/gknb/list.shtml?page=1" in found.pages


def test_malformed_list_still_gives_its_links():
    found = listing("county_broken_list.html", f"{SITE}/county/zrzy/gknb/index.html")
    assert reports_in(found, 2025) == {"示例县自然资源局2025年政府信息公开工作年度报告": (2025, "2026-01-10")}


def test_home_page_offers_the_disclosure_section_not_the_lookalike_column():
    found = listing("trs_home.html", f"{SITE}/trs/index.html")
    assert not found.is_column
    assert not [link for link in found.links if column_score(link.text)]  # 政府网站工作年度报表 is not the column
    assert [link.text for link in found.links if nav_score(link.text)] == ["政府信息公开"]
    none = listing("county_home_no_column.html", f"{SITE}/county/wlj/index.html")
    assert not [link for link in none.links if column_score(link.text) or nav_score(link.text)]


def test_attachment_only_page_and_full_report_page():
    page = Page(f"{SITE}/hanweb/art/2026/3/28/art_1229_3001.html", fixture("hanweb_article_attachment.html"))
    [(link, extension)] = page.attachments()
    assert extension == "pdf" and link.url == f"{SITE}/hanweb/picture/0/202603281015123.pdf"
    assert page.marker_count() == 0
    full = Page(f"{SITE}/trs/a.html", fixture("trs_article.html"))
    assert full.marker_count() == 6 and full.attachments() == []


def test_attachment_order_prefers_readable_formats():
    page = Page(f"{SITE}/a.html", "<html><body><a href='a.wps'>附件1</a><a href='b.doc'>附件2</a><a href='c.pdf?x=1'>附件3</a>"
                "<a href='d.docx'>附件4</a><a href='e.html'>正文</a></body></html>".encode())
    assert [ext for _, ext in page.attachments()] == ["pdf", "docx", "doc", "wps"]


def test_is_html_sniffs_bytes_not_names():
    assert is_html(b"<!DOCTYPE html><html></html>")
    assert not is_html(b"%PDF-1.4 ...", "text/html")
    assert not is_html(b"PK\x03\x04....", "application/octet-stream")


@pytest.mark.parametrize(
    "base",
    [
        "http://www.example.gov.cn/xxgk/gknb/index.html?page=2",
        "https://example.gov.cn:8443/a/b;params/list.shtml",
        "http://example.gov.cn",
    ],
)
def test_links_resolve_as_urljoin_against_the_whole_page_url(base):
    # Full and root-relative links are resolved against part of the base (so that
    # menus repeated on every page are resolved once); the result must not change.
    from urllib.parse import urldefrag, urljoin, urlsplit

    hrefs = [
        "/xxgk/../gknb/t1.html", "//cdn.example.gov.cn/x.pdf", "HTTP://Example.gov.cn/A/./b.html#part", "https://other.gov.cn",
        "http://example.gov.cn/list?", "/p;x?y=1#z", "?page=3", "../up.html", "t2025.html", "http:relative.html", "ftp://example.gov.cn/f",
    ]
    body = "<html><body>" + "".join(f'<a href="{h}">链接{n}</a>' for n, h in enumerate(hrefs)) + "</body></html>"
    expected = []
    for n, href in enumerate(hrefs):
        absolute, fragment = urldefrag(urljoin(base, href))
        if urlsplit(absolute).scheme in ("http", "https"):
            expected.append((absolute, fragment, f"链接{n}"))
    assert [(link.url, link.fragment, link.text) for link in Page(base, body.encode()).links()] == expected
