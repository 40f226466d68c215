"""``nianbao serve``: the Datasette app over a real store, through Datasette's
test client — canned queries answering their questions, facets, Chinese
labels, full-text search by a Chinese substring, links to the source and the
report, and a database that cannot be written through the web view.

The screen ``finding_list`` is the view the store's migration m004 creates;
an older database gets the same SELECT inline (``audit.web.FINDING_LIST_SQL``),
and a test checks that both give the same rows.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from audit.cli import main
from audit.sample import SampleReport
from audit.store import Store, migrations
from audit.web import FINDING_LIST, FINDING_LIST_SQL, build_metadata, canned_queries, make_datasette
from test_store import NIANBAO, by_rule, crawl, findings_snapshot, fixed_sample, late_sample, new_store, table_rows

CANNED = sorted(canned_queries("x")) + ["portal_problems"]


def build_store(path: Path) -> dict[str, str]:
    """A store with every kind of finding the screens show; returns fingerprints by name."""
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    crawl(store, "jiaotong", 2024, fixed_sample())  # TAB-102 x2 resolved, PUB-002 open, PUB-004 new
    crawl(store, "zhen", 2024, None)  # no report after the deadline: PUB-001
    crawl(store, "shengtai", 2023, SampleReport(year=2023, published="2024-03-01"))  # late: PUB-002 (2023)
    crawl(store, "shengtai", 2024, SampleReport())  # clean
    names = {
        "late": by_rule(store, agency_id="jiaotong")["PUB-002"][0]["fingerprint"],
        "missing": by_rule(store, agency_id="zhen")["PUB-001"][0]["fingerprint"],
        "late2023": by_rule(store, agency_id="shengtai")["PUB-002"][0]["fingerprint"],
        "changed": by_rule(store, agency_id="jiaotong")["PUB-004"][0]["fingerprint"],
    }
    names["resolved"] = sorted(r["fingerprint"] for r in by_rule(store)["TAB-102"])
    store.review(names["late2023"], "dismissed", "机关说明：网站改版期间已在政务公开专栏发布", "王科长", now="2025-03-01T09:00:00+00:00")
    store.review(names["late"], "confirmed", "逾期属实", "李主任", now="2025-03-02T09:00:00+00:00")
    store.record_health(run_id=None, agency_id="zhen", status="ok", now="2025-01-01T00:00:00+00:00")
    store.record_health(run_id=None, agency_id="zhen", status="column_not_found", detail="首页未找到年报栏目", now="2025-06-01T00:00:00+00:00")
    store.record_health(run_id=None, agency_id="jiaotong", status="ok", now="2025-06-01T00:00:00+00:00")
    store.close()
    return names


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "nianbao.db"
    names = build_store(path)
    return path, names, make_datasette(path)


@pytest.fixture(scope="module")
def site_with_view(site):
    path, _, _ = site
    assert Database(path)[FINDING_LIST].exists(), "the store's migration creates the screen's view"
    return site


def get(ds, path: str, **params):
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params)
    return asyncio.run(ds.client.get(path))


def rows(ds, query: str, **params) -> list[dict]:
    response = get(ds, f"/nianbao/{query}.json?_shape=array", **params)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- canned queries


def test_every_canned_query_answers(site):
    _, _, ds = site
    for name in CANNED:
        response = get(ds, f"/nianbao/{name}")
        assert response.status_code == 200, (name, response.text[:500])
        assert ds.metadata("queries", database="nianbao")[name]["title"] in response.text
        assert 'class="message-error"' not in response.text, name


def test_late_or_missing_this_year(site):
    _, names, ds = site
    result = rows(ds, "late_or_missing")  # year left blank: the latest report year, 2024
    assert [(r["机关"], r["情况"], r["年度"]) for r in result] == [("示例镇人民政府", "未发布", 2024), ("示例县交通运输局", "逾期发布", 2024)]
    assert [r["指纹"] for r in result] == [names["missing"], names["late"]]
    late = result[1]
    assert (late["复核"], late["复核意见"], late["状态"], late["地区"], late["类型"]) == ("确认", "逾期属实", "未整改", "示例县", "部门")
    assert late["来源链接"] == "http://jiaotong.example.gov.cn/nb/2024.txt"
    earlier = rows(ds, "late_or_missing", 年度="2023")
    assert [(r["机关"], r["情况"], r["复核"]) for r in earlier] == [("示例市生态环境局", "逾期发布", "驳回")]
    assert rows(ds, "late_or_missing", 年度="2019") == []


def test_open_errors_by_agency(site):
    _, _, ds = site
    ordered = rows(ds, "open_errors_by_agency")
    assert [r["机关编号"] for r in ordered][0] == "shengtai"  # most open errors first
    result = {r["机关编号"]: r for r in ordered}
    assert set(result) == {"jiaotong", "zhen", "shengtai"}
    # jiaotong: TAB-102 resolved (not counted), PUB-002 confirmed; the PUB-004 warning is no error
    assert (result["jiaotong"]["未解决错误"], result["jiaotong"]["其中已确认"], result["jiaotong"]["涉及规则"]) == (1, 1, "PUB-002")
    assert (result["zhen"]["未解决错误"], result["zhen"]["已驳回"], result["zhen"]["涉及规则"]) == (1, 0, "PUB-001")
    # shengtai: two YR-001 errors open, its dismissed PUB-002 counted apart
    assert (result["shengtai"]["未解决错误"], result["shengtai"]["已驳回"]) == (2, 1)
    assert sorted(result["shengtai"]["涉及规则"].split(",")) == ["PUB-002", "YR-001"]
    in_2023 = rows(ds, "open_errors_by_agency", 年度="2023")
    assert [(r["机关编号"], r["未解决错误"], r["已驳回"]) for r in in_2023] == [("shengtai", 0, 1)]


def beijing_month(timestamp: str) -> str:
    return (datetime.fromisoformat(timestamp) + timedelta(hours=8)).strftime("%Y-%m")


def test_resolved_this_month(site):
    path, names, ds = site
    resolved_at = {r["fingerprint"]: r["resolved_at"] for r in table_rows(path, "findings") if r["status"] == "resolved"}
    assert sorted(resolved_at) == names["resolved"]
    month = beijing_month(next(iter(resolved_at.values())))
    result = rows(ds, "resolved_this_month", 月份=month)
    assert sorted(r["指纹"] for r in result) == names["resolved"]
    assert {(r["规则"], r["级别"], r["机关"]) for r in result} == {("TAB-102", "错误", "示例县交通运输局")}
    assert all(r["解决日期"].startswith(month) for r in result)
    assert rows(ds, "resolved_this_month", 月份="2000-01") == []
    # left blank it means this month (Beijing time); the store resolved them just now
    before = beijing_month(datetime.now(timezone.utc).isoformat())
    default = rows(ds, "resolved_this_month")
    after = beijing_month(datetime.now(timezone.utc).isoformat())
    if before == month == after:  # not across a month boundary while the test ran
        assert sorted(r["指纹"] for r in default) == names["resolved"]


def test_problem_list_filters(site):
    _, names, ds = site
    everything = rows(ds, "problem_list")
    assert len(everything) == 10
    assert [r["年度"] for r in everything] == sorted((r["年度"] for r in everything), reverse=True)
    assert {r["地区"] for r in rows(ds, "problem_list", 地区="示例县")} == {"示例县"}
    assert len(rows(ds, "problem_list", 地区="示例县")) == 5
    assert {r["级别"] for r in rows(ds, "problem_list", 级别="提示")} == {"提示"}
    assert {r["规则"] for r in rows(ds, "problem_list", 规则="PUB")} == {"PUB-001", "PUB-002", "PUB-004"}
    assert [r["规则"] for r in rows(ds, "problem_list", 级别="警告")] == ["PUB-004"]
    assert sorted(r["指纹"] for r in rows(ds, "problem_list", 状态="已解决")) == names["resolved"]
    assert [r["指纹"] for r in rows(ds, "problem_list", 复核="驳回")] == [names["late2023"]]
    assert [r["机关"] for r in rows(ds, "problem_list", 机关="zhen")] == ["示例镇人民政府"]
    assert {r["机关"] for r in rows(ds, "problem_list", 机关="交通")} == {"示例县交通运输局"}
    # a two-character keyword works here (the search box needs three)
    assert {r["指纹"] for r in rows(ds, "problem_list", 关键词="逾期")} == {names["late"], names["late2023"]}
    assert [r["年度"] for r in rows(ds, "problem_list", 年度="2023")] == [2023]


def test_review_queries_and_history(site):
    _, names, ds = site
    pending = rows(ds, "to_review")
    # reviewed, resolved and info-level ones left out; errors first
    assert [(r["规则"], r["级别"]) for r in pending] == [("PUB-001", "错误"), ("YR-001", "错误"), ("YR-001", "错误"), ("PUB-004", "警告")]
    assert names["missing"] in {r["指纹"] for r in pending} and names["changed"] in {r["指纹"] for r in pending}
    log = rows(ds, "review_log")
    assert [(r["结论"], r["复核人"], r["复核时间"]) for r in log] == [("确认", "李主任", "2025-03-02 17:00:00"), ("驳回", "王科长", "2025-03-01 17:00:00")]
    history = rows(ds, "finding_history", 指纹=names["resolved"][0])
    assert [r["事件"] for r in history] == ["新发现", "已解决"]  # seen by the first crawl, gone in the second
    assert {r["规则"] for r in history} == {"TAB-102"} and history[1]["批次"] > history[0]["批次"]
    assert [r["事件"] for r in rows(ds, "finding_history", 指纹=names["late2023"])] == ["新发现", "驳回"]
    summary = {r["地区"]: r for r in rows(ds, "region_summary")}
    assert (summary["示例县"]["未解决错误"], summary["示例县"]["未解决警告"], summary["示例县"]["已解决"]) == (2, 1, 2)
    assert (summary["示例市"]["未解决错误"], summary["示例市"]["未解决提示"], summary["示例市"]["其中已驳回"]) == (3, 2, 1)
    assert (summary["示例县"]["有问题的机关"], summary["示例市"]["有问题的机关"]) == (2, 1)
    portal = rows(ds, "portal_problems")
    assert [(r["机关"], r["情况"], r["说明"]) for r in portal] == [("示例镇人民政府", "未找到年报栏目", "首页未找到年报栏目")]


# ---------------------------------------------------------------- facets, labels, search, links


def test_findings_table_has_facets_and_chinese_labels(site):
    _, _, ds = site
    data = get(ds, "/nianbao/findings.json").json()
    facets = data["facet_results"]
    assert set(facets) == {"agency_id", "rule", "severity", "status", "year"}
    agencies = {f["label"]: f["count"] for f in facets["agency_id"]["results"]}
    assert agencies == {"示例县交通运输局": 4, "示例镇人民政府": 1, "示例市生态环境局": 5}
    assert {f["value"]: f["count"] for f in facets["status"]["results"]} == {"resolved": 2, "open": 1, "new": 7}
    assert {f["value"]: f["count"] for f in facets["severity"]["results"]} == {"error": 7, "warning": 1, "info": 2}
    narrowed = get(ds, "/nianbao/findings.json?severity=info&_shape=objects").json()["rows"]
    assert {r["rule"] for r in narrowed} == {"YR-002", "YR-003"}
    html = get(ds, "/nianbao/findings").text
    assert "审核问题（原始表）" in html
    for label in ("问题描述", "来源链接", "级别", "状态", "新发现", "未整改"):  # the label script's data
        assert label in html
    assert '<td class="col-severity type-str">错误</td>' in html  # value labels in cells
    metadata = get(ds, "/-/metadata.json").json()
    tables = metadata["databases"]["nianbao"]["tables"]
    assert tables["reports"]["title"] == "年报" and tables["agencies"]["columns"]["region"] == "地区"
    assert tables["blobs"] == {"hidden": True}


def test_finding_links_to_source_and_report(site):
    _, names, ds = site
    html = get(ds, "/nianbao/late_or_missing").text
    assert '<a href="http://jiaotong.example.gov.cn/nb/2024.txt">' in html
    report = get(ds, f"/nianbao/findings/{names['late']}.json?_shape=array").json()[0]["report_id"]
    assert f'<a href="/nianbao/reports/{report}">查看年报</a>' in html
    assert f'<a href="/nianbao/findings/{names["late"]}">{names["late"]}</a>' in html
    # The store's migration m004 made the finding_list view: an agency links to its findings there.
    assert f'<a href="/nianbao/finding_list?{quote("机关编号")}=jiaotong">' in html
    row_page = get(ds, f"/nianbao/findings/{names['late']}").text
    assert f'<a href="/nianbao/reports/{report}">查看年报</a>' in row_page
    assert '<a href="http://jiaotong.example.gov.cn/nb/2024.txt">' in row_page
    assert get(ds, f"/nianbao/reports/{report}").status_code == 200


def test_full_text_search_by_chinese_substring(site):
    _, names, ds = site
    found = get(ds, "/nianbao/findings.json?_shape=array&" + urlencode({"_search": "各项办理结果"})).json()
    assert sorted(r["fingerprint"] for r in found) == names["resolved"]
    found = get(ds, "/nianbao/findings.json?_shape=array&" + urlencode({"_search": "逾期发布"})).json()
    assert {r["fingerprint"] for r in found} == {names["late"], names["late2023"]}
    reports = get(ds, "/nianbao/reports.json?_shape=array&" + urlencode({"_search": "示例市生态环境局"})).json()
    assert sorted(r["year"] for r in reports) == [2023, 2024]
    reports = get(ds, "/nianbao/reports.json?_shape=array&" + urlencode({"_search": "信息处理费"})).json()
    assert len(reports) == 3


def test_database_is_not_writable_through_the_web_view(site):
    path, _, ds = site
    before = findings_snapshot(path, ignore=())
    reviews = table_rows(path, "reviews")
    for sql in ("delete from findings", "update findings set status = 'resolved'",
                "insert into reviews (fingerprint, decision) values ('x', 'dismissed')", "drop table reviews"):
        response = get(ds, "/nianbao.json", sql=sql)
        assert response.status_code == 400, sql
    assert get(ds, "/nianbao.json", sql="select 1; delete from findings").status_code == 400
    # a POST to a canned query writes nothing (Datasette 0.65 answers it with an error page)
    assert asyncio.run(ds.client.post("/nianbao/late_or_missing", data={"年度": "2024"})).status_code >= 400
    # and even Datasette's own write connection is query_only
    database = ds.get_database("nianbao")
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only|attempt to write"):
        asyncio.run(database.execute_write("delete from findings"))
    assert not any(q.get("write") for q in ds.metadata("queries", database="nianbao").values())
    assert findings_snapshot(path, ignore=()) == before
    assert table_rows(path, "reviews") == reviews


def test_web_view_sees_later_writes(tmp_path):
    """Read-only, not a snapshot: a review recorded while the site runs shows up."""
    path = tmp_path / "nianbao.db"
    names = build_store(path)
    ds = make_datasette(path)
    assert rows(ds, "to_review")  # opened before the write
    store = Store(path)
    store.review(names["missing"], "confirmed", "确未发布", "王科长")
    store.close()
    assert names["missing"] not in {r["指纹"] for r in rows(ds, "to_review")}


# ---------------------------------------------------------------- the view screen


def test_finding_list_view_facets_by_region_agency_rule_severity_status(site_with_view):
    _, names, ds = site_with_view
    data = get(ds, f"/nianbao/{FINDING_LIST}.json").json()
    facets = data["facet_results"]
    assert {"地区", "机关", "规则", "级别", "状态"} <= set(facets)
    assert {f["value"]: f["count"] for f in facets["地区"]["results"]} == {"示例县": 5, "示例市": 5}
    assert {f["value"]: f["count"] for f in facets["级别"]["results"]} == {"错误": 7, "警告": 1, "提示": 2}
    assert {f["value"]: f["count"] for f in facets["状态"]["results"]} == {"已解决": 2, "未整改": 1, "新发现": 7}
    assert {f["value"]: f["count"] for f in facets["复核"]["results"]} == {"未复核": 8, "驳回": 1, "确认": 1}
    assert {f["value"]: f["count"] for f in facets["机关"]["results"]} == {"示例县交通运输局": 4, "示例镇人民政府": 1, "示例市生态环境局": 5}
    assert {f["value"] for f in facets["规则"]["results"]} == {"PUB-001", "PUB-002", "PUB-004", "TAB-102", "YR-001", "YR-002", "YR-003"}
    # facet values narrow the list
    selected = get(ds, f"/nianbao/{FINDING_LIST}.json?_shape=array&" + urlencode({"地区": "示例市", "级别": "错误"})).json()
    assert sorted(r["规则"] for r in selected) == ["PUB-002", "YR-001", "YR-001"]
    # full-text search on the view goes through findings_fts
    found = get(ds, f"/nianbao/{FINDING_LIST}.json?_shape=array&" + urlencode({"_search": "各项办理结果", "地区": "示例县"})).json()
    assert sorted(r["指纹"] for r in found) == names["resolved"]
    html = get(ds, f"/nianbao/{FINDING_LIST}").text
    assert "问题清单" in html and "查看年报" in html
    agency_link = f'<a href="/nianbao/{FINDING_LIST}?{quote("机关编号")}=jiaotong">jiaotong</a>'
    assert agency_link in get(ds, "/nianbao/open_errors_by_agency").text
    # the canned queries now read from the view
    assert f"from {FINDING_LIST}" in ds.metadata("queries", database="nianbao")["late_or_missing"]["sql"]
    assert len(rows(ds, "late_or_missing")) == 2


def test_view_sql_matches_the_export_labels(site_with_view):
    """The screen and the spreadsheet say the same thing for the same finding."""
    path, names, ds = site_with_view
    from audit.export import finding_record

    screen = {r["指纹"]: r for r in get(ds, f"/nianbao/{FINDING_LIST}.json?_shape=array").json()}
    for row in Store(path).findings():
        record = finding_record(row, chinese=True)
        shown = screen[row["fingerprint"]]
        assert (shown["机关"], shown["类型"], shown["地区"], shown["年度"], shown["规则"], shown["级别"], shown["状态"], shown["问题描述"]) == (
            record["agency"], record["agency_type"], record["region"], record["year"], record["rule"], record["severity"],
            record["status"], record["message"])


def test_inline_finding_list_matches_the_migrated_view(site):
    """An older database's canned queries read FINDING_LIST_SQL inline: it must
    say what the view m004 created says, row for row."""
    path, _, _ = site
    db = Database(path)
    from_view = [tuple(row.values()) for row in db.query(f"select * from {FINDING_LIST} order by 编号")]
    inline = [tuple(row.values()) for row in db.query(f"select * from ({FINDING_LIST_SQL}) order by 编号")]
    assert len(from_view) >= 3 and inline == from_view


# ---------------------------------------------------------------- other databases, the command


def test_an_old_database_is_served_with_what_it_has(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_indexes_and_search")
    db["agencies"].insert({"id": "zhen", "name": "示例镇人民政府", "type": "township", "region": "示例县"})
    db["findings"].insert({"fingerprint": "fp-old", "agency_id": "zhen", "year": 2024, "rule": "PUB-001", "severity": "error",
                           "message": "未发布", "status": "open", "first_seen": "2025-02-01T00:00:00+00:00",
                           "last_seen": "2025-02-01T00:00:00+00:00"})
    db.conn.close()
    metadata = build_metadata(path)
    database = metadata["databases"]["old"]
    assert "portal_problems" not in database["queries"] and "portal_health" not in database["tables"]
    ds = make_datasette(path)
    result = asyncio.run(ds.client.get("/old/late_or_missing.json?_shape=array")).json()
    assert [(r["机关"], r["情况"]) for r in result] == [("示例镇人民政府", "未发布")]
    assert [m.name for m in migrations.applied(Database(path))] == ["m001_initial"]  # serving migrated nothing


def test_serve_refuses_a_missing_database(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "数据库文件不存在" in result.output
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--db" in help_text and "--port" in help_text and "--host" in help_text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nianbao_serve_answers_over_http(tmp_path):
    path = tmp_path / "nianbao.db"
    build_store(path)
    port = free_port()
    process = subprocess.Popen([*NIANBAO, "serve", "--db", str(path), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/nianbao/late_or_missing.json?_shape=array"
        body = None
        for _ in range(300):  # until it listens (bounded)
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.load(response)
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, process.stderr.read() if process.poll() is not None else "no answer"
        assert [r["情况"] for r in body] == ["未发布", "逾期发布"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "政府信息公开工作年度报告审核" in response.read().decode("utf-8")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/nianbao" in stderr


def test_text_from_the_internet_is_shown_as_text(tmp_path):
    """Messages and URLs come from crawled pages: no markup, no script links."""
    from audit.engine import Finding

    path = tmp_path / "nianbao.db"
    store = new_store(path)
    store.upsert_agencies([{"id": "evil", "name": "<b>示例局</b>", "type": "department", "region": "示例区"}])
    store.record_findings(agency_id="evil", year=2024, run_id=None, source_url="javascript:alert(1)", findings=[
        Finding("TXT-001", "warning", '<script>alert("年报")</script>正文数字不一致', {}, {}, "fp-evil")])
    store.close()
    ds = make_datasette(path)
    for page in ("/nianbao/problem_list", "/nianbao/findings", "/nianbao/findings/fp-evil", "/nianbao/to_review"):
        html = get(ds, page).text
        assert "<script>alert" not in html and "<b>示例局</b>" not in html, page
        assert "&lt;script&gt;alert" in html, page
        assert 'href="javascript:' not in html, page
