"""The crawler's parts without a crawl: [crawl] options, Scrapy settings, host policy,
portal health, report choice, the summary, the command's usage errors, and the
Python interface (in a child process: one reactor per process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request

from audit.cli import main
from audit.config import Config, ConfigError
from crawler.ledger import AgencyLedger, Candidate, Outcome
from crawler.middlewares import AgencyHostsMiddleware, OffsiteRequest, host_of
from crawler.options import DEFAULT_USER_AGENT, crawl_options
from crawler.results import choose_candidate, portal_health
from crawler.settings import scrapy_settings
from crawler.summary import CrawlSummary
from crawler.testportal import PortalServer, write_config, write_registry

ROOT = Path(__file__).resolve().parent.parent
AGENCY = {"id": "a1", "name": "示例县统计局", "type": "department", "region": "示例县", "url": "http://www.example.gov.cn/tjj/"}


def options(**crawl):
    return crawl_options(Config(raw={"crawl": crawl}))


# ---------------------------------------------------------------- options and settings
def test_polite_defaults():
    defaults = options()
    settings = scrapy_settings(defaults, Path("/tmp/cache"))
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["DOWNLOAD_MAXSIZE"] == 64 * 1024 * 1024
    assert settings["RETRY_TIMES"] == 2 and settings["RETRY_BACKOFF"] == 5.0
    assert settings["USER_AGENT"] == DEFAULT_USER_AGENT
    assert settings["HTTPCACHE_ENABLED"] and settings["HTTPCACHE_DIR"] == "/tmp/cache"
    assert settings["DOWNLOADER_MIDDLEWARES"]["crawler.middlewares.AgencyHostsMiddleware"] < 100  # before robots.txt


def test_contact_goes_into_the_user_agent():
    assert options(contact="ops@example.org").full_user_agent == f"{DEFAULT_USER_AGENT} (+mailto:ops@example.org)"
    assert options(contact="https://example.org/bot", user_agent="x/1").full_user_agent == "x/1 (+https://example.org/bot)"


@pytest.mark.parametrize(
    "crawl, message",
    [
        ({"obey_robots": False}, "未知的设置项 'obey_robots'"),
        ({"concurrent_per_domain": "2"}, "concurrent_per_domain 应为非负整数"),
        ({"download_timeout": -1}, "download_timeout 应为非负数"),
        ({"autothrottle": 1}, "autothrottle 应为 true 或 false"),
        ({"concurrent_per_domain": 0}, "至少为 1"),
        ({"contact": "运维组"}, "只能使用 ASCII"),
        ({"hosts": {"a1": "files.example.gov.cn"}}, "[crawl.hosts]"),
        ({"log_level": "LOUD"}, "log_level"),
    ],
)
def test_bad_crawl_settings_are_refused_in_chinese(crawl, message):
    with pytest.raises(ConfigError) as caught:
        options(**crawl)
    assert message in str(caught.value)


def test_extra_hosts_and_numbers():
    parsed = options(hosts={"a1": ["Files.Example.gov.cn"]}, download_delay=0, max_download_mb=2)
    assert options(hosts={"a1": ["WWW.example.gov.cn"]}).hosts == {"a1": ["example.gov.cn"]}
    assert parsed.hosts == {"a1": ["files.example.gov.cn"]}
    assert parsed.download_delay == 0.0 and parsed.max_download_bytes == 2 * 1024 * 1024


# ---------------------------------------------------------------- hosts
def test_host_includes_an_explicit_port():
    assert host_of("http://WWW.Example.gov.cn/a") == host_of("https://example.gov.cn/b") == "example.gov.cn"
    assert host_of("http://127.0.0.1:8080/a") == "127.0.0.1:8080"


def test_requests_and_redirects_to_other_hosts_are_refused():
    middleware = AgencyHostsMiddleware()
    own = {"example.gov.cn"}
    assert middleware.process_request(Request("http://www.example.gov.cn/x", meta={"agency_hosts": own})) is None
    assert middleware.process_request(Request("http://elsewhere.example.com/x")) is None  # robots.txt and such: no agency
    redirected = Request("http://elsewhere.example.com/x", meta={"agency_hosts": own, "redirect_urls": ["http://www.example.gov.cn/moved"]})
    with pytest.raises(OffsiteRequest) as caught:
        middleware.process_request(redirected)
    assert caught.value.origin == "http://www.example.gov.cn/moved"


# ---------------------------------------------------------------- health and choice
def ledger(**values) -> AgencyLedger:
    state = AgencyLedger(agency=AGENCY, hosts={"example.gov.cn"}, finished=True)
    for key, value in values.items():
        setattr(state, key, value)
    return state


def test_portal_health_statuses():
    assert portal_health(ledger(entry_error="HTTP 404", list_errors=[(AGENCY["url"], "HTTP 404")]))[0] == "list_unreachable"
    assert portal_health(ledger(robots_refused=[AGENCY["url"]], entry_error="robots.txt 禁止抓取"))[0] == "robots_disallowed"
    status, detail = portal_health(ledger(pages_fetched=3))
    assert status == "column_not_found" and "3 个页面" in detail
    assert portal_health(ledger(column_found=True))[0] == "no_reports"
    found = {"report_links": {"http://www.example.gov.cn/tjj/1.html"}, "column_found": True}
    assert portal_health(ledger(**found)) == ("ok", "")
    status, detail = portal_health(ledger(**found, offsite=[("http://other.example.com/r.html", "list")]))
    assert status == "offsite" and "http://other.example.com/r.html" in detail
    assert portal_health(ledger(**found, finished=False)) == ("list_unreachable", "抓取未完成（运行被中断）")


def candidate(url, title, order, **outcome) -> Candidate:
    item = Candidate("a1", 2025, title, url, "list", None, "信息公开" in title, order)
    if outcome:
        item.page = Outcome(url, **outcome)
    return item


def test_report_choice_prefers_fetched_named_strong_first_listed():
    state = ledger()
    state.candidates = {
        "u1": candidate("u1", "2025年度报告", 1, document_id=1),
        "u2": candidate("u2", "示例县统计局2025年政府信息公开工作年度报告", 2, error="HTTP 404"),
        "u3": candidate("u3", "示例县统计局2025年政府信息公开工作年度报告", 3, document_id=3),
        "u4": candidate("u4", "示例县统计局2025年政府信息公开工作年度报告", 4, document_id=4),
    }
    assert choose_candidate(state, 2025).url == "u3"
    assert choose_candidate(state, 2024) is None


def test_attachment_is_the_report_when_the_page_only_links_to_it():
    item = candidate("page", "年报", 1, document_id=1)
    item.attachment_is_report = True
    item.attachments = [("a.pdf", "年报.pdf", "pdf"), ("b.doc", "年报.doc", "doc")]
    item.attachment_outcomes = {"a.pdf": Outcome("a.pdf", error="HTTP 404"), "b.doc": Outcome("b.doc", document_id=7)}
    outcome, url = item.report_outcome()
    assert (outcome.document_id, url) == (7, "b.doc")
    item.attachment_outcomes = {"a.pdf": Outcome("a.pdf", error="HTTP 404")}
    assert item.report_outcome()[0].error == "HTTP 404"


def test_summary_text():
    summary = CrawlSummary(run_id=3, year=2025, as_of="2026-06-01", agencies_total=2, agencies_crawled=2, reports_found=1, reports_new=1)
    summary.missing = ["a2"]
    summary.findings = {"error": 2, "info": 1}
    summary.failures = [{"agency_id": "a2", "url": "http://x/r.html", "error": "HTTP 404"}]
    summary.health = [
        {"agency_id": "a1", "name": "甲", "status": "ok", "detail": "", "reports_found": 1},
        {"agency_id": "a2", "name": "乙", "status": "column_not_found", "detail": "在首页未找到", "reports_found": 0},
    ]
    text = summary.text()
    assert "审核发现：错误 2 项，警告 0 项，提示 1 项" in text
    assert "网站健康：1 个机关的网站有问题" in text and "乙（a2）：未找到年报栏目——在首页未找到" in text
    assert "a2：http://x/r.html（HTTP 404）" in text and "未找到 2025 年度年报的机关：a2" in text
    assert json.loads(json.dumps(summary.as_dict()))["health_problems"] == 1


# ---------------------------------------------------------------- the command's usage errors (no crawl starts)
def test_crawl_usage_errors(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,type,region,url,supervisor_email\nx,甲,bureau,乙,https://a.example.gov.cn/,\n", encoding="utf-8")
    result = runner.invoke(main, ["crawl", "--agencies", str(bad), "--db", str(tmp_path / "db")])
    assert result.exit_code == 2 and "未知的机关类型 'bureau'" in result.output
    good = tmp_path / "good.csv"
    good.write_text("id,name,type,region,url,supervisor_email\nx,甲,department,乙,https://a.example.gov.cn/,\n", encoding="utf-8")
    result = runner.invoke(main, ["crawl", "--agencies", str(good), "--db", str(tmp_path / "db"), "--only", "y"])
    assert result.exit_code == 2 and "没有这些机关编号：y" in result.output
    config = tmp_path / "nianbao.toml"
    config.write_text("[crawl]\nconcurrent_per_domain = 0\n", encoding="utf-8")
    result = runner.invoke(main, ["crawl", "--agencies", str(good), "--db", str(tmp_path / "db"), "--config", str(config)])
    assert result.exit_code == 2 and "至少为 1" in result.output
    result = runner.invoke(main, ["crawl", "--agencies", str(good), "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert not (tmp_path / "db").exists()


# ---------------------------------------------------------------- the Python interface
RUNNER = """
import json, sys
from datetime import date
from audit.config import load_config
from audit.registry import load_registry
from audit.store import Store
from crawler.run import CrawlError, crawl_agencies

