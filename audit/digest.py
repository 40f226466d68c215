"""Supervisors' email digests: what changed in their agencies since their last digest.

Recipients come from the registry's ``supervisor_email`` (stored with the
agencies; several addresses per agency separated by ``;``). Each address gets
its own digest, covering the half-open period from the end of its last
delivered digest to now: findings that appeared or came back, findings that
were fixed, and the standing list of agencies that have not published or
published late. The findings of the recipient's agencies ride along as the
same CSV that ``nianbao export`` writes.

Delivery is at-least-once made idempotent: a digest is recorded (pending) and
written to the outbox as an ``.eml`` before it is sent, marked sent after; a
failed send stays in the table and the same bytes are retried on the next
run, and no newer digest is built for that recipient until it went out.
Without ``[smtp]`` settings the ``.eml`` in the outbox is the delivery.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import smtplib
import socket
import ssl
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from jinja2 import Environment, PackageLoader, StrictUndefined

from audit.config import Config, ConfigError, load_config
from audit.engine import SEVERITIES, SEVERITY_LABELS
from audit.export import write_findings
from audit.store import Store

SUBJECT_PREFIX = "政府信息公开年报审核摘要"
MISSING, LATE = "PUB-001", "PUB-002"  # the standing list: not published / published late
DEFAULT_SENDER = "nianbao <nianbao@localhost>"
ADDRESS_SEPARATORS = re.compile(r"[;；,，\s]+")


# ------------------------------------------------------------ settings
@dataclass
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str | None
    password_env: str | None
    timeout: float

    def password(self) -> str | None:
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConfigError(f"[smtp] password_env：环境变量 {self.password_env} 未设置")
        return value


@dataclass
class DigestSettings:
    sender: str = DEFAULT_SENDER
    send_no_change: bool = False
    outbox: str | None = None
    timezone: str = "Asia/Shanghai"
    smtp: SmtpSettings | None = None

    @classmethod
    def from_config(cls, config: Config) -> "DigestSettings":
        digest = config.raw.get("digest", {})
        smtp = config.raw.get("smtp", {})
        if "password" in smtp:
            # Never read a password from a file that gets copied, committed and backed up.
            raise ConfigError("[smtp]：配置文件中不能写密码，请改用 password_env 指定存放密码的环境变量名")
        settings = cls(
            sender=smtp.get("from") or digest.get("from") or DEFAULT_SENDER,
            send_no_change=bool(digest.get("send_no_change", False)),
            outbox=digest.get("outbox"),
            timezone=config.raw.get("schedule", {}).get("timezone", "Asia/Shanghai"),
        )
        if smtp.get("host"):
            security = str(smtp.get("security", "starttls")).lower()
            if security not in ("starttls", "ssl", "none"):
                raise ConfigError(f"[smtp] security 应为 starttls、ssl 或 none，实际为 {security!r}")
            settings.smtp = SmtpSettings(
                host=smtp["host"],
                port=int(smtp.get("port", {"starttls": 587, "ssl": 465, "none": 25}[security])),
                security=security,
                username=smtp.get("username"),
                password_env=smtp.get("password_env"),
                timeout=float(smtp.get("timeout", 30)),
            )
        elif smtp:
            raise ConfigError("[smtp]：缺少 host（不发邮件时请删除整个 [smtp] 表，摘要会写入 outbox 文件夹）")
        return settings


# ------------------------------------------------------------ recipients
def split_addresses(text: str | None) -> list[str]:
    return [part for part in ADDRESS_SEPARATORS.split(text or "") if "@" in part]


def recipients(store: Store) -> dict[str, list[dict]]:
    """Address (lower case) -> the agencies it supervises, from the registry."""
    result: dict[str, list[dict]] = defaultdict(list)
    for agency in store.agencies():
        for address in dict.fromkeys(a.lower() for a in split_addresses(agency.get("supervisor_email"))):
            result[address].append(agency)
    return dict(sorted(result.items()))


# ------------------------------------------------------------ content
@dataclass
class AgencyGroup:
    agency_id: str
    name: str
    items: list[dict]


@dataclass
class DigestContent:
    recipient: str
    agencies: list[dict]
    period_start: str | None
    period_end: str
    standing: list[AgencyGroup]
    new: list[AgencyGroup]
    resolved: list[AgencyGroup]
    counts: dict[str, int]
    changed: bool
    rows: list[dict] = field(repr=False, default_factory=list)  # every finding of the agencies, for the CSV

    @property
    def subject(self) -> str:
        c = self.counts
        parts = []
        if c["missing"]:
            parts.append(f"{c['missing']}个单位未按期发布")
        if c["late"]:
            parts.append(f"{c['late']}个单位逾期发布")
        news = "、".join(f"{c[key]}项{label}" for key, label in (("error", "错误"), ("warning", "警告"), ("info", "提示")) if c[key])
        if news:
            parts.append("新增" + news)
        if c["resolved"]:
            parts.append(f"{c['resolved']}项已解决")
        if not self.changed:
            parts.insert(0, "本期无变化")
        return f"{SUBJECT_PREFIX}：" + "，".join(parts)


def _severity_order(row: dict) -> tuple:
    return (SEVERITIES.index(row["severity"]), row["rule"], row.get("year") or 0, row["fingerprint"])


def _groups(rows: list[dict]) -> list[AgencyGroup]:
    by_agency: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_agency[row["agency_id"]].append(row)
    return [
        AgencyGroup(agency_id, items[0].get("agency_name") or agency_id, sorted(items, key=_severity_order))
        for agency_id, items in sorted(by_agency.items())
    ]


def build_digest(store: Store, recipient: str, agencies: list[dict], period_start: str | None, period_end: str) -> DigestContent:
    """What the recipient should read about ``agencies`` for [period_start, period_end)."""
    ids = {a["id"] for a in agencies}
    rows = [row for agency_id in sorted(ids) for row in store.findings(agency_id=agency_id)]
    by_fingerprint = {row["fingerprint"]: row for row in rows}
    live = {fp: row for fp, row in by_fingerprint.items() if row["review_decision"] != "dismissed"}
    appeared: dict[str, str] = {}
    fixed: set[str] = set()
    for event in store.finding_events_between(period_start, period_end, ("new", "reopened", "resolved")):
        if event["fingerprint"] not in live:
            continue
        if event["event"] == "resolved":
            fixed.add(event["fingerprint"])
        else:
            appeared[event["fingerprint"]] = event["event"]
    new_rows, resolved_rows, standing_rows = [], [], []
    for fingerprint, row in live.items():
        unresolved = row["status"] != "resolved"
        if unresolved and fingerprint in appeared:
            row = {**row, "reopened": appeared[fingerprint] == "reopened", "is_new": True}
            if row["rule"] not in (MISSING, LATE):
                new_rows.append(row)
        # Fixed only counts what the recipient could have heard of: seen before this period.
        elif not unresolved and fingerprint in fixed and period_start and row["first_seen"] < period_start:
            resolved_rows.append(row)
        if unresolved and row["rule"] in (MISSING, LATE):
            standing_rows.append({**row, "is_new": fingerprint in appeared})
    counts = {
        "missing": len({r["agency_id"] for r in standing_rows if r["rule"] == MISSING}),
        "late": len({r["agency_id"] for r in standing_rows if r["rule"] == LATE}),
        **{severity: sum(1 for r in new_rows if r["severity"] == severity) for severity in SEVERITIES},
        "resolved": len(resolved_rows),
        "agencies": len(ids),
    }
    changed = bool(new_rows or resolved_rows or any(r["is_new"] for r in standing_rows))
    return DigestContent(
        recipient=recipient,
        agencies=sorted(agencies, key=lambda a: a["id"]),
        period_start=period_start,
        period_end=period_end,
        standing=_groups(standing_rows),
        new=_groups(new_rows),
        resolved=_groups(resolved_rows),
        counts=counts,
        changed=changed,
        rows=rows,
    )


# ------------------------------------------------------------ rendering
def _local_time(timestamp: str | None, zone: ZoneInfo) -> str:
    if not timestamp:
        return ""
    return datetime.fromisoformat(timestamp).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _web_link(url: str | None) -> str | None:
    """Only http(s) links become links: a javascript: URL from a portal must not."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("audit", "templates"),
        # Titles and messages come from the internet: the HTML part is always escaped.
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["web_link"] = _web_link
    return env


