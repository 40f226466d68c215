"""The test portals' pages: four CMS families and a county portal full of trouble.

Everything is generated for a target year Y (reports on Y are published in
Y+1), from the project's sample reports, with the list markup, pagination
and date placement of each family (spec §5). Names are invented (示例…); the
format's labels are the real ones.

=============  ======================================  ==========================================
agency id      portal                                   what it exercises
=============  ======================================  ==========================================
shengtai       /trs/ (TRS WCM, from the home page)      column found 2 levels down, createPageHTML
                                                        pages, PubDate meta, 二〇二x title, look-alikes,
                                                        ETag+Last-Modified; report changes (PUB-004)
xian           /hanweb/col/col1229/ (Hanweb)            datastore records, ?uid=&pageNum=, report is
                                                        only a PDF attachment, 发布日期 label
caizheng       /gkmlpt/index (Guangdong gkmlpt)          JSON list API, DOCX attachment, date only in
                                                        the list
zhen           /xxgk/gknb/list.shtml (home-grown)        GBK declared UTF-8, table list, ?page=N and
                                                        下一页, 发布时间 label, date only in the URL
jiaotong       /county/private/…                        robots.txt disallows it
weijian        /county/wjj/…                            list answers 503 once (retry), report link 404
shuili         /county/slj/…                            slow report page (timeout), off-site link and
                                                        off-site redirect
tongji         /county/tjj/…                            no report for Y (PUB-001), attachment too big
minzheng       /county/mzj/…                            registry URL is 404
wenlv          /county/wlj/…                            home page without the column
yingji         /county/yjj/…                            column without any report link
ziranziyuan    /county/zrzy/…                           malformed list HTML, report is a broken PDF
=============  ======================================  ==========================================
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import parse_qsl

from audit.sample import SampleReport
from crawler.testportal.chrome import e, footer, menu, report_body
from crawler.testportal.files import broken_pdf, report_docx, report_pdf

HUGE_SIZE = 3 * 1024 * 1024
SLOW_SECONDS = 6.0


@dataclass
class Resource:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: bool = False  # answer with an ETag (and honour If-None-Match)
    last_modified: str | None = None  # HTTP date (and honour If-Modified-Since)
    delay: float = 0.0
    location: str | None = None
    stream_size: int = 0  # a body of this many bytes, generated while sending
    flaky: int = 0  # the first N requests get 503

    def answer(self, origin: str) -> tuple[bytes, dict[str, str]]:
        """The body as served from ``origin`` (for the {ORIGIN} marker, see
        site_url) and its headers, with validators for that body."""
        body = self.body.replace(b"{ORIGIN}", origin.encode())
        headers = {"Content-Type": self.content_type}
        if self.etag:
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        return body, headers


@dataclass
class ExpectedReport:
    published: str
    source: str  # published_source as the crawler records it
    kind: str  # html | pdf | docx (what the stored report document is)
    url_part: str  # a substring of the report's URL


@dataclass
class Site:
    year: int
    offsite: str  # base URL of another host (must never be contacted)
    changed: bool = False  # second version of shengtai's report
    resources: dict[str, Resource] = field(default_factory=dict)
    agencies: list[dict] = field(default_factory=list)
    expected: dict[str, dict[int, ExpectedReport]] = field(default_factory=dict)

    def __post_init__(self):
        build(self)

    def add(self, path: str, resource: Resource | str, **kwargs) -> None:
        if isinstance(resource, str):
            resource = Resource(resource.encode("utf-8"), **kwargs)
        self.resources[key(path)] = resource

    def get(self, path_and_query: str) -> Resource | None:
        return self.resources.get(key(path_and_query))

    def agency(self, agency_id: str, name: str, kind: str, region: str, path: str) -> None:
        self.agencies.append(
            {"id": agency_id, "name": name, "type": kind, "region": region, "url": path, "supervisor_email": f"{agency_id}@supervisor.example.org"}
        )


def key(path_and_query: str) -> str:
    path, _, query = path_and_query.partition("?")
    if path.endswith("/"):
        path += "index.html"
    return path + ("?" + "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query))) if query else "")


def http_date(day: str, hour: int = 9) -> str:
    return format_datetime(datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc), usegmt=True)


def epoch(day: str, hour: int = 10) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour - 8, tzinfo=timezone.utc).timestamp())


def build(site: Site) -> None:
    trs(site)
    hanweb(site)
    gkmlpt(site)
    homegrown(site)
    county(site)
    site.add("/robots.txt", "User-agent: *\nDisallow: /county/private/\n", content_type="text/plain")


# ---------------------------------------------------------------- TRS WCM
def trs(site: Site) -> None:
    y = site.year
    name = "示例市生态环境局"
    site.agency("shengtai", name, "department", "示例市", "/trs/")
    head = lambda title: f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title></head><body><div class='header'><h2>{name}</h2></div>"  # noqa: E731
    tail = footer(name) + "</body></html>"
    static = dict(etag=True, last_modified=http_date(f"{y + 1}-01-20"))
    site.add("/trs/index.html", head(f"{name}门户网站") + menu("/trs/", [("/trs/zfxxgk/index.html", "政府信息公开"), ("/trs/ndbb/index.html", "政府网站工作年度报表")])
             + "<div class='news'><ul><li><a href='/trs/xwdt/202601/t20260105_1.html'>我局召开年度工作会议</a><span>2026-01-05</span></li></ul></div>" + tail, **static)
    guide = [("zfxxgkzn", "政府信息公开指南"), ("zfxxgkzd", "政府信息公开制度"), ("fdzdgknr", "法定主动公开内容"), ("zfxxgknb", "政府信息公开年报")]
    site.add("/trs/zfxxgk/index.html", head(f"政府信息公开_{name}") + menu("/trs/") + "<div class='position'>当前位置：<a href='../index.html'>首页</a> &gt; 政府信息公开</div><ul class='gk-nav'>"
             + "".join(f"<li><a href='./{slug}/index.html'>{label}</a></li>" for slug, label in guide) + "</ul>" + tail, **static)
    site.add("/trs/ndbb/index.html", head("政府网站工作年度报表") + menu("/trs/") + "<ul><li><a href='./202601/t20260110_9.html'>" + f"{name}{y}年政府网站工作年度报表</a></li></ul>" + tail, **static)

    report, earlier = reports(name, y, f"{y + 1}-01-20", f"{y}-01-18")
    if site.changed:
        report.fee_statement = "本年度本机关发出收费通知0件，收费金额0元，实际收取信息处理费0元。（本报告于发布后更正了文字表述）"
    cn_year = "".join("〇一二三四五六七八九"[int(d)] for d in str(y - 1))
    entries = [
        [
            (f"./{y + 1}01/t{y + 1}0120_5911420.html", f"{name}{y}年政府信息公开工作年度报告", f"{y + 1}-01-20"),
            (f"./{y + 1}01/t{y + 1}0115_5911301.html", f"{name}{y}年政府网站工作年度报表", f"{y + 1}-01-15"),
            (f"./{y}12/t{y}1210_5900001.html", f"关于做好{y}年政府信息公开工作年度报告编制发布工作的通知", f"{y}-12-10"),
            (f"./{y + 1}01/t{y + 1}0108_5900100.html", f"示例市{y + 1}年政府工作报告", f"{y + 1}-01-08"),
        ],
        [
            (f"./{y}01/t{y}0118_5800001.html", f"{name}{cn_year}年政府信息公开工作年度报告", f"{y}-01-18"),
            (f"./{y}01/t{y}0125_5800002.html", f"{y - 1}年度政府信息公开工作年度报告解读", f"{y}-01-25"),
        ],
        [
            (f"./{y - 1}01/t{y - 1}0116_5700001.html", f"{name}{y - 2}年政府信息公开工作年度报告", f"{y - 1}-01-16"),
            (f"./{y - 2}01/t{y - 2}0119_5600001.html", f"{name}{y - 3}年政府信息公开工作年度报告", f"{y - 2}-01-19"),
        ],
    ]
    for number, items in enumerate(entries):
        rows = "".join(f"<li><a href='{href}' title='{e(title)}' target='_blank'>{e(title)}</a><span>{day}</span></li>" for href, title, day in items)
        page = (head(f"政府信息公开年报_{name}") + menu("/trs/") + "<div class='position'>当前位置：<a href='../../index.html'>首页</a> &gt; "
                "<a href='../index.html'>政府信息公开</a> &gt; <span>政府信息公开年报</span></div>"
                f"<ul class='list'>{rows}</ul><div class='page'><script>createPageHTML(3, {number}, \"index\", \"html\");</script></div>" + tail)
        site.add(f"/trs/zfxxgk/zfxxgknb/index{'' if number == 0 else f'_{number}'}.html", page, **static)

    def article(sample: SampleReport, day: str) -> str:
        title = f"{sample.agency}{sample.year}年政府信息公开工作年度报告"
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title><meta name='ArticleTitle' content='{e(title)}'>"
                f"<meta name='PubDate' content='{day} 09:30'><meta name='ContentSource' content='{name}'></head><body>"
                + menu("/trs/") + f"<div class='position'>当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><h1>{e(title)}</h1>"
                f"<div class='info'>来源：{name}　字号：大 中 小</div><div class='TRS_Editor'>{report_body(sample)}</div>" + tail)

    site.add(f"/trs/zfxxgk/zfxxgknb/{y + 1}01/t{y + 1}0120_5911420.html", article(report, f"{y + 1}-01-20"),
             etag=True, last_modified=http_date(f"{y + 1}-01-20" if not site.changed else f"{y + 1}-02-10"))
    site.add(f"/trs/zfxxgk/zfxxgknb/{y}01/t{y}0118_5800001.html", article(earlier, f"{y}-01-18"), etag=True, last_modified=http_date(f"{y}-01-18"))
    site.expected["shengtai"] = {
        y: ExpectedReport(f"{y + 1}-01-20", "meta:PubDate", "html", f"t{y + 1}0120_5911420"),
        y - 1: ExpectedReport(f"{y}-01-18", "meta:PubDate", "html", f"t{y}0118_5800001"),
    }


# ---------------------------------------------------------------- Hanweb / 大汉
def hanweb(site: Site) -> None:
    y = site.year
    name = "示例县人民政府"
    column = "/hanweb/col/col1229/index.html"
    site.agency("xian", name, "government", "示例县", column)
    records = [
        (f"/hanweb/art/{y + 1}/3/28/art_1229_3001.html", f"{name}{y}年政府信息公开工作年度报告", f"{y + 1}-03-28"),
        (f"/hanweb/art/{y + 1}/3/20/art_1229_2990.html", f"示例县{y}年法治政府建设年度报告", f"{y + 1}-03-20"),
        (f"/hanweb/art/{y + 1}/1/15/art_1229_2950.html", f"{name}{y}年政府网站工作年度报表", f"{y + 1}-01-15"),
        (f"/hanweb/art/{y}/3/25/art_1229_2801.html", f"{name}{y - 1}年政府信息公开工作年度报告", f"{y}-03-25"),
        (f"/hanweb/art/{y}/1/20/art_1229_2790.html", f"关于报送{y - 1}年度政府信息公开工作年度报告的通知", f"{y}-01-20"),
        (f"/hanweb/art/{y}/4/2/art_1229_2820.html", f"{y - 1}年度政府信息公开工作年度报告解读", f"{y}-04-02"),
        (f"/hanweb/art/{y - 1}/3/29/art_1229_2601.html", f"{name}{y - 2}年政府信息公开工作年度报告", f"{y - 1}-03-29"),
    ]
    per_page = 3
    static = dict(last_modified=http_date(f"{y + 1}-03-28"))
    for number in range(1, 4):
        chunk = records[(number - 1) * per_page : number * per_page]
        rows = "".join(
            f"<record><![CDATA[\n<li><a href=\"{href}\" title=\"{e(title)}\" target=\"_blank\">{e(title)}</a><span class=\"bt-data-time\">{day}</span></li>\n]]></record>\n"
            for href, title, day in chunk
        )
        page = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报 {name}</title></head><body>"
            + menu("/hanweb/") + "<div class='bt-position'>您的位置：<a href='/hanweb/index.html'>首页</a> &gt; 政府信息公开 &gt; <span class='lmmc'>政府信息公开年报</span></div>"
            "<div class='bt-list'><div id='4880'><script type='text/xml'><datastore>\n"
            f"<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/hanweb/&columnid=1229&unitid=4880&webname={name}&permissiontype=0\"></a>]]></nextgroup>\n"
            f"<recordset>\n{rows}</recordset></datastore></script></div></div>"
            f"<script type='text/javascript'>var totalRecord = {len(records)}; var perpage = {per_page};</script>"
            "<script src='/hanweb/module/web/jpage/jpage.js'></script>" + footer(name) + "</body></html>"
        )
        site.add(f"{column}?uid=4880&pageNum={number}", page, **static)
        if number == 1:
            site.add(column, page, **static)

    report, earlier = reports(name, y, f"{y + 1}-03-28", f"{y}-03-25")
    pdf_path = f"/hanweb/picture/0/{y + 1}03281015123.pdf"
    site.add(pdf_path, Resource(report_pdf(report), "application/pdf", last_modified=http_date(f"{y + 1}-03-28")))
    site.add(records[0][0], _hanweb_article(name, records[0][1], f"{y + 1}-03-28",
             f"<p>附件：<a href='{pdf_path}'>{e(records[0][1])}.pdf</a></p>"), **static)
    site.add(records[3][0], _hanweb_article(name, records[3][1], f"{y}-03-25", report_body(earlier)), last_modified=http_date(f"{y}-03-25"))
    site.expected["xian"] = {
        y: ExpectedReport(f"{y + 1}-03-28", "label:发布日期", "pdf", pdf_path),
        y - 1: ExpectedReport(f"{y}-03-25", "label:发布日期", "html", "art_1229_2801"),
    }


def _hanweb_article(owner: str, title: str, day: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title></head><body>" + menu("/hanweb/")
        + f"<div class='bt-position'>您的位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><h1 class='title'>{e(title)}</h1>"
        f"<div class='bt-info'><span>发布日期：{day}</span><span>信息来源：{owner}</span><span>浏览次数：<script>document.write(123)</script></span></div>"
        f"<div id='zoom' class='bt-content'>{body}</div>" + footer(owner) + "</body></html>"
    )


# ---------------------------------------------------------------- Guangdong gkmlpt
def gkmlpt(site: Site) -> None:
    y = site.year
    name = "示例区财政局"
    site.agency("caizheng", name, "department", "示例区", "/gkmlpt/index")
    site.add("/gkmlpt/index", (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}政府信息公开目录</title>"
        "<script>window._CONFIG = {SID: '755031', SITE_NAME: '" + name + "', API_BASE: '/gkmlpt/api'};</script></head><body>"
        "<div id='app'><div class='gk-side'><ul class='classify-tree'>"
        "<li><a href='/gkmlpt/index#2741'>机构职能</a></li><li><a href='/gkmlpt/index#2743'>政策文件</a></li>"
        "<li><a href='/gkmlpt/index#2745'>政府信息公开年报</a></li><li><a href='/gkmlpt/index#2748'>财政预决算</a></li>"
        "</ul></div><div class='gk-main'>正在加载……</div></div><script src='/gkmlpt/static/js/app.js'></script>"
        + footer(name) + "</body></html>"
    ), etag=True)
    articles = [
        (5121001, f"{name}{y}年政府信息公开工作年度报告", f"{y + 1}-01-15"),
        (5120900, f"{name}{y}年政府网站工作年度报表", f"{y + 1}-01-12"),
        (5120500, f"示例区{y + 1}年部门预算公开", f"{y + 1}-01-05"),
        (4870001, f"{name}{y - 1}年政府信息公开工作年度报告", f"{y}-01-26"),
        (4600001, f"{name}{y - 2}年政府信息公开工作年度报告", f"{y - 1}-01-22"),
    ]

    def post_url(post_id: int) -> str:
        return f"/gkmlpt/content/{post_id // 1000 % 10}/{post_id // 1000}/post_{post_id}.html"

    for page, chunk in ((1, articles[:3]), (2, articles[3:])):
        data = {
            "articles": [
                {"id": pid, "title": title, "url": site_url(post_url(pid)), "first_publish_time": epoch(day), "identifier": f"11440300MB2C{pid}/{day[:4]}-{pid % 1000:05d}"}
                for pid, title, day in chunk
            ],
            "total": len(articles),
            "classify": {"id": 2745, "name": "政府信息公开年报"},
        }
        site.add(f"/gkmlpt/api/all/2745?page={page}&sid=755031",
                 Resource(json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8", etag=True))

    docx_path = f"{post_url(5121001).rsplit('/', 1)[0]}/attachment/{y + 1}01/P0{y + 1}0115{5121001}.docx"
    report, earlier = reports(name, y, None, None)
    site.add(docx_path, Resource(report_docx(report), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", etag=True))
    site.add(post_url(5121001), _gkmlpt_post(name, articles[0][1], None, f"<p>{e(name)}{y}年政府信息公开工作年度报告全文见附件。</p>"
             f"<p>附件：<a href='{docx_path}'>{e(articles[0][1])}.docx</a></p>"), etag=True)
    site.add(post_url(4870001), _gkmlpt_post(name, articles[3][1], f"{y}-01-26", report_body(earlier)), etag=True)
    site.expected["caizheng"] = {
        y: ExpectedReport(f"{y + 1}-01-15", "list", "docx", ".docx"),
        y - 1: ExpectedReport(f"{y}-01-26", "label:发布日期", "html", "post_4870001"),
    }


def site_url(path: str) -> str:
    """gkmlpt's API writes absolute URLs; the server substitutes its origin for this marker."""
    return "{ORIGIN}" + path


