"""Audit what the store holds: one agency-year at a time, never the network.

Used after a crawl (for every new or changed report, and for the agencies
with none) and by ``nianbao reaudit`` (every stored report, e.g. after the
rules changed). Both go through ``Store.record_findings``, so findings move
through the same lifecycle whichever path produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from audit.auditor import parse_date
from audit.config import Config
from audit.engine import AuditContext, Finding, run_rules
from audit.interpret import parse_bytes
from audit.model import Report
from audit.store import Store


@dataclass
class ReportCache:
    """Parsed reports by content hash: a document is read once per run."""

    store: Store
    parsed: dict[str, Report] = field(default_factory=dict)

    def get(self, document: dict) -> Report:
        key = document["content_hash"] or f"error:{document['id']}"
        if key not in self.parsed:
            if document["content_hash"] is None:
                self.parsed[key] = Report(source=document["url"], readable=False)
            else:
                data = self.store.content(document["content_hash"])
                self.parsed[key] = parse_bytes(data, document["final_url"] or document["url"], document["url"])
        return self.parsed[key]


def audit_stored_report(
    store: Store,
    agency: dict,
    year: int,
    *,
    config: Config,
    run_id: int | None = None,
    crawl: bool = True,
    cache: ReportCache | None = None,
    as_of: date | None = None,
) -> tuple[list[Finding], dict[str, int]]:
    """Audit the agency's current stored report on ``year`` and record its findings."""
    cache = cache or ReportCache(store)
    row = store.report(agency["id"], year)
    if row is None:
        raise LookupError(f"no stored report for {agency['id']} {year}")
    document = store.document(row["document_id"])
    report = cache.get(document)
    if report.year is None:
        report.year = year  # the crawler classified it as this year's report
    history = []
    for other in store.reports(agency_id=agency["id"]):
        if other["year"] != year:
            parsed = cache.get(store.document(other["document_id"]))
            parsed.year = parsed.year or other["year"]
            history.append(parsed)
    context = AuditContext(
        report=report,
        agency=agency["id"],
        agency_name=agency["name"],
        agency_type=agency["type"],
        region=agency.get("region"),
        year=year,
        published=parse_date(row["published"]) or parse_date(report.published),
        published_source=row["published_source"] or (f"document:{report.published_source}" if report.published else None),
        as_of=as_of,
        history=history,
        content_changed=store.report_changed(row),
        first_seen=row["first_seen"],
        fetch_error=document["error"],
        config=config,
    )
    findings = run_rules(context)
    counts = store.record_findings(
        agency_id=agency["id"], year=year, findings=findings, report_id=row["id"], source_url=row["url"], run_id=run_id, crawl=crawl
    )
    return findings, counts


def audit_missing_report(
    store: Store,
    agency: dict,
    year: int,
    *,
    config: Config,
    as_of: date,
    run_id: int | None = None,
    fetch_error: str | None = None,
    crawl: bool = True,
) -> tuple[list[Finding], dict[str, int]]:
    """An agency with no report for ``year``: PUB-001 once the deadline passed,
    PUB-005 when a report link was found but could not be fetched."""
    context = AuditContext(
        report=None,
        agency=agency["id"],
        agency_name=agency["name"],
        agency_type=agency["type"],
        region=agency.get("region"),
        year=year,
        as_of=as_of,
        fetch_error=fetch_error,
        config=config,
    )
    findings = run_rules(context)
    counts = store.record_findings(agency_id=agency["id"], year=year, findings=findings, run_id=run_id, crawl=crawl)
    return findings, counts


def reaudit(store: Store, *, config: Config, year: int | None = None, agency_id: str | None = None) -> dict[str, int]:
    """Re-read every stored report (optionally of one year or agency) and re-run
    the rules, updating findings through the lifecycle. No network."""
    cache = ReportCache(store)
    totals = {"reports": 0, "new": 0, "reopened": 0, "resolved": 0, "open": 0}
    agencies = {a["id"]: a for a in store.agencies()}
    run_id = store.start_run("reaudit", year)
    for row in store.reports(year=year, agency_id=agency_id):
        _, counts = audit_stored_report(store, agencies[row["agency_id"]], row["year"], config=config, run_id=run_id, crawl=False, cache=cache)
        totals["reports"] += 1
        for key, value in counts.items():
            totals[key] += value
    store.finish_run(run_id, totals)
    return totals