def render_message(content: DigestContent, *, sender: str, timezone: str = "Asia/Shanghai") -> EmailMessage:
    """The digest as a multipart message: plain text and HTML alternatives, CSV attached."""
    zone = ZoneInfo(timezone)
    context = {
        "c": content,
        "severity_labels": SEVERITY_LABELS,
        "period_start": _local_time(content.period_start, zone),
        "period_end": _local_time(content.period_end, zone),
        "timezone": timezone,
    }
    env = _environment()
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = content.recipient
    message["Date"] = format_datetime(datetime.fromisoformat(content.period_end))
    key = hashlib.sha256(f"{content.recipient}\n{content.period_end}".encode()).hexdigest()[:24]
    message["Message-ID"] = f"<digest-{key}@nianbao>"  # the same period always has the same id
    message.set_content(env.get_template("digest.txt.j2").render(context))
    message.add_alternative(env.get_template("digest.html.j2").render(context), subtype="html")
    buffer = BytesIO()
    write_findings(content.rows, "csv", buffer)
    day = datetime.fromisoformat(content.period_end).astimezone(zone).strftime("%Y%m%d")
    message.add_attachment(
        buffer.getvalue(), maintype="text", subtype="csv", params={"charset": "utf-8"}, filename=f"nianbao-findings-{day}.csv"
    )
    return message


