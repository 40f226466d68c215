"""The findings store on real SQLite files: the lifecycle across successive
audits, reviews that outlive every re-audit and re-crawl, ``nianbao reaudit``
idempotence, migrations on an old database, and two processes writing at once.

Stored documents are made without the crawler: the project's own sample
reports (``audit.sample``) are stored as documents and made the current
report of an agency-year, then audited through ``audit.pipeline`` exactly as
a crawl or ``nianbao reaudit`` would.

The helpers at the top (``AGENCIES``, ``late_sample``, ``store_sample``,
``crawl``) are imported by test_export.py and test_web.py.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from audit.config import Config
from audit.engine import Finding
from audit.pipeline import audit_missing_report, audit_stored_report, reaudit
from audit.sample import SampleReport, to_text
from audit.store import Store, migrations

_SCRIPT = Path(sys.executable).with_name("nianbao")
NIANBAO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "audit.cli"]

AGENCIES = [
    {"id": "jiaotong", "name": "示例县交通运输局", "type": "department", "region": "示例县",
     "url": "http://jiaotong.example.gov.cn/nb/", "supervisor_email": "jt@example.gov.cn"},
    {"id": "shengtai", "name": "示例市生态环境局", "type": "department", "region": "示例市",
     "url": "http://shengtai.example.gov.cn/nb/", "supervisor_email": "st@example.gov.cn"},
    {"id": "zhen", "name": "示例镇人民政府", "type": "township", "region": "示例县",
     "url": "http://zhen.example.gov.cn/nb/", "supervisor_email": "zhen@example.gov.cn"},
]


def late_sample(**changes) -> SampleReport:
    """示例县交通运输局's 2024 report: published late (PUB-002) and table 3 off by two (TAB-102 twice)."""
    sample = SampleReport(agency="示例县交通运输局", published="2025-02-18", **changes)
    sample.table3["granted"][0] += 2
    sample.table3["granted"][6] += 2
    return sample


def fixed_sample() -> SampleReport:
    """The same report republished with table 3 corrected (still late: PUB-002 stays)."""
    return SampleReport(agency="示例县交通运输局", published="2025-02-18")


def agency(store: Store, agency_id: str) -> dict:
    return store.agency(agency_id)


def store_sample(store: Store, agency_id: str, year: int, sample: SampleReport, *, run_id: int | None = None,
                 url: str | None = None) -> int:
    """Store ``sample`` as a fetched document and make it the agency's current report on ``year``."""
    url = url or f"http://{agency_id}.example.gov.cn/nb/{year}.txt"
    text = to_text(sample)
    doc = store.store_document(
        agency_id=agency_id, url=url, content=text.encode("utf-8"), run_id=run_id, http_status=200,
        content_type="text/plain; charset=utf-8", title=f"{sample.agency}{year}年政府信息公开工作年度报告",
        published=sample.published, published_source="portal",
    )
    return store.set_report(
        agency_id=agency_id, year=year, document_id=doc.id, title=f"{sample.agency}{year}年政府信息公开工作年度报告",
        url=url, published=sample.published, published_source="portal", text=text,
    )


def crawl(store: Store, agency_id: str, year: int, sample: SampleReport | None, *, as_of=None) -> tuple[int, dict]:
    """One crawl-like run for one agency-year: store what was "fetched" and audit it."""
    run_id = store.start_run("crawl", year)
    if sample is None:
        from datetime import date

        _, counts = audit_missing_report(store, agency(store, agency_id), year, config=Config(),
                                         as_of=as_of or date(2025, 6, 1), run_id=run_id)
    else:
        store_sample(store, agency_id, year, sample, run_id=run_id)
        _, counts = audit_stored_report(store, agency(store, agency_id), year, config=Config(), run_id=run_id)
    store.finish_run(run_id, counts)
    return run_id, counts


def new_store(path: Path) -> Store:
    store = Store(path)
    store.upsert_agencies(AGENCIES)
    return store


def by_rule(store: Store, **filters) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in store.findings(**filters):
        grouped.setdefault(row["rule"], []).append(row)
    return grouped


