"""What the crawl saw, per agency: the bookkeeping the spider writes and
``crawler.run`` reads once the reactor has stopped.

The spider records every report link it found (a ``Candidate``), what became
of each fetch (an ``Outcome``: a stored document or an error), and the
portal's health signals (column found or not, list pages unreachable,
robots.txt refusals, off-site links and redirects). Nothing here touches the
network or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    url: str
    document_id: int | None = None
    changed: bool = False  # a new version (or the first) was stored
    first_version: bool = False
    error: str | None = None
    status: int | None = None
    size: int | None = None
    how: str = "fetched"  # fetched | revalidated (304) | skipped (stored copy reused)
    is_html: bool = False


@dataclass
class Candidate:
    """A link classified as the annual report of ``year``."""

    agency_id: str
    year: int
    title: str
    url: str
    list_url: str
    list_date: str | None
    strong: bool
    order: int  # position in the crawl's discovery order (lists are newest first)
    page: Outcome | None = None
    published: str | None = None
    published_source: str | None = None
    page_title: str | None = None
    attachment_is_report: bool = False  # the page body is only a link to the file
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # (url, text, extension), best first
    attachment_outcomes: dict[str, Outcome] = field(default_factory=dict)

    def report_outcome(self) -> tuple[Outcome | None, str | None]:
        """(the outcome that is the report, its URL) — the attachment when the page only links to it."""
        if self.page is None:
            return None, None
        if self.page.error or not self.attachment_is_report:
            return self.page, self.url
        fetched = [self.attachment_outcomes.get(url) for url, _, _ in self.attachments]
        good = [o for o in fetched if o is not None and o.error is None and o.document_id is not None]
        if good:
            return good[0], good[0].url
        failed = [o for o in fetched if o is not None]
        if failed:
            return failed[0], failed[0].url
        return None, None


@dataclass
class AgencyLedger:
    agency: dict
    hosts: set[str]
    pending: int = 0
    finished: bool = False
    column_found: bool = False
    entry_error: str | None = None
    pages_fetched: int = 0
    list_errors: list[tuple[str, str]] = field(default_factory=list)
    robots_refused: list[str] = field(default_factory=list)
    offsite: list[tuple[str, str]] = field(default_factory=list)  # (url, where it was met)
    lookalikes: list[tuple[str, str]] = field(default_factory=list)  # (title, reason) skipped
    candidates: dict[str, Candidate] = field(default_factory=dict)  # by report link URL (wanted years)
    report_links: set[str] = field(default_factory=set)  # every annual-report link seen, any year
    seen_urls: set[str] = field(default_factory=set)
    list_pages: int = 0

    @property
    def agency_id(self) -> str:
        return self.agency["id"]

    def failures(self) -> list[tuple[str, str]]:
        """(url, error) of every report page or attachment that could not be fetched."""
        found = []
        for candidate in self.candidates.values():
            if candidate.page and candidate.page.error:
                found.append((candidate.url, candidate.page.error))
            for outcome in candidate.attachment_outcomes.values():
                if outcome.error:
                    found.append((outcome.url, outcome.error))
        return found


@dataclass
class Ledger:
    agencies: dict[str, AgencyLedger] = field(default_factory=dict)
    order: int = 0

    def next_order(self) -> int:
        self.order += 1
        return self.order
