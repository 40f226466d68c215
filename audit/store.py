"""The store: the only module that writes SQL.

One SQLite file (WAL mode, foreign keys on) holds the agency registry, crawl
runs, every fetched version of every document (bytes content-addressed in
``blobs``), the current report per agency and year, findings with their
lifecycle and history, reviewers' decisions, and digests sent. The schema
evolves through sqlite-utils migrations; never edit an applied migration,
add a new one.

Finding lifecycle, keyed by fingerprint within one scope (agency, year):

    new ──(seen again by a later crawl)──► open
    new/open/reopened ──(a later audit of the scope no longer finds it)──► resolved
    resolved ──(found again)──► reopened ──(seen again by a later crawl)──► open

Reviews (dismissed / confirmed, with note and name) live in their own table
and are never touched by an audit, so a reviewer's word survives every
re-audit and re-crawl. Every transition is written to ``finding_events``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from audit.engine import Finding

BUSY_TIMEOUT_SECONDS = 30

migrations = Migrations("nianbao")


@migrations()
def m001_initial(db: Database) -> None:
    db["agencies"].create(
        {"id": str, "name": str, "type": str, "region": str, "url": str, "supervisor_email": str, "updated_at": str},
        pk="id",
    )
    db["crawl_runs"].create(
        {"id": int, "kind": str, "year": int, "as_of": str, "started_at": str, "finished_at": str, "status": str, "stats": str},
        pk="id",
    )
    db["blobs"].create({"hash": str, "size": int, "content": bytes}, pk="hash")
    db["documents"].create(
        {
            "id": int,
            "agency_id": str,
            "url": str,
            "final_url": str,
            "http_status": int,
            "headers": str,
            "content_hash": str,
            "size": int,
            "content_type": str,
            "title": str,
            "list_url": str,
            "published": str,
            "published_source": str,
            "error": str,
            "first_seen": str,
            "last_seen": str,
            "run_id": int,
        },
        pk="id",
        foreign_keys=[("agency_id", "agencies", "id"), ("content_hash", "blobs", "hash"), ("run_id", "crawl_runs", "id")],
    )
    db["reports"].create(
        {
            "id": int,
            "agency_id": str,
            "year": int,
            "document_id": int,
            "first_document_id": int,
            "title": str,
            "url": str,
            "published": str,
            "published_source": str,
            "text": str,
            "first_seen": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("agency_id", "agencies", "id"), ("document_id", "documents", "id"), ("first_document_id", "documents", "id")],
    )
    db["findings"].create(
        {
            "fingerprint": str,
            "agency_id": str,
            "year": int,
            "report_id": int,
            "rule": str,
            "severity": str,
            "message": str,
            "location": str,
            "evidence": str,
            "source_url": str,
            "status": str,
            "first_seen": str,
            "last_seen": str,
            "resolved_at": str,
            "first_run_id": int,
            "last_run_id": int,
        },
        pk="fingerprint",
        foreign_keys=[("agency_id", "agencies", "id"), ("report_id", "reports", "id")],
    )
    db["finding_events"].create(
        {"id": int, "fingerprint": str, "at": str, "event": str, "run_id": int, "detail": str},
        pk="id",
        foreign_keys=[("fingerprint", "findings", "fingerprint")],
    )
    db["reviews"].create(
        {"id": int, "fingerprint": str, "decision": str, "note": str, "reviewer": str, "at": str},
        pk="id",
        foreign_keys=[("fingerprint", "findings", "fingerprint")],
    )
    db["digests"].create(
        {
            "id": int,
            "recipient": str,
            "period_start": str,
            "period_end": str,
            "subject": str,
            "status": str,
            "created_at": str,
            "sent_at": str,
            "attempts": int,
            "error": str,
            "message_path": str,
        },
        pk="id",
    )


@migrations()
def m002_indexes_and_search(db: Database) -> None:
    db["documents"].create_index(["url", "id"])
    db["documents"].create_index(["agency_id"])
    db["reports"].create_index(["agency_id", "year"], unique=True)
    db["findings"].create_index(["agency_id", "year"])
    db["findings"].create_index(["status", "severity"])
    db["findings"].create_index(["rule"])
    db["finding_events"].create_index(["fingerprint"])
    db["reviews"].create_index(["fingerprint", "id"])
    db["digests"].create_index(["recipient", "period_end"], unique=True)
    db["findings"].enable_fts(["message"], create_triggers=True, tokenize="trigram")
    db["reports"].enable_fts(["title", "text"], create_triggers=True, tokenize="trigram")


@migrations()
def m003_portal_health(db: Database) -> None:
    db["portal_health"].create(
        {
            "id": int,
            "run_id": int,
            "agency_id": str,
            "status": str,  # ok | column_not_found | list_unreachable | no_reports | robots_disallowed | offsite
            "detail": str,
            "reports_found": int,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id"), ("agency_id", "agencies", "id")],
    )
    db["portal_health"].create_index(["agency_id", "id"])


@migrations()
def m004_finding_list_view(db: Database) -> None:
    """The review screen of ``nianbao serve``: one row per finding, in the screen's words."""
    db.create_view(
        "finding_list",
        """
select
  a.name as 机关,
  a.region as 地区,
  case a.type when 'department' then '部门' when 'government' then '政府' when 'township' then '乡镇街道' else a.type end as 类型,
  f.year as 年度,
  f.rule as 规则,
  case f.severity when 'error' then '错误' when 'warning' then '警告' when 'info' then '提示' else f.severity end as 级别,
  case f.status when 'new' then '新发现' when 'open' then '未整改' when 'resolved' then '已解决' when 'reopened' then '再次出现' else f.status end as 状态,
  coalesce(case rv.decision when 'dismissed' then '驳回' when 'confirmed' then '确认' else rv.decision end, '未复核') as 复核,
  f.message as 问题描述,
  rv.note as 复核意见,
  rv.reviewer as 复核人,
  f.source_url as 来源链接,
  f.report_id as 年报,
  r.published as 发布日期,
  date(f.first_seen, '+8 hours') as 首次发现,
  date(f.last_seen, '+8 hours') as 最近发现,
  date(f.resolved_at, '+8 hours') as 解决日期,
  f.agency_id as 机关编号,
  f.fingerprint as 指纹,
  f.rowid as 编号
from findings f
left join agencies a on a.id = f.agency_id
left join reports r on r.id = f.report_id
left join reviews rv on rv.id = (select max(id) from reviews where reviews.fingerprint = f.fingerprint)
""",
    )


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class StoredDocument:
    id: int
    content_hash: str | None
    changed: bool  # a new version (or the first) of this URL's content
    first_version: bool


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are only the explicit ones below.
        connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        self.db = Database(connection)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        self.db.execute("PRAGMA journal_mode = WAL")
        # WAL with synchronous=NORMAL (SQLite's advice for WAL) syncs at checkpoints,
        # not at every commit: a crawl stores a document per response, and a sync
        # each time cost three times the write itself. A commit still survives the
        # process dying; only a power cut can lose the last few, never corrupt.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        with self.write():  # two processes opening a new database migrate one after the other
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

        Under WAL a deferred transaction that reads and then writes cannot wait
        for the lock another process holds: it fails at once with "database is
        locked". An immediate one waits up to the busy timeout instead, so a
        crawl and a reviewer can write at the same time. Nested calls join the
        outer transaction.
        """
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ agencies
    def upsert_agencies(self, agencies: Iterable[dict], now: str | None = None) -> None:
        now = now or utcnow()
        with self.write():
            for agency in agencies:
                row = {k: agency.get(k) for k in ("id", "name", "type", "region", "url", "supervisor_email")}
                self.db["agencies"].upsert({**row, "updated_at": now}, pk="id")

    def agencies(self) -> list[dict]:
        return list(self.db["agencies"].rows_where(order_by="id"))

    def agency(self, agency_id: str) -> dict | None:
        rows = list(self.db["agencies"].rows_where("id = ?", [agency_id]))
        return rows[0] if rows else None

    # ------------------------------------------------------------ runs
    def start_run(self, kind: str, year: int | None = None, as_of: str | None = None, now: str | None = None) -> int:
        with self.write():
            return self.db["crawl_runs"].insert(
                {"kind": kind, "year": year, "as_of": as_of, "started_at": now or utcnow(), "status": "running"}
            ).last_pk

    def finish_run(self, run_id: int, stats: dict, status: str = "finished", now: str | None = None) -> None:
        with self.write():
            self.db["crawl_runs"].update(
                run_id, {"finished_at": now or utcnow(), "status": status, "stats": json.dumps(stats, ensure_ascii=False)}
            )

    def record_health(
        self, *, run_id: int | None, agency_id: str, status: str, detail: str = "", reports_found: int = 0, now: str | None = None
    ) -> None:
        """How an agency's portal behaved in a crawl (kept per run, so a broken URL shows the first night)."""
        with self.write():
            self.db["portal_health"].insert(
                {"run_id": run_id, "agency_id": agency_id, "status": status, "detail": detail, "reports_found": reports_found, "at": now or utcnow()}
            )

    def health(self, run_id: int) -> list[dict]:
        return list(self.db["portal_health"].rows_where("run_id = ?", [run_id], order_by="agency_id"))

    # ------------------------------------------------------------ documents
    def latest_document(self, url: str) -> dict | None:
        rows = list(self.db.query("select * from documents where url = ? order by id desc limit 1", [url]))
        return rows[0] if rows else None

    def store_document(
        self,
        *,
        agency_id: str,
        url: str,
        content: bytes | None,
        run_id: int | None = None,
        final_url: str | None = None,
        http_status: int | None = None,
        headers: dict | None = None,
        content_type: str | None = None,
        title: str | None = None,
        list_url: str | None = None,
        published: str | None = None,
        published_source: str | None = None,
        error: str | None = None,
        now: str | None = None,
    ) -> StoredDocument:
        """Record one fetch. Unchanged content only refreshes ``last_seen``:
        every distinct version is kept once, nothing is duplicated."""
        now = now or utcnow()
        digest = hashlib.sha256(content).hexdigest() if content is not None else None
        with self.write():
            previous = self.latest_document(url)
            if previous is not None and previous["content_hash"] == digest and previous["error"] == error:
                self.db.conn.execute(
                    "UPDATE documents SET last_seen = ?, run_id = ? WHERE id = ?", (now, run_id or previous["run_id"], previous["id"])
                )
                return StoredDocument(previous["id"], digest, changed=False, first_version=False)
            if content is not None and not self.db.execute("select 1 from blobs where hash = ?", [digest]).fetchone():
                self._insert("blobs", {"hash": digest, "size": len(content), "content": content})
            document_id = self._insert(
                "documents",
                {
                    "agency_id": agency_id,
                    "url": url,
                    "final_url": final_url or url,
                    "http_status": http_status,
                    "headers": json.dumps(headers or {}, ensure_ascii=False),
                    "content_hash": digest,
                    "size": len(content) if content is not None else None,
                    "content_type": content_type,
                    "title": title,
                    "list_url": list_url,
                    "published": published,
                    "published_source": published_source,
                    "error": error,
                    "first_seen": now,
                    "last_seen": now,
                    "run_id": run_id,
                },
            )
        return StoredDocument(document_id, digest, changed=True, first_version=previous is None)

    def _insert(self, table: str, row: dict) -> int:
        """Insert one row with plain SQL; its rowid. On the per-fetch path: sqlite-utils'
        ``insert`` reads the table's schema first, about ten statements per row."""
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        return self.db.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())).lastrowid

    def document(self, document_id: int) -> dict:
        return self.db["documents"].get(document_id)

    def content(self, content_hash: str) -> bytes:
        return self.db["blobs"].get(content_hash)["content"]

    # ------------------------------------------------------------ reports
    def set_report(
        self,
        *,
        agency_id: str,
        year: int,
        document_id: int,
        title: str | None,
        url: str | None,
        published: str | None,
        published_source: str | None,
        text: str | None,
        now: str | None = None,
    ) -> int:
        """Make ``document_id`` the current version of the agency's report on ``year``."""
        now = now or utcnow()
        with self.write():
            existing = list(self.db["reports"].rows_where("agency_id = ? and year = ?", [agency_id, year]))
            values = {
                "document_id": document_id,
                "title": title,
                "url": url,
                "published": published,
                "published_source": published_source,
                "text": text,
                "updated_at": now,
            }
            if existing:
                report = existing[0]
                if report["published"] and not published:
                    values["published"], values["published_source"] = report["published"], report["published_source"]
                self.db["reports"].update(report["id"], values)
                return report["id"]
            return self.db["reports"].insert(
                {"agency_id": agency_id, "year": year, "first_document_id": document_id, "first_seen": now, **values}
            ).last_pk

    def report(self, agency_id: str, year: int) -> dict | None:
        rows = list(self.db["reports"].rows_where("agency_id = ? and year = ?", [agency_id, year]))
        return rows[0] if rows else None

    def reports(self, year: int | None = None, agency_id: str | None = None) -> list[dict]:
        where, params = _where({"year": year, "agency_id": agency_id})
        return list(self.db.query(f"select * from reports {where} order by agency_id, year", params))

    def report_changed(self, report: dict) -> bool:
        """PUB-004: the current version's content differs from the first seen."""
        if report["document_id"] == report["first_document_id"]:
            return False
        first = self.document(report["first_document_id"])
        current = self.document(report["document_id"])
        return first["content_hash"] != current["content_hash"]

    # ------------------------------------------------------------ findings
    def record_findings(
        self,
        *,
        agency_id: str,
        year: int,
        findings: list[Finding],
        report_id: int | None = None,
        source_url: str | None = None,
        run_id: int | None = None,
        crawl: bool = True,
        now: str | None = None,
    ) -> dict[str, int]:
        """Apply the lifecycle to the complete set of findings of one scope
        (agency, year). Returns counts of new, reopened, resolved and open."""
        now = now or utcnow()
        counts = {"new": 0, "reopened": 0, "resolved": 0, "open": 0}
        seen = {f.fingerprint for f in findings}
        with self.write():
            current = {
                row["fingerprint"]: row
                for row in self.db["findings"].rows_where("agency_id = ? and year = ?", [agency_id, year])
            }
            for item in findings:
                values = {
                    "agency_id": agency_id,
                    "year": year,
                    "report_id": report_id,
                    "rule": item.rule,
                    "severity": item.severity,
                    "message": item.message,
                    "location": json.dumps(item.location, ensure_ascii=False, sort_keys=True),
                    "evidence": json.dumps(item.evidence, ensure_ascii=False, sort_keys=True, default=str),
                    "source_url": source_url,
                    "last_seen": now,
                }
                if crawl:
                    values["last_run_id"] = run_id
                row = current.get(item.fingerprint)
                if row is None:
                    self.db["findings"].insert(
                        {"fingerprint": item.fingerprint, **values, "status": "new", "first_seen": now, "first_run_id": run_id}
                    )
                    self._event(item.fingerprint, "new", run_id, now)
                    counts["new"] += 1
                    continue
                status = row["status"]
                if status == "resolved":
                    status = "reopened"
                    self._event(item.fingerprint, "reopened", run_id, now)
                    counts["reopened"] += 1
                elif status in ("new", "reopened") and crawl and run_id is not None and run_id != row["last_run_id"]:
                    status = "open"  # still there at a later crawl
                    self._event(item.fingerprint, "open", run_id, now)
                if status in ("open", "new"):
                    counts["open"] += 1
                self.db["findings"].update(item.fingerprint, {**values, "status": status, "resolved_at": None if status != "resolved" else row["resolved_at"]})
            for fingerprint, row in current.items():
                if fingerprint in seen or row["status"] == "resolved":
                    continue
                self.db["findings"].update(fingerprint, {"status": "resolved", "resolved_at": now})
                self._event(fingerprint, "resolved", run_id, now)
                counts["resolved"] += 1
        return counts

    def _event(self, fingerprint: str, event: str, run_id: int | None, now: str, detail: str | None = None) -> None:
        self.db["finding_events"].insert({"fingerprint": fingerprint, "at": now, "event": event, "run_id": run_id, "detail": detail})

    def review(self, fingerprint: str, decision: str, note: str, reviewer: str, now: str | None = None) -> None:
        """A reviewer's decision ("dismissed" or "confirmed"); it outlives every re-audit."""
        if decision not in ("dismissed", "confirmed"):
            raise ValueError(f"unknown decision {decision!r}")
        now = now or utcnow()
        with self.write():
            if not self.db.execute("select 1 from findings where fingerprint = ?", [fingerprint]).fetchone():
                raise KeyError(fingerprint)
            self.db["reviews"].insert({"fingerprint": fingerprint, "decision": decision, "note": note, "reviewer": reviewer, "at": now})
            self._event(fingerprint, decision, None, now, detail=f"{reviewer}: {note}")

    def finding(self, fingerprint: str) -> dict | None:
        rows = self.findings(fingerprint=fingerprint)
        return rows[0] if rows else None

    def history(self, fingerprint: str) -> list[dict]:
        return list(self.db["finding_events"].rows_where("fingerprint = ?", [fingerprint], order_by="id"))

    def findings(
        self,
        *,
        year: int | None = None,
        region: str | None = None,
        agency_id: str | None = None,
        rule: str | None = None,
        severity: str | None = None,
        status: str | None = None,
        fingerprint: str | None = None,
    ) -> list[dict]:
        """Findings joined with their agency, report and latest review, for export and views."""
        where, params = _where(
            {
                "f.year": year,
                "a.region": region,
                "f.agency_id": agency_id,
                "f.rule": rule,
                "f.severity": severity,
                "f.status": status,
                "f.fingerprint": fingerprint,
            }
        )
        sql = f"""
            select f.*, a.name as agency_name, a.type as agency_type, a.region as region,
                   r.title as report_title, r.url as report_url, r.published as published,
                   rv.decision as review_decision, rv.note as review_note, rv.reviewer as reviewer, rv.at as reviewed_at
            from findings f
            left join agencies a on a.id = f.agency_id
            left join reports r on r.id = f.report_id
            left join reviews rv on rv.id = (select max(id) from reviews where fingerprint = f.fingerprint)
            {where}
            order by f.year, f.agency_id, case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, f.rule, f.fingerprint
        """
        rows = []
        for row in self.db.query(sql, params):
            row["location"] = json.loads(row["location"] or "{}")
            row["evidence"] = json.loads(row["evidence"] or "{}")
            rows.append(row)
        return rows