def _gkmlpt_post(owner: str, title: str, day: str | None, body: str) -> str:
    dated = f"<td class='label'>发布日期：</td><td>{day}</td>" if day else "<td class='label'>主题分类：</td><td>综合政务</td>"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title></head><body>"
        f"<div class='classify'><table><tr><td class='label'>索引号：</td><td>11440300MB2C/2026-00001</td><td class='label'>分类：</td><td>政府信息公开年报</td></tr>"
        f"<tr><td class='label'>发布机构：</td><td>{e(owner)}</td>{dated}</tr><tr><td class='label'>名称：</td><td colspan='3'>{e(title)}</td></tr></table></div>"
        f"<div class='content'><h1>{e(title)}</h1><div class='article-content'>{body}</div></div>" + footer(owner) + "</body></html>"
    )


# ---------------------------------------------------------------- home-grown, GBK declared UTF-8
def homegrown(site: Site) -> None:
    y = site.year
    name = "示例镇人民政府"
    site.agency("zhen", name, "township", "示例县", "/xxgk/gknb/list.shtml")

    def gbk(text: str) -> Resource:
        # The server (and the page) say UTF-8; the bytes are GBK, as on many small portals.
        return Resource(text.encode("gbk"), "text/html; charset=utf-8")

    def page(title: str, content: str) -> str:
        return (
            f"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'><title>{e(title)}</title></head><body>"
            f"<table width='100%'><tr><td class='top'>{name}政务公开</td></tr></table>{menu('/xxgk/')}"
            f"<table width='1000'><tr><td class='lmmc'>政府信息公开年报</td></tr><tr><td>{content}</td></tr></table>"
            + footer(name) + "</body></html>"
        )

    first = (
        "<table class='list' width='100%'>"
        f"<tr><td><a href='content_1201.shtml' target='_blank'>{name}{y}年政府信息公开工作年度报告</a></td><td>{y + 1}-01-10</td></tr>"
        f"<tr><td><a href='content_1190.shtml'>关于印发{y + 1}年政务公开工作要点的通知</a></td><td>{y + 1}-01-05</td></tr>"
        f"<tr><td><a href='content_1180.shtml'>示例镇{y + 1}年政府工作报告</a></td><td>{y + 1}-01-03</td></tr>"
        "</table><div class='pages'>共2页　第1页　<a href='list.shtml?page=2'>下一页</a>　<a href='list.shtml?page=2'>尾页</a></div>"
    )
    second = (
        f"<ul class='plain'><li><a href='/xxgk/gknb/{y}0115/content_1101.shtml'>{name}{y - 1}年政府信息公开工作年度报告</a></li>"
        f"<li><a href='/xxgk/gknb/{y - 1}0112/content_1001.shtml'>{name}{y - 2}年政府信息公开工作年度报告</a></li></ul>"
        "<div class='pages'>共2页　<a href='list.shtml?page=1'>上一页</a>　第2页</div>"
    )
    site.resources[key("/xxgk/gknb/list.shtml")] = gbk(page(f"政府信息公开年报-{name}", first))
    site.resources[key("/xxgk/gknb/list.shtml?page=1")] = gbk(page(f"政府信息公开年报-{name}", first))
    site.resources[key("/xxgk/gknb/list.shtml?page=2")] = gbk(page(f"政府信息公开年报-{name}", second))
    report, earlier = reports(name, y, f"{y + 1}-01-10", None)
    title = f"{name}{y}年政府信息公开工作年度报告"
    site.resources[key("/xxgk/gknb/content_1201.shtml")] = gbk(page(title, (
        f"<div class='title'>{e(title)}</div><div class='time'>发布时间：{y + 1}-01-10　来源：党政办　点击数：56</div>"
        f"<div id='zoom'>{report_body(report)}</div>")))
    site.resources[key(f"/xxgk/gknb/{y}0115/content_1101.shtml")] = gbk(page(f"{name}{y - 1}年政府信息公开工作年度报告", (
        f"<div class='title'>{name}{y - 1}年政府信息公开工作年度报告</div><div id='zoom'>{report_body(earlier)}</div>")))
    site.expected["zhen"] = {
        y: ExpectedReport(f"{y + 1}-01-10", "label:发布时间", "html", "content_1201"),
        y - 1: ExpectedReport(f"{y}-01-15", "url", "html", "content_1101"),
    }


