"""Page chrome shared by the test portals: the navigation, footers and boilerplate
real portal pages carry around their content (which is most of their weight)."""

from __future__ import annotations

import html
import re

from audit.sample import SampleReport, to_html

e = html.escape

MENU = ["首页", "机构概况", "新闻动态", "通知公告", "政策文件", "政策解读", "办事服务", "互动交流", "专题专栏", "数据发布"]
FOOTER_LINKS = ["网站地图", "联系我们", "使用帮助", "隐私声明", "无障碍浏览", "长者模式"]


def menu(prefix: str, extra: list[tuple[str, str]] = ()) -> str:
    items = [f"<li><a href='{prefix}index.html'>{MENU[0]}</a></li>"]
    items += [f"<li><a href='{prefix}{i:02d}/index.html'>{name}</a></li>" for i, name in enumerate(MENU[1:], 1)]
    items += [f"<li><a href='{href}'>{e(text)}</a></li>" for href, text in extra]
    return "<div class='menu'><ul>" + "".join(items) + "</ul></div>"


SISTER_SITES = [
    "中国政府网", "省人民政府", "市人民政府", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化广电旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局",
    "统计局", "医疗保障局", "城市管理局", "林业局", "政务服务数据管理局",
]


def footer(owner: str) -> str:
    """Footer as portals have it: sister-site link lists, notices, statistics and share scripts."""
    sisters = "".join(f"<option value='https://www.example.gov.cn/{i}'>{name}</option>" for i, name in enumerate(SISTER_SITES))
    links = "".join(f"<a href='#'>{name}</a>" for name in FOOTER_LINKS)
    links = f"<div class='sisters'><select onchange='window.open(this.value)'><option>部门网站</option>{sisters}</select></div>" + links
    notes = (
        f"<p>主办单位：{e(owner)}　承办单位：{e(owner)}办公室</p>"
        "<p>网站标识码：0000000000　备案号：示例ICP备00000000号　公安机关备案号：00000000000000</p>"
        "<p>建议使用1366×768分辨率，IE10以上版本浏览器浏览本网站</p>"
    )
    # Statistics and share scripts as portals embed them: weight, not content.
    script = "<script>var _stat = _stat || [];(function(){var s=document.createElement('script');s.src='/stat.js';})();" + (
        "function shareTo(t){var u=encodeURIComponent(location.href);return t+u;}" * 8
    ) + "</script>"
    return f"<div class='footer'><div class='links'>{links}</div>{notes}</div>{script}"


def report_body(sample: SampleReport) -> str:
    """The report's body (sections and tables) as the sample renders it, without its page chrome."""
    page = to_html(sample)
    start = page.index("<div id='zoom'")
    start = page.index(">", start) + 1
    end = page.index("</div><div class='footer'>")
    return page[start:end]


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