def _where(filters: dict[str, Any]) -> tuple[str, list]:
    clauses, params = [], []
    for column, value in filters.items():
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return ("where " + " and ".join(clauses)) if clauses else "", params


# ---- digests
# Store methods for supervisors' digests (audit/digest.py). Kept in one block
# at the end of the module so the digest work does not touch the rest.
DIGEST_DONE = ("sent", "written")  # delivered: by SMTP, or as an .eml in the outbox
DIGEST_UNSENT = ("pending", "failed")  # recorded, not yet delivered: retried on the next run


def _digest_last(self: Store, recipient: str) -> dict | None:
    """The recipient's latest delivered digest: the next one starts where it ended."""
    rows = list(
        self.db.query(
            "select * from digests where recipient = ? and status in (?, ?) order by period_end desc limit 1",
            [recipient, *DIGEST_DONE],
        )
    )
    return rows[0] if rows else None


def _digests_unsent(self: Store, recipient: str | None = None) -> list[dict]:
    where = "status in (?, ?)" + (" and recipient = ?" if recipient else "")
    params = [*DIGEST_UNSENT] + ([recipient] if recipient else [])
    return list(self.db["digests"].rows_where(where, params, order_by="id"))


def _digests(self: Store, recipient: str | None = None) -> list[dict]:
    where, params = _where({"recipient": recipient})
    return list(self.db.query(f"select * from digests {where} order by id", params))


