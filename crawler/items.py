"""Items the spider yields: one fetched (or failed) document for the store."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedDocument:
    """A report page, report file or attachment as fetched, or the error that prevented it.

    ``candidate_url`` ties it to the report link it belongs to; ``role`` is
    "report" (the page or file the link points to) or "attachment".
    """

    agency_id: str
    url: str
    candidate_url: str
    role: str
    content: bytes | None = None
    final_url: str | None = None
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    title: str | None = None
    list_url: str | None = None
    published: str | None = None
    published_source: str | None = None
    error: str | None = None
    how: str = "fetched"  # fetched | revalidated | skipped
    is_html: bool = False