workdir = sys.argv[1]
store = Store(workdir + "/nianbao.db")
agencies = load_registry(workdir + "/agencies.csv")
summary = crawl_agencies(store, agencies, year=2025, as_of=date(2026, 6, 1), config=load_config(workdir + "/nianbao.toml"), only=["zhen,minzheng"])
try:
    crawl_agencies(store, agencies, year=2025, as_of=date(2026, 6, 1), config=load_config(None))
    again = "ran"
except CrawlError as error:
    again = str(error)
print(json.dumps({"summary": summary.as_dict(), "text": summary.text(), "again": again}, ensure_ascii=False))
"""


def test_crawl_agencies_interface_only_and_one_reactor_per_process(tmp_path):
    with PortalServer(year=2025) as portals:
        write_registry(tmp_path / "agencies.csv", portals)
        write_config(tmp_path / "nianbao.toml")
        result = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        requested = {entry.path for entry in portals.requests()}
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    summary = data["summary"]
    assert summary["agencies_total"] == 2 and summary["agencies_crawled"] == 2
    assert summary["reports_found"] == 1 and summary["missing"] == ["minzheng"]
    assert {h["agency_id"]: h["status"] for h in summary["health"]} == {"zhen": "ok", "minzheng": "list_unreachable"}
    assert summary["findings"] == {}  # minzheng's column could not be read: a health problem, not PUB-001
    assert data["text"].startswith("抓取完成（第 1 次运行，2025 年度，截至 2026-06-01）")
    assert "不能重启" in data["again"]
    assert not [path for path in requested if path.startswith(("/trs/", "/hanweb/", "/gkmlpt/"))]  # --only


def test_a_years_sub_column_is_read_as_a_list_not_as_a_report():
    from crawler.pages import Page
    from crawler.spiders.annual_reports import AnnualReportSpider

    spider = AnnualReportSpider(agencies=[AGENCY], years=[2025], options=options())
    year_column = Page("http://www.example.gov.cn/gknb/2025/index.html", (
        "<html><body><ul><li><a href='a.html'>示例县统计局2025年政府信息公开工作年度报告</a></li>"
        "<li><a href='b.html'>示例县民政局2025年政府信息公开工作年度报告</a></li></ul></body></html>").encode())
    report_page = Page("http://www.example.gov.cn/gknb/2025/a.html", (
        "<html><body><img src='table.png'><a href='../2024/a.html'>上一篇：示例县统计局2024年政府信息公开工作年度报告</a>"
        "<a href='../2023/a.html'>示例县统计局2023年政府信息公开工作年度报告</a></body></html>").encode())
    link = candidate("http://www.example.gov.cn/gknb/2025/", "2025年年报", 1)
    assert spider._is_sub_list(year_column, link)
    assert not spider._is_sub_list(report_page, candidate("http://www.example.gov.cn/gknb/2025/a.html", "年报", 1))


def test_an_interrupted_agency_gets_no_pub001_but_a_health_note(tmp_path):
    from datetime import date

    from audit.pipeline import ReportCache
    from audit.store import Store
    from crawler.results import settle

    store = Store(tmp_path / "nianbao.db")
    store.upsert_agencies([AGENCY, {**AGENCY, "id": "a2"}])
    run_id = store.start_run("crawl", 2025, "2026-06-01")
    summary = CrawlSummary(run_id=run_id, year=2025, as_of="2026-06-01")
    for agency_id, finished in (("a1", False), ("a2", True)):
        state = AgencyLedger(agency={**AGENCY, "id": agency_id}, hosts={"example.gov.cn"}, finished=finished, column_found=True)
        settle(store, state, summary, year=2025, years=[2025, 2024], as_of=date(2026, 6, 1), config=Config(), run_id=run_id, cache=ReportCache(store))
    assert {row["agency_id"] for row in store.findings(rule="PUB-001")} == {"a2"}
    health = {row["agency_id"]: row for row in store.health(run_id)}
    assert health["a1"]["status"] == "list_unreachable" and health["a1"]["detail"].startswith("抓取未完成")
    assert health["a2"]["status"] == "no_reports"
    assert summary.missing == ["a1", "a2"]
