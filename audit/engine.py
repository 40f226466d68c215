"""The rule engine: rules register here; ``run_rules`` applies them.

A rule is a pure function of an ``AuditContext`` that yields ``Finding``s.
Its code, severity and title are declared with ``@rule`` and its docstring
says what it checks and why; ``nianbao rules`` and docs/rules.md are made
from that metadata alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.config import Config
from audit.model import Report

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    location: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
        }


@dataclass
class AuditContext:
    """Everything a rule may look at. Nothing here touches the network."""

    report: Report | None
    agency: str | None = None  # registry id or name: the fingerprint's identity
    agency_name: str | None = None
    agency_type: str | None = None  # department | government | township
    agency_type_inferred: bool = False
    region: str | None = None
    year: int | None = None
    published: date | None = None
    published_source: str | None = None  # "option", "document", "portal"
    as_of: date | None = None
    history: list[Report] = field(default_factory=list)  # the agency's other reports
    content_changed: bool = False  # PUB-004: differs from the version first seen
    first_seen: str | None = None
    fetch_error: str | None = None  # PUB-005 from the crawler
    config: Config = field(default_factory=Config)

    def previous(self) -> Report | None:
        """The agency's report on the year before this one, if known."""
        if self.year is None:
            return None
        for other in self.history:
            if other.year == self.year - 1 and other.readable:
                return other
        return None


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    check: Callable[[AuditContext], Iterable[Finding]]
    applies: str = "report"  # "report": needs a report; "agency": only without one; "any"

    @property
    def family(self) -> str:
        return self.code.split("-")[0]

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


REGISTRY: dict[str, Rule] = {}


def rule(code: str, severity: str, title: str, applies: str = "report"):
    """Register a rule function under its catalogue code."""
    assert severity in SEVERITIES, severity
    assert applies in ("report", "agency", "any"), applies

    def register(function: Callable[[AuditContext], Iterable[Finding]]):
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code, severity, title, function, applies)
        function.code = code  # type: ignore[attr-defined]
        return function

    return register


def finding(code: str, message: str, location: dict | None = None, **evidence: Any) -> Finding:
    """A finding of rule ``code``; its severity is the rule's."""
    return Finding(code, REGISTRY[code].severity, message, location or {}, evidence)


def fingerprint(rule_code: str, agency: str, year: int | None, location: dict) -> str:
    """Stable identity of a problem: rule + agency + year + location.

    Not the message (wording may improve) and not the run time.
    """
    key = json.dumps([rule_code, agency, year, location], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def all_rules() -> list[Rule]:
    import rules  # noqa: F401 - importing the package registers every rule

    return sorted(REGISTRY.values(), key=lambda r: r.code)


def _order(item: Finding) -> tuple:
    return (SEVERITIES.index(item.severity), item.rule, json.dumps(item.location, ensure_ascii=False, sort_keys=True))


def run_rules(context: AuditContext) -> list[Finding]:
    """Apply every rule to one report (or, without a report, the agency rules)."""
    results: list[Finding] = []
    identity = context.agency or (context.report.agency if context.report else None) or (
        context.report.source if context.report else "?"
    )
    for entry in all_rules():
        if entry.applies != "any" and (entry.applies == "report") != (context.report is not None):
            continue
        for item in _unique(entry.check(context)):
            item.fingerprint = fingerprint(item.rule, identity, context.year, item.location)
            results.append(item)
    return sorted(results, key=_order)


def _unique(items: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[str] = set()
    for item in items:
        key = json.dumps([item.rule, item.location], ensure_ascii=False, sort_keys=True)
        if key not in seen:
            seen.add(key)
            yield item