# ------------------------------------------------------------ delivery
@dataclass
class Outcome:
    recipient: str
    subject: str
    status: str  # sent | written | failed | planned | retry-planned
    path: str | None = None
    error: str | None = None
    attempts: int = 0


@dataclass
class DigestRun:
    outcomes: list[Outcome] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # a failed earlier digest still waits for them
    outbox: str = ""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def send_via_smtp(settings: SmtpSettings, sender: str, recipient: str, data: bytes) -> None:
    """Hand the message's exact bytes to the SMTP server (raises on any failure)."""
    context = ssl.create_default_context()
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password() or "")
        client.sendmail(parseaddr(sender)[1] or sender, [recipient], data)


def _file_name(recipient: str, period_end: str) -> str:
    stamp = datetime.fromisoformat(period_end).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9@._-]', '_', recipient)}.eml"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # a reader never sees half a message


@contextmanager
def _exclusive(store: Store):
    """One digest run per database at a time: the check for the last period and
    the record of the next must not interleave with another run's."""
    with open(f"{store.path}.digest-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _deliver(store: Store, row: dict, settings: DigestSettings, data: bytes | None = None) -> Outcome:
    path = Path(row["message_path"])
    outcome = Outcome(row["recipient"], row["subject"], "failed", str(path), attempts=(row["attempts"] or 0) + 1)
    try:
        data = data if data is not None else path.read_bytes()
        if settings.smtp is not None:
            send_via_smtp(settings.smtp, settings.sender, row["recipient"], data)
            outcome.status = "sent"
        else:
            outcome.status = "written"  # the .eml in the outbox is the delivery
    except (smtplib.SMTPException, OSError, socket.timeout, ConfigError) as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
        store.digest_failed(row["id"], outcome.error)
        return outcome
    store.digest_delivered(row["id"], outcome.status)
    return outcome


def _rebuild(store: Store, row: dict, people: dict[str, list[dict]], settings: DigestSettings) -> bytes:
    """The message of a digest recorded by a run that stopped before writing it."""
    content = build_digest(store, row["recipient"], people.get(row["recipient"], []), row["period_start"], row["period_end"])
    data = render_message(content, sender=settings.sender, timezone=settings.timezone).as_bytes(policy=policy.SMTP)
    _write_atomic(Path(row["message_path"]), data)
    return data


def run_digests(
    store: Store,
    config: Config,
    *,
    outbox: str | Path | None = None,
    only: tuple[str, ...] | list[str] = (),
    dry_run: bool = False,
    now: str | None = None,
) -> DigestRun:
    """Retry undelivered digests, then build, record and deliver new ones."""
    settings = DigestSettings.from_config(config)
    outbox = Path(outbox or settings.outbox or store.path.parent / "outbox")
    wanted = {address.lower() for address in only}
    people = recipients(store)
    result = DigestRun(outbox=str(outbox))
    blocked: set[str] = set()
    lock = _exclusive(store) if not dry_run else _nothing()
    with lock:
        now = now or _period_end()
        for row in store.unsent_digests():
            if wanted and row["recipient"] not in wanted:
                continue
            if dry_run:
                result.outcomes.append(Outcome(row["recipient"], row["subject"], "retry-planned", row["message_path"]))
                blocked.add(row["recipient"])
                continue
            data = None if Path(row["message_path"]).exists() else _rebuild(store, row, people, settings)
            outcome = _deliver(store, row, settings, data)
            result.outcomes.append(outcome)
            if outcome.status == "failed":
                blocked.add(row["recipient"])
        for address, agencies in people.items():
            if wanted and address not in wanted:
                continue
            if address in blocked:
                result.blocked.append(address)
                continue
            last = store.last_digest(address)
            start = last["period_end"] if last else None
            if start and start >= now:
                continue  # this period was digested already (a second run in the same second)
            content = build_digest(store, address, agencies, start, now)
            if not content.changed and not settings.send_no_change:
                result.unchanged.append(address)
                continue
            data = render_message(content, sender=settings.sender, timezone=settings.timezone).as_bytes(policy=policy.SMTP)
            path = outbox / _file_name(address, now)
            if dry_run:
                result.outcomes.append(Outcome(address, content.subject, "planned", str(path)))
                continue
            digest_id = store.record_digest(
                recipient=address, period_start=start, period_end=now, subject=content.subject, message_path=str(path)
            )
            _write_atomic(path, data)
            row = {"id": digest_id, "recipient": address, "subject": content.subject, "message_path": str(path), "attempts": 0}
            result.outcomes.append(_deliver(store, row, settings, data))
    return result


@contextmanager
def _nothing():
    yield


def _period_end() -> str:
    """The next whole second, once it has begun. Events carry whole seconds, so
    every event already written falls in this period ([start, end)) and every
    later one in the next, with none lost or repeated."""
    end = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    time.sleep(max(0.0, (end - datetime.now(timezone.utc)).total_seconds()))
    return end.isoformat(timespec="seconds")


# ------------------------------------------------------------ command
STATUS_TEXT = {
    "sent": "已发送",
    "written": "已写入",
    "failed": "发送失败",
    "planned": "将生成",
    "retry-planned": "将重试",
}


def describe(result: DigestRun, smtp: bool) -> list[str]:
    """Chinese lines saying what happened to each digest."""
    lines = []
    for o in result.outcomes:
        if o.status == "failed":
            lines.append(f"{STATUS_TEXT[o.status]}（第{o.attempts}次）：{o.recipient}　{o.subject}\n    原因：{o.error}；下次运行时自动重试")
        elif o.status == "written":
            lines.append(f"{STATUS_TEXT[o.status]}：{o.path}　（收件人 {o.recipient}）　{o.subject}")
        else:
            lines.append(f"{STATUS_TEXT[o.status]}：{o.recipient}　{o.subject}" + (f"\n    邮件副本：{o.path}" if o.path else ""))
    if result.blocked:
        lines.append(f"以下收件人有未送达的摘要，送达前不生成新摘要：{'、'.join(result.blocked)}")
    if result.unchanged:
        lines.append(f"本期无变化，未生成摘要：{len(result.unchanged)} 位收件人")
    if not result.outcomes and not result.unchanged and not result.blocked:
        lines.append("没有收件人：登记表中的机关均未填写 supervisor_email")
    where = "通过 SMTP 发送，副本保存在" if smtp else "未配置 [smtp]，摘要以 .eml 文件写入"
    lines.append(f"{where} {result.outbox}")
    return lines


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="var/nianbao.db", show_default=True)
@click.option("--dry-run", is_flag=True, help="只列出将要生成的摘要，不记录、不发送")
@click.option("--outbox", type=click.Path(file_okay=False), help="摘要 .eml 文件夹（默认：数据库所在文件夹下的 outbox）")
@click.option("--to", "only", multiple=True, help="只处理该收件人的摘要（可重复）")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="配置文件 nianbao.toml")
def digest(db_path, dry_run, outbox, only, config_path) -> None:
    """Build and send supervisors' digests (exit 1 when a send failed; it is retried next run)."""
    if not Path(db_path).exists():
        raise click.UsageError(f"数据库 {db_path} 不存在：请先运行 nianbao crawl 或 nianbao run")
    try:
        config = load_config(config_path)
        settings = DigestSettings.from_config(config)
        store = Store(db_path)
        known = recipients(store)
        for address in only:
            if address.lower() not in known:
                click.echo(f"注意：{address} 不是登记表中任何机关的 supervisor_email", err=True)
        result = run_digests(store, config, outbox=outbox, only=only, dry_run=dry_run)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    for line in describe(result, settings.smtp is not None):
        click.echo(line)
    sys.exit(1 if result.failed else 0)