def findings_snapshot(path: Path, ignore=("last_seen",)) -> list[dict]:
    """Every row of the findings table (raw, as stored) without the ignored columns."""
    db = Database(path)
    rows = [{k: v for k, v in row.items() if k not in ignore} for row in db["findings"].rows_where(order_by="fingerprint")]
    db.conn.close()
    return rows


def table_rows(path: Path, table: str) -> list[dict]:
    db = Database(path)
    rows = list(db[table].rows_where(order_by="rowid"))
    db.conn.close()
    return rows


# ---------------------------------------------------------------- lifecycle


def test_lifecycle_new_open_resolved_reopened_across_crawls(tmp_path):
    store = new_store(tmp_path / "nianbao.db")
    run1, counts1 = crawl(store, "jiaotong", 2024, late_sample())
    assert counts1["new"] == 3
    table = by_rule(store)
    assert sorted(table) == ["PUB-002", "TAB-102"] and len(table["TAB-102"]) == 2
    assert {r["status"] for r in store.findings()} == {"new"}

    # A later crawl finds the same report and the same problems: they are open now.
    run2, counts2 = crawl(store, "jiaotong", 2024, late_sample())
    assert counts2["new"] == 0 and counts2["resolved"] == 0
    rows = store.findings()
    assert {r["status"] for r in rows} == {"open"}
    assert all(r["first_run_id"] == run1 and r["last_run_id"] == run2 for r in rows)

    # The agency republishes with table 3 corrected: TAB-102 resolved with the date;
    # PUB-002 (published late) stays; the changed content itself is PUB-004, new.
    run3, counts3 = crawl(store, "jiaotong", 2024, fixed_sample())
    assert counts3["resolved"] == 2
    table = by_rule(store)
    assert [r["status"] for r in table["TAB-102"]] == ["resolved", "resolved"]
    assert table["PUB-002"][0]["status"] == "open"
    assert table["PUB-004"][0]["status"] == "new"
    for row in table["TAB-102"]:
        resolved_at = datetime.fromisoformat(row["resolved_at"])
        assert resolved_at.tzinfo is not None
        assert row["last_run_id"] == run2  # last seen by the second crawl

    # The error comes back in the next version: reopened, no longer resolved.
    run4, counts4 = crawl(store, "jiaotong", 2024, late_sample(fee_statement="本年度未收取信息处理费。"))
    assert counts4["reopened"] == 2
    table = by_rule(store)
    assert [(r["status"], r["resolved_at"]) for r in table["TAB-102"]] == [("reopened", None), ("reopened", None)]

    # History of one TAB-102 finding: every transition, with its run.
    fingerprint = table["TAB-102"][0]["fingerprint"]
    history = store.history(fingerprint)
    assert [(e["event"], e["run_id"]) for e in history] == [("new", run1), ("open", run2), ("resolved", run3), ("reopened", run4)]
    resolved_event = history[2]
    assert resolved_event["at"] is not None
    # and PUB-002, seen by every crawl, went new -> open once and stayed open
    pub = table["PUB-002"][0]
    assert [e["event"] for e in store.history(pub["fingerprint"])] == ["new", "open"]
    assert pub["status"] == "open" and pub["last_run_id"] == run4


def test_resolved_at_is_the_audit_date(tmp_path):
    """Through ``record_findings`` with explicit times: resolved_at is the date of the audit that no longer saw it."""
    store = new_store(tmp_path / "nianbao.db")
    items = [Finding("TAB-102", "error", "表三 总计 列不衔接", {"table": "table3", "column": "total"}, {}, "fp-a"),
             Finding("SEC-001", "error", "缺少第六部分", {"section": 6}, {}, "fp-b")]
    store.record_findings(agency_id="zhen", year=2024, findings=items, run_id=1, now="2025-02-01T08:00:00+00:00")
    store.record_findings(agency_id="zhen", year=2024, findings=items[:1], run_id=2, now="2025-03-02T08:00:00+00:00")
    rows = {r["fingerprint"]: r for r in store.findings()}
    assert rows["fp-b"]["status"] == "resolved" and rows["fp-b"]["resolved_at"] == "2025-03-02T08:00:00+00:00"
    assert rows["fp-b"]["last_seen"] == "2025-02-01T08:00:00+00:00"
    assert rows["fp-a"]["status"] == "open" and rows["fp-a"]["resolved_at"] is None  # seen by a second run
    # another agency's scope is never resolved by this one's audit
    store.record_findings(agency_id="jiaotong", year=2024, findings=[], run_id=3, now="2025-04-01T00:00:00+00:00")
    assert store.finding("fp-a")["status"] == "open"
    # nor another year's
    store.record_findings(agency_id="zhen", year=2023, findings=[], run_id=4, now="2025-04-01T00:00:00+00:00")
    assert store.finding("fp-a")["status"] == "open"