def _record_digest(
    self: Store, *, recipient: str, period_start: str | None, period_end: str, subject: str, message_path: str, now: str | None = None
) -> int:
    """Record a digest before it is delivered (status pending). The unique
    (recipient, period_end) index makes a second record of one period fail."""
    with self.write():
        return self.db["digests"].insert(
            {
                "recipient": recipient,
                "period_start": period_start,
                "period_end": period_end,
                "subject": subject,
                "status": "pending",
                "created_at": now or utcnow(),
                "attempts": 0,
                "message_path": message_path,
            }
        ).last_pk


def _digest_delivered(self: Store, digest_id: int, status: str = "sent", now: str | None = None) -> None:
    if status not in DIGEST_DONE:
        raise ValueError(f"unknown delivery status {status!r}")
    with self.write():
        self.db.execute(
            "update digests set status = ?, sent_at = ?, attempts = attempts + 1, error = null where id = ?",
            [status, now or utcnow(), digest_id],
        )


def _digest_failed(self: Store, digest_id: int, error: str) -> None:
    with self.write():
        self.db.execute("update digests set status = 'failed', attempts = attempts + 1, error = ? where id = ?", [error, digest_id])


def _finding_events_between(self: Store, since: str | None, until: str, events: tuple[str, ...]) -> list[dict]:
    """Lifecycle events with ``since <= at < until`` (half-open, so an event
    written in the same second as a digest lands in exactly one digest)."""
    marks = ", ".join("?" for _ in events)
    clauses = [f"event in ({marks})", "at < ?"]
    params: list = [*events, until]
    if since:
        clauses.append("at >= ?")
        params.append(since)
    return list(self.db.query(f"select * from finding_events where {' and '.join(clauses)} order by id", params))


Store.last_digest = _digest_last
Store.unsent_digests = _digests_unsent
Store.digests = _digests
Store.record_digest = _record_digest
Store.digest_delivered = _digest_delivered
Store.digest_failed = _digest_failed
Store.finding_events_between = _finding_events_between