# ---------------------------------------------------------------- a county portal full of trouble
def county(site: Site) -> None:
    y = site.year

    def page(owner: str, title: str, items: list[tuple[str, str, str]], extra: str = "") -> str:
        rows = "".join(f"<li><a href='{href}'>{e(text)}</a><span class='date'>{day}</span></li>" for href, text, day in items)
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}-{e(owner)}</title></head><body>" + menu("/county/")
            + f"<div class='location'>当前位置：首页 &gt; {e(title)}</div><ul class='news-list'>{rows}</ul>{extra}" + footer(owner) + "</body></html>"
        )

    static = dict(etag=True, last_modified=http_date(f"{y + 1}-01-05"))  # plain files on a web server
    report_title = lambda owner, year: f"{owner}{year}年政府信息公开工作年度报告"  # noqa: E731

    owner = "示例县交通运输局"
    site.agency("jiaotong", owner, "department", "示例县", "/county/private/jtj/gknb/index.html")
    site.add("/county/private/jtj/gknb/index.html", page(owner, "政府信息公开年报", [("report.html", report_title(owner, y), f"{y + 1}-01-20")]), **static)
    site.add("/county/private/jtj/gknb/report.html", _plain_report(SampleReport(agency=owner, year=y, published=f"{y + 1}-01-20")))

    owner = "示例县卫生健康局"
    site.agency("weijian", owner, "department", "示例县", "/county/wjj/gknb/index.html")
    site.add("/county/wjj/gknb/index.html", page(owner, "政府信息公开年报", [(f"/county/wjj/gknb/{y + 1}01/report_{y}.html", report_title(owner, y), f"{y + 1}-01-22")]), **static)
    site.resources[key("/county/wjj/gknb/index.html")].flaky = 1

    owner = "示例县水利局"
    site.agency("shuili", owner, "department", "示例县", "/county/slj/gknb/index.html")
    site.add("/county/slj/gknb/index.html", page(owner, "政府信息公开年报", [
        ("slow_report.html", report_title(owner, y), f"{y + 1}-01-25"),
        ("moved.html", report_title(owner, y - 1), f"{y}-01-25"),
    ], extra=f"<div class='related'>相关链接：<a href='{site.offsite}/slj/{y - 1}/report.html'>{report_title(owner, y - 1)}（省级平台）</a></div>"), **static)
    site.add("/county/slj/gknb/slow_report.html", Resource(_plain_report(SampleReport(agency=owner, year=y, published=f"{y + 1}-01-25")).encode("utf-8"), delay=SLOW_SECONDS))
    site.add("/county/slj/gknb/moved.html", Resource(b"", status=302, location=f"{site.offsite}/slj/{y - 1}/moved.html"))

    owner = "示例县统计局"
    site.agency("tongji", owner, "department", "示例县", "/county/tjj/gknb/index.html")
    site.add("/county/tjj/gknb/index.html", page(owner, "政府信息公开年报", [
        ("report_prev.html", report_title(owner, y - 1), f"{y}-01-28"),
        ("report_old.html", report_title(owner, y - 2), f"{y - 1}-01-28"),
    ]), **static)
    site.add("/county/tjj/gknb/report_prev.html", page(owner, report_title(owner, y - 1), [], extra="<div id='zoom'><p>附件：<a href='/county/tjj/gknb/scan.pdf'>年报扫描件.pdf</a></p></div>"))
    site.add("/county/tjj/gknb/scan.pdf", Resource(content_type="application/pdf", stream_size=HUGE_SIZE))

    owner = "示例县民政局"
    site.agency("minzheng", owner, "department", "示例县", "/county/mzj/gknb/index.html")

    owner = "示例县文化和旅游局"
    site.agency("wenlv", owner, "department", "示例县", "/county/wlj/index.html")
    site.add("/county/wlj/index.html", page(owner, "首页", [("/county/wlj/news/1.html", "全县文旅工作会议召开", f"{y + 1}-02-01")]), **static)

    owner = "示例县应急管理局"
    site.agency("yingji", owner, "department", "示例县", "/county/yjj/gknb/index.html")
    site.add("/county/yjj/gknb/index.html", page(owner, "政府信息公开年报", [], extra="<p class='empty'>暂无信息</p>"), **static)

    owner = "示例县自然资源局"
    site.agency("ziranziyuan", owner, "department", "示例县", "/county/zrzy/gknb/index.html")
    broken_list = (  # unclosed tags, a stray table cell, an attribute without quotes: lxml must cope
        f"<html><head><meta charset=utf-8><title>政府信息公开年报</title><body><div class=location>当前位置：政府信息公开年报<ul class=list>"
        f"<li><a href=/county/zrzy/gknb/P0{y + 1}0110.pdf>{report_title(owner, y)}</a><span>{y + 1}-01-10"
        f"<li><a href=/county/zrzy/gknb/P0{y}0112.pdf>{report_title(owner, y - 2)}</a><span>{y}-01-12</td></div>"
    )
    site.add("/county/zrzy/gknb/index.html", broken_list, **static)
    site.add(f"/county/zrzy/gknb/P0{y + 1}0110.pdf", Resource(broken_pdf(), "application/pdf"))
    site.expected["ziranziyuan"] = {y: ExpectedReport(f"{y + 1}-01-10", "list", "pdf", f"P0{y + 1}0110.pdf")}

    # Reports that are published and read well but break the rules: what the audit is for.
    owner = "示例县市场监督管理局"
    site.agency("shichang", owner, "department", "示例县", "/county/scjg/gknb/index.html")
    late = SampleReport(agency=owner, year=y, published=f"{y + 1}-02-16", fee_statement="本年度无其他需要报告的事项。")
    late.table3["granted"][0] += 2  # 予以公开 自然人 2 too many: its row adds up, its columns do not (TAB-102)
    late.table3["granted"][6] += 2
    site.add("/county/scjg/gknb/index.html", page(owner, "政府信息公开年报", [("report.html", report_title(owner, y), f"{y + 1}-02-16")]), **static)
    site.add("/county/scjg/gknb/report.html", _plain_report(late), **static)
    site.expected["shichang"] = {y: ExpectedReport(f"{y + 1}-02-16", "label:发布日期", "html", "report.html")}

    owner = "示例县审计局"
    site.agency("shenji", owner, "department", "示例县", "/county/sjj/gknb/index.html")
    current, earlier = reports(owner, y, f"{y + 1}-01-18", f"{y}-01-16")
    current.table3["carried_over"] = [0] * 7  # last year's report carried 4 + 1 forward (YR-001)
    current.table3["new_received"] = [43, 6, 0, 1, 2, 1, 53]  # keeps this year's own 一 + 二 = 三（七） + 四
    current.table3["granted"][1:6] = [None] * 5  # five cells left blank (TAB-002)
    current.intro_received = "全年主动公开信息16条，其中政策文件13条，工作动态6条。"  # 19 > 16 (TXT-002)
    site.add("/county/sjj/gknb/index.html", page(owner, "政府信息公开年报", [
        ("report.html", report_title(owner, y), f"{y + 1}-01-18"),
        ("report_prev.html", report_title(owner, y - 1), f"{y}-01-16"),
    ]), **static)
    site.add("/county/sjj/gknb/report.html", _plain_report(current), **static)
    site.add("/county/sjj/gknb/report_prev.html", _plain_report(earlier), **static)
    site.expected["shenji"] = {
        y: ExpectedReport(f"{y + 1}-01-18", "label:发布日期", "html", "report.html"),
        y - 1: ExpectedReport(f"{y}-01-16", "label:发布日期", "html", "report_prev.html"),
    }