def test_dismissal_survives_reaudit_and_recrawl(tmp_path):
    store = new_store(tmp_path / "nianbao.db")
    crawl(store, "jiaotong", 2024, late_sample())
    target = by_rule(store)["TAB-102"][0]["fingerprint"]
    other = by_rule(store)["PUB-002"][0]["fingerprint"]
    store.review(target, "dismissed", "机关说明：17件仅统计办公室受理的申请", "王科长", now="2025-03-01T09:00:00+00:00")
    store.review(other, "confirmed", "逾期属实", "李主任", now="2025-03-01T09:05:00+00:00")
    reviews_before = table_rows(tmp_path / "nianbao.db", "reviews")

    reaudit(store, config=Config())
    crawl(store, "jiaotong", 2024, late_sample())  # a re-crawl recording the same findings
    reaudit(store, config=Config(), year=2024, agency_id="jiaotong")
    crawl(store, "jiaotong", 2024, late_sample())

    assert table_rows(tmp_path / "nianbao.db", "reviews") == reviews_before
    row = store.finding(target)
    assert (row["review_decision"], row["review_note"], row["reviewer"], row["reviewed_at"]) == (
        "dismissed", "机关说明：17件仅统计办公室受理的申请", "王科长", "2025-03-01T09:00:00+00:00")
    assert row["status"] == "open"  # the lifecycle goes on underneath the reviewer's word
    row = store.finding(other)
    assert (row["review_decision"], row["review_note"], row["reviewer"]) == ("confirmed", "逾期属实", "李主任")

    # Even through resolution and reopening the review stays.
    crawl(store, "jiaotong", 2024, fixed_sample())
    assert store.finding(target)["status"] == "resolved"
    assert store.finding(target)["review_decision"] == "dismissed"
    crawl(store, "jiaotong", 2024, late_sample())
    assert store.finding(target)["status"] == "reopened"
    assert store.finding(target)["review_note"] == "机关说明：17件仅统计办公室受理的申请"
    events = [e["event"] for e in store.history(target)]
    assert events == ["new", "dismissed", "open", "resolved", "reopened"]
    assert store.history(target)[1]["detail"] == "王科长: 机关说明：17件仅统计办公室受理的申请"


def test_latest_review_wins_and_earlier_ones_are_kept(tmp_path):
    store = new_store(tmp_path / "nianbao.db")
    crawl(store, "jiaotong", 2024, late_sample())
    fingerprint = by_rule(store)["PUB-002"][0]["fingerprint"]
    store.review(fingerprint, "dismissed", "先驳回", "甲")
    store.review(fingerprint, "confirmed", "复查后确认", "乙")
    assert store.finding(fingerprint)["review_decision"] == "confirmed"
    assert [r["note"] for r in table_rows(tmp_path / "nianbao.db", "reviews")] == ["先驳回", "复查后确认"]
    with pytest.raises(ValueError):
        store.review(fingerprint, "ignored", "x", "丙")
    with pytest.raises(KeyError):
        store.review("no-such-fingerprint", "dismissed", "x", "丙")


