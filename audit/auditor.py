"""Audit parsed reports: build each report's context and run the rules.

Several reports of one agency are audited as a series, so each sees the
others as its history (YR-001/002/003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from audit.config import Config
from audit.engine import AuditContext, Finding, run_rules
from audit.model import Report

_TOWNSHIP = re.compile(r"(街道办事处|街道|镇人民政府|乡人民政府|镇政府|乡政府|苏木人民政府)$")
_GOVERNMENT = re.compile(r"(人民政府|实验区|新区|开发区|高新区|管理委员会|管委会)$")


def infer_agency_type(name: str | None) -> str | None:
    """Guess the agency type from its name; None when there is no name."""
    if not name:
        return None
    if _TOWNSHIP.search(name):
        return "township"
    if _GOVERNMENT.search(name) and not re.search(r"(办公室|局|委员会|委|办)人民政府$", name):
        return "government"
    return "department"


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text)


@dataclass
class AuditOptions:
    published: date | None = None
    agency_type: str | None = None
    agency: str | None = None
    region: str | None = None
    as_of: date | None = None
    config: Config = field(default_factory=Config)


@dataclass
class AuditResult:
    report: Report
    context: AuditContext
    findings: list[Finding]

    def to_dict(self) -> dict:
        return {
            "source": self.report.source,
            "agency": self.context.agency_name,
            "year": self.context.year,
            "findings": [f.to_dict() for f in self.findings],
        }

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def build_context(report: Report, options: AuditOptions, history: list[Report]) -> AuditContext:
    name = options.agency or report.agency
    agency_type = options.agency_type or infer_agency_type(name)
    published, source = options.published, "option" if options.published else None
    if published is None and report.published:
        published, source = parse_date(report.published), f"document:{report.published_source}"
    return AuditContext(
        report=report,
        agency=name,
        agency_name=name,
        agency_type=agency_type,
        agency_type_inferred=options.agency_type is None and agency_type is not None,
        region=options.region,
        year=report.year,
        published=published,
        published_source=source,
        as_of=options.as_of,
        history=history,
        config=options.config,
    )


def audit_reports(reports: list[Report], options: AuditOptions) -> list[AuditResult]:
    series: dict[str, list[Report]] = {}
    for report in reports:
        series.setdefault(options.agency or report.agency or report.source, []).append(report)
    results = []
    for report in reports:
        group = series[options.agency or report.agency or report.source]
        history = [other for other in group if other is not report]
        context = build_context(report, options, history)
        results.append(AuditResult(report, context, run_rules(context)))
    return results