class EarlierReport(SampleReport):
    """A previous year's report, in other words than this year's (so YR-003 stays quiet)."""

    def section_bodies(self) -> dict[int, list[str]]:
        bodies = super().section_bodies()
        bodies[1] = [
            f"{self.year}年，{self.agency}围绕年度重点任务推进信息公开，完善公开指南和公开目录，"
            "加强政策文件发布前的公开属性审查，依申请公开办理流程进一步规范。",
            f"全年受理政府信息公开申请{self.table3['new_received'][6]}件，办理情况见下表。",
        ]
        bodies[5] = [
            "存在的不足：基层信息更新频率不高，公开内容与群众关切结合不够紧密。",
            "下一步措施：定期开展栏目自查，围绕民生领域扩大主动公开范围，提升回应质量。",
        ]
        return bodies


def reports(agency: str, year: int, published: str | None, earlier_published: str | None) -> tuple[SampleReport, SampleReport]:
    """This year's report and last year's, whose figures carry over (上年结转 = 结转下年度)."""
    earlier = EarlierReport(agency=agency, year=year - 1, published=earlier_published)
    current = SampleReport(agency=agency, year=year, published=published)
    current.table3["carried_over"] = list(earlier.table3["carried_forward"])
    current.table3["new_received"] = [39, 5, 0, 1, 2, 1, 48]  # keeps 一 + 二 = 三（七） + 四
    current.table2["normative_documents"] = [2, 1, earlier.table2["normative_documents"][2] + 2 - 1]
    return current, earlier


def _plain_report(sample: SampleReport) -> str:
    title = f"{sample.agency}{sample.year}年政府信息公开工作年度报告"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title></head><body><h1>{e(title)}</h1>"
        f"<div class='info'>发布日期：{sample.published}</div><div id='zoom'>{report_body(sample)}</div></body></html>"
    )