def test_fixed_report_recrawled_resolves_its_findings(tmp_path):
    path = tmp_path / "nianbao.db"
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    crawl(store, "shengtai", 2024, SampleReport())  # a clean report: no findings
    crawl(store, "zhen", 2024, None, as_of=None)  # no report after the deadline: PUB-001
    assert by_rule(store, agency_id="zhen")["PUB-001"][0]["status"] == "new"
    before = {r["fingerprint"]: r for r in store.findings(agency_id="jiaotong")}

    run_id, counts = crawl(store, "jiaotong", 2024, fixed_sample())
    assert counts["resolved"] == 2
    after = {r["fingerprint"]: r for r in store.findings(agency_id="jiaotong")}
    resolved = [fp for fp, r in after.items() if r["status"] == "resolved"]
    assert sorted(resolved) == sorted(fp for fp, r in before.items() if r["rule"] == "TAB-102")
    assert all(after[fp]["resolved_at"] for fp in resolved)
    resolved_events = [e for fp in resolved for e in store.history(fp) if e["event"] == "resolved"]
    assert [e["run_id"] for e in resolved_events] == [run_id, run_id]
    assert [e["at"] for e in resolved_events] == [after[fp]["resolved_at"] for fp in resolved]
    # the report now points at the new version; the old one is kept
    report = store.report("jiaotong", 2024)
    assert report["document_id"] != report["first_document_id"]
    # other agencies' findings are untouched
    assert by_rule(store, agency_id="zhen")["PUB-001"][0]["status"] == "new"

    # the zhen township publishes: its PUB-001 is resolved by the next crawl
    crawl(store, "zhen", 2024, SampleReport(agency="示例镇人民政府", published="2025-01-10"))
    assert by_rule(store, agency_id="zhen")["PUB-001"][0]["status"] == "resolved"


# ---------------------------------------------------------------- reaudit


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*NIANBAO, *args], capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_reaudit_cli_leaves_findings_unchanged_but_last_seen(tmp_path):
    path = tmp_path / "nianbao.db"
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    crawl(store, "jiaotong", 2024, late_sample())  # now open
    crawl(store, "zhen", 2024, SampleReport(agency="示例镇人民政府", published="2025-01-10", fee_statement="本年度无其他需要报告的事项。"))
    crawl(store, "shengtai", 2023, SampleReport(year=2023, published="2024-01-20"))
    fingerprint = by_rule(store, agency_id="jiaotong")["TAB-102"][0]["fingerprint"]
    store.review(fingerprint, "dismissed", "已电话核实，系统计口径不同", "王科长")
    store.close()

    baseline = findings_snapshot(path)
    reviews = table_rows(path, "reviews")
    events = table_rows(path, "finding_events")
    last_seen = {r["fingerprint"]: r["last_seen"] for r in table_rows(path, "findings")}
    assert len(baseline) >= 4

    for _ in range(3):
        result = run_cli("reaudit", "--db", str(path))
        assert "重新审核年报 3 份" in result.stdout
        assert "新增问题 0 项" in result.stdout and "已解决 0 项" in result.stdout
        assert findings_snapshot(path) == baseline
        assert table_rows(path, "reviews") == reviews
        assert table_rows(path, "finding_events") == events  # no transition, so no history
    run_cli("reaudit", "--db", str(path), "--year", "2024", "--agency", "jiaotong")
    assert findings_snapshot(path) == baseline
    # last_seen is the only column that moved (and it moved for the reaudited reports)
    rows = {r["fingerprint"]: r for r in table_rows(path, "findings")}
    assert rows[fingerprint]["last_seen"] >= last_seen[fingerprint]
    assert Store(path).finding(fingerprint)["review_note"] == "已电话核实，系统计口径不同"


def test_reaudit_scope_year_and_agency(tmp_path):
    path = tmp_path / "nianbao.db"
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    crawl(store, "shengtai", 2023, SampleReport(year=2023, published="2024-01-20"))
    totals = reaudit(store, config=Config(), agency_id="shengtai")
    assert totals["reports"] == 1
    totals = reaudit(store, config=Config(), year=2024)
    assert totals["reports"] == 1
    assert reaudit(store, config=Config(), year=2022)["reports"] == 0


# ---------------------------------------------------------------- review CLI


