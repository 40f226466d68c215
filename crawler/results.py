"""After the crawl: choose each agency's report per year, store it, audit it, judge the portal.

Runs once the reactor has stopped, on the ledger the spider filled and the
documents the pipeline stored. For each agency and fetched year:

- the report is the best candidate link (a successful fetch, the agency's
  name in the title, 信息公开 in the title, first listed); when its page only
  links to a file, the file;
- ``Store.set_report`` makes it the agency's report of that year; a new or
  changed one is audited at once (``audit_stored_report``: PUB-004 comes from
  the store when the content differs from the first version seen);
- for the target year with no stored report, ``audit_missing_report`` gives
  PUB-001 once the deadline has passed, and PUB-005 when a report link was
  found but could not be fetched.
"""

from __future__ import annotations

import logging
from datetime import date

from audit.config import Config
from audit.pipeline import ReportCache, audit_missing_report, audit_stored_report
from audit.store import Store
from crawler.classify import normalize
from crawler.ledger import AgencyLedger, Candidate
from crawler.summary import CrawlSummary

logger = logging.getLogger("nianbao.crawl")


def choose_candidate(state: AgencyLedger, year: int) -> Candidate | None:
    candidates = [c for c in state.candidates.values() if c.year == year]
    if not candidates:
        return None
    name = normalize(state.agency.get("name"))

    def rank(candidate: Candidate) -> tuple:
        outcome, _ = candidate.report_outcome()
        fetched = outcome is not None and outcome.error is None and outcome.document_id is not None
        return (fetched, bool(name) and name in normalize(candidate.title), candidate.strong, -candidate.order)

    return max(candidates, key=rank)


# Portal states in which the crawl could not see the column's contents.
UNREADABLE_PORTAL = ("list_unreachable", "robots_disallowed", "column_not_found")


def portal_health(state: AgencyLedger) -> tuple[str, str]:
    """(status, detail in Chinese) of the agency's portal in this crawl."""
    notes = []
    entry_url = state.agency["url"]
    if not state.finished:
        notes.append("抓取未完成（运行被中断）")
    if state.robots_refused:
        notes.append("robots.txt 禁止抓取：" + "、".join(state.robots_refused[:5]))
    if state.offsite:
        notes.append("未跟踪的外部网站链接或跳转：" + "、".join(url for url, _ in state.offsite[:5]))
    page_errors = [(url, error) for url, error in state.list_errors if url not in state.robots_refused]
    if page_errors:
        notes.append("页面无法访问：" + "、".join(f"{url}（{error}）" for url, error in page_errors[:5]))
    failures = state.failures()
    if failures:
        notes.append("年报链接或附件无法获取：" + "、".join(f"{url}（{error}）" for url, error in failures[:5]))
    if not state.finished:
        status = "list_unreachable"  # some of its pages were never read
    elif not state.column_found:
        if entry_url in state.robots_refused or (state.robots_refused and not page_errors):
            status = "robots_disallowed"
        elif state.entry_error:
            status = "list_unreachable"
            notes.insert(0, f"登记的网址 {entry_url} 无法访问")
        else:
            status = "column_not_found"
            notes.insert(0, f"在 {entry_url} 及其下 {state.pages_fetched} 个页面中未找到“政府信息公开年报”栏目")
    elif not state.report_links:
        status = "no_reports"
        notes.insert(0, "栏目中没有任何年报链接")
    elif state.robots_refused:
        status = "robots_disallowed"
    elif page_errors:
        status = "list_unreachable"
    elif state.offsite:
        status = "offsite"
    else:
        status = "ok"
    return status, "；".join(notes)


def settle(
    store: Store,
    state: AgencyLedger,
    summary: CrawlSummary,
    *,
    year: int,
    years: list[int],
    as_of: date,
    config: Config,
    run_id: int,
    cache: ReportCache,
) -> None:
    """Store, audit and judge one agency's crawl; record everything in ``summary``."""
    agency = state.agency
    for url, error in state.failures():
        summary.failures.append({"agency_id": agency["id"], "url": url, "error": error})
    for fetched_year in sorted(years):  # earlier years first: YR rules compare with the year before
        candidate = choose_candidate(state, fetched_year)
        outcome, report_url = candidate.report_outcome() if candidate else (None, None)
        if outcome is not None and outcome.error is None and outcome.document_id is not None:
            if fetched_year == year:
                summary.reports_found += 1
            _store_and_audit(store, agency, candidate, outcome, report_url, fetched_year, summary, as_of, config, run_id, cache)
            continue
        if fetched_year != year:
            continue
        fetch_error = None
        if candidate is not None:
            fetch_error = (outcome.error if outcome else None) or "年报页面已找到，但未能取得年报正文或附件"
            fetch_error = f"{report_url or candidate.url}：{fetch_error}"
        if store.report(agency["id"], year) is not None:
            continue  # an earlier crawl stored it; this crawl's trouble shows in the health record
        summary.missing.append(agency["id"])
        if not state.finished:
            continue  # interrupted before its lists were read: absence proves nothing (no PUB-001)
        if candidate is None and portal_health(state)[0] in UNREADABLE_PORTAL:
            # We could not read the column, so we cannot say the report is
            # missing: the portal's health record says what went wrong.
            continue
        try:
            findings, counts = audit_missing_report(
                store, agency, year, config=config, as_of=as_of, run_id=run_id, fetch_error=fetch_error
            )
        except Exception as exc:  # noqa: BLE001 - one agency's audit must not stop the others
            logger.exception("审核 %s 时出错", agency["id"])
            summary.errors.append(f"审核 {agency['id']} 时出错：{exc}")
            continue
        summary.add_findings(findings, counts)
    status, detail = portal_health(state)
    store.record_health(run_id=run_id, agency_id=agency["id"], status=status, detail=detail, reports_found=len(state.report_links))
    summary.health.append(
        {"agency_id": agency["id"], "name": agency["name"], "status": status, "detail": detail, "reports_found": len(state.report_links)}
    )


def _store_and_audit(store, agency, candidate, outcome, report_url, year, summary, as_of, config, run_id, cache) -> None:
    existing = store.report(agency["id"], year)
    document = store.document(outcome.document_id)
    try:
        text = cache.get(document).body_text
    except Exception as exc:  # noqa: BLE001 - a reader crash is a finding's business, not the crawl's
        logger.exception("读取 %s 时出错", report_url)
        summary.errors.append(f"读取 {report_url} 时出错：{exc}")
        text = None
    store.set_report(
        agency_id=agency["id"], year=year, document_id=outcome.document_id, title=candidate.title, url=report_url,
        published=candidate.published, published_source=candidate.published_source, text=text,
    )
    if existing is None:
        summary.reports_new += 1
    elif existing["document_id"] != outcome.document_id:
        summary.reports_changed += 1
    else:
        summary.reports_unchanged += 1
        return  # nothing new to audit
    try:
        findings, counts = audit_stored_report(store, agency, year, config=config, run_id=run_id, cache=cache, as_of=as_of)
    except Exception as exc:  # noqa: BLE001
        logger.exception("审核 %s 时出错", report_url)
        summary.errors.append(f"审核 {agency['id']} {year} 年度年报时出错：{exc}")
        return
    summary.add_findings(findings, counts)