def test_review_cli_records_and_refuses(tmp_path):
    path = tmp_path / "nianbao.db"
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    fingerprint = by_rule(store)["PUB-002"][0]["fingerprint"]
    store.close()

    result = run_cli("review", fingerprint, "--dismiss", "--note", "机关说明：门户网站故障，已提供发布记录", "--by", "王科长", "--db", str(path))
    assert "已记录复核意见：驳回" in result.stdout
    row = Store(path).finding(fingerprint)
    assert (row["review_decision"], row["reviewer"]) == ("dismissed", "王科长")

    missing = run_cli("review", "0000", "--confirm", "--note", "x", "--by", "y", "--db", str(path), check=False)
    assert missing.returncode == 2 and "数据库中没有指纹为 0000 的问题" in missing.stderr
    undecided = run_cli("review", fingerprint, "--note", "x", "--by", "y", "--db", str(path), check=False)
    assert undecided.returncode == 2 and "--dismiss 或 --confirm" in undecided.stderr
    assert len(table_rows(path, "reviews")) == 1


# ---------------------------------------------------------------- migrations


def test_migrations_upgrade_an_old_database_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_indexes_and_search")
    assert [m.name for m in migrations.applied(db)] == ["m001_initial"]
    assert "findings_fts" not in db.table_names() and "portal_health" not in db.table_names()
    db["agencies"].insert({"id": "jiaotong", "name": "示例县交通运输局", "type": "department", "region": "示例县"})
    db["crawl_runs"].insert({"id": 1, "kind": "crawl", "year": 2024, "status": "finished"})
    db["blobs"].insert({"hash": "h1", "size": 3, "content": b"abc"})
    db["documents"].insert({"id": 1, "agency_id": "jiaotong", "url": "http://x/2024.txt", "content_hash": "h1", "run_id": 1})
    db["reports"].insert({"id": 1, "agency_id": "jiaotong", "year": 2024, "document_id": 1, "first_document_id": 1,
                          "title": "示例县交通运输局2024年政府信息公开工作年度报告", "text": "表三数字不衔接的年报正文"})
    db["findings"].insert({"fingerprint": "fp-old", "agency_id": "jiaotong", "year": 2024, "report_id": 1, "rule": "TAB-102",
                           "severity": "error", "message": "表三 总计 列：各项办理结果之和为 50，但总计为 48", "location": "{}",
                           "evidence": "{}", "status": "open", "first_seen": "2025-02-01", "last_seen": "2025-02-02"})
    db["finding_events"].insert({"fingerprint": "fp-old", "at": "2025-02-01", "event": "new"})
    db["reviews"].insert({"fingerprint": "fp-old", "decision": "dismissed", "note": "旧库里的复核", "reviewer": "王科长", "at": "2025-02-03"})
    db.conn.close()

    store = Store(path)
    assert [m.name for m in migrations.applied(store.db)] == [m.name for m in migrations._migrations]
    names = set(store.db.table_names())
    assert {"findings_fts", "reports_fts", "portal_health"} <= names
    assert store.db["reports"].indexes and any(i.unique and i.columns == ["agency_id", "year"] for i in store.db["reports"].indexes)
    row = store.finding("fp-old")
    assert (row["status"], row["review_note"], row["agency_name"]) == ("open", "旧库里的复核", "示例县交通运输局")
    assert store.content("h1") == b"abc"
    # the full-text index covers the rows that were there before it existed
    hits = store.db.execute("select rowid from findings_fts where findings_fts match ?", ['"各项办理结果"']).fetchall()
    assert len(hits) == 1
    hits = store.db.execute("select rowid from reports_fts where reports_fts match ?", ['"数字不衔接"']).fetchall()
    assert hits == [(1,)]
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("pragma foreign_keys").fetchone()[0] == 1
    # and the upgraded database goes on working through the lifecycle
    store.record_findings(agency_id="jiaotong", year=2024, findings=[], run_id=2)
    assert store.finding("fp-old")["status"] == "resolved"
    store.close()
    assert len(table_rows(path, "finding_events")) == 2
    Store(path).close()  # opening again applies nothing twice


# ---------------------------------------------------------------- two writers


WRITER_ROUNDS = 80
REVIEWER_ROUNDS = 200
CLI_REVIEWS = 4
SHARED_FINDINGS = [
    Finding("TAB-102", "error", f"表三 第{i}列不衔接", {"table": "table3", "column": f"c{i}"}, {}, f"shared-{i}") for i in range(5)
]


def _writer(path: str, start, errors) -> None:
    """A crawl-like writer: a new document version and a full set of findings each round."""
    try:
        store = Store(path)
        start.wait(60)
        for i in range(WRITER_ROUNDS):
            run_id = store.start_run("crawl", 2024)
            doc = store.store_document(agency_id="jiaotong", url=f"http://jiaotong.example.gov.cn/nb/{i}.txt",
                                       content=f"第{i}版正文".encode(), run_id=run_id)
            extra = [Finding("TAB-101", "error", f"第{i}轮", {"round": i}, {}, f"round-{i}")]
            store.record_findings(agency_id="jiaotong", year=2024, findings=SHARED_FINDINGS + extra, run_id=run_id,
                                  source_url=f"http://jiaotong.example.gov.cn/nb/{i}.txt")
            store.finish_run(run_id, {"document": doc.id})
        store.close()
    except BaseException as exc:  # reported to the parent, which fails the test
        errors.put(f"writer: {exc!r}")


def _reviewer(path: str, start, errors) -> None:
    try:
        store = Store(path)
        start.wait(60)
        for i in range(REVIEWER_ROUNDS):
            decision = "dismissed" if i % 2 else "confirmed"
            store.review(f"shared-{i % 5}", decision, f"第{i}次复核", "复核员甲")
        store.close()
    except BaseException as exc:
        errors.put(f"reviewer: {exc!r}")


def test_two_processes_write_at_once_without_database_is_locked(tmp_path):
    path = tmp_path / "nianbao.db"
    store = new_store(path)
    store.record_findings(agency_id="jiaotong", year=2024, findings=SHARED_FINDINGS, run_id=None)
    store.close()

    context = multiprocessing.get_context("spawn")
    start, errors = context.Event(), context.Queue()
    processes = [context.Process(target=_writer, args=(str(path), start, errors)),
                 context.Process(target=_reviewer, args=(str(path), start, errors))]
    for process in processes:
        process.start()
    start.set()
    # meanwhile a reviewer at the command line
    cli_results = [run_cli("review", f"shared-{i}", "--dismiss", "--note", f"命令行复核{i}", "--by", "复核员乙",
                           "--db", str(path), check=False) for i in range(CLI_REVIEWS)]
    for process in processes:
        process.join(300)
    reported = []
    while not errors.empty():
        reported.append(errors.get())
    assert reported == []
    assert [p.exitcode for p in processes] == [0, 0]
    assert [r.returncode for r in cli_results] == [0] * CLI_REVIEWS, [r.stderr for r in cli_results]

    check = Store(path)
    assert check.db["documents"].count == WRITER_ROUNDS
    assert check.db.execute("select count(*) from crawl_runs where status = 'finished'").fetchone()[0] == WRITER_ROUNDS
    reviews = list(check.db["reviews"].rows)
    assert len(reviews) == REVIEWER_ROUNDS + CLI_REVIEWS
    assert sorted(r["note"] for r in reviews if r["reviewer"] == "复核员乙") == [f"命令行复核{i}" for i in range(CLI_REVIEWS)]
    # each round's finding landed, and every round but the last resolved its predecessor
    rounds = {r["fingerprint"]: r["status"] for r in check.findings(rule="TAB-101")}
    assert len(rounds) == WRITER_ROUNDS
    assert list(rounds.values()).count("resolved") == WRITER_ROUNDS - 1
    assert {r["status"] for r in check.findings(rule="TAB-102")} == {"open"}
    assert check.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    events = check.db.execute("select count(*) from finding_events where event in ('dismissed', 'confirmed')").fetchone()[0]
    assert events == REVIEWER_ROUNDS + CLI_REVIEWS


def test_store_uses_wal_and_busy_timeout(tmp_path):
    store = Store(tmp_path / "nianbao.db")
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("pragma busy_timeout").fetchone()[0] >= 5000
    other = sqlite3.connect(tmp_path / "nianbao.db")
    assert other.execute("pragma journal_mode").fetchone()[0] == "wal"  # persistent in the file
    other.close()
