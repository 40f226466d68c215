"""PUB: was the report published, on time, intact and retrievable."""

from __future__ import annotations

from audit.config import AGENCY_TYPE_LABELS
from audit.engine import AuditContext, finding, rule


def _deadline(context: AuditContext):
    if context.year is None or context.agency_type is None:
        return None
    return context.config.deadline(context.agency_type, context.year, context.region)


@rule("PUB-001", "error", "未按期发布：截止日期已过，门户网站上仍未找到该年度年报", applies="agency")
def pub_001(context: AuditContext):
    """No report for year Y was found on the agency's portal once its deadline passed.

    Basis: 条例 art. 49 (departments by 31 January, a government's own report
    by 31 March of the next year; towns by local rule). Judged by the crawler
    for each agency in the registry, as of ``--as-of`` (default: today), and
    only when the crawl could read the agency's report column: an unreachable
    portal, a robots.txt refusal or a column not found is a portal-health
    problem, not proof that nothing was published.
    """
    deadline = _deadline(context)
    if deadline is None or context.as_of is None or context.as_of <= deadline:
        return
    if context.fetch_error:
        return  # a report link was found but failed: that is PUB-005, not a missing report
    kind = AGENCY_TYPE_LABELS[context.agency_type]
    yield finding(
        "PUB-001",
        f"截至{context.as_of.isoformat()}，未在门户网站找到{context.agency_name or context.agency}{context.year}年度政府信息公开工作年度报告"
        f"（{kind}应于{deadline.isoformat()}前发布，已过{(context.as_of - deadline).days}天）",
        {"year": context.year},
        deadline=deadline.isoformat(),
        as_of=context.as_of.isoformat(),
    )


@rule("PUB-002", "error", "逾期发布：发布日期晚于该类机关的法定截止日期")
def pub_002(context: AuditContext):
    """The report was published after the deadline for its agency type.

    Basis: 条例 art. 49; township deadlines and regional overrides come from
    ``nianbao.toml``. The message states the deadline, the publication date
    and the days late.
    """
    deadline = _deadline(context)
    if deadline is None or context.published is None or context.published <= deadline:
        return
    days = (context.published - deadline).days
    kind = AGENCY_TYPE_LABELS[context.agency_type]
    inferred = "（机关类型按名称推断）" if context.agency_type_inferred else ""
    yield finding(
        "PUB-002",
        f"逾期发布：{kind}{inferred}的{context.year}年度年报应于{deadline.isoformat()}前发布，"
        f"实际发布日期为{context.published.isoformat()}，逾期{days}天",
        {},
        deadline=deadline.isoformat(),
        published=context.published.isoformat(),
        published_source=context.published_source,
        days_late=days,
        agency_type=context.agency_type,
    )


@rule("PUB-003", "warning", "无法确定发布日期，不能判断是否按期发布")
def pub_003(context: AuditContext):
    """The publication date cannot be established, so timeliness cannot be judged.

    The date comes from ``--published``, the crawler (the portal's PubDate,
    发布时间 label, list entry or URL), or a date the document itself labels
    as its publication date. Never silently passed.
    """
    if context.published is not None or (context.report is not None and not context.report.readable):
        return  # an unreadable report is PUB-005's
    reason = "文中和门户网站均未注明发布日期" if context.report and context.report.readable else "未取得发布日期"
    if context.year is None:
        reason += "，且无法确定报告年度"
    yield finding("PUB-003", f"无法确定发布日期（{reason}），不能判断是否按期发布，请人工核对", {}, year=context.year)


@rule("PUB-004", "warning", "发布后内容被修改：与首次抓取的版本不一致")
def pub_004(context: AuditContext):
    """The report's content differs from the version first seen on the portal.

    A report is a public record: a silent change after publication must be
    noticed (the store keeps every version; the crawler sets the flag).
    """
    if context.content_changed:
        since = f"（首次抓取于{context.first_seen[:10]}）" if context.first_seen else ""
        yield finding("PUB-004", f"年报发布后内容发生变化，与首次抓取的版本不一致{since}", {}, first_seen=context.first_seen)


@rule("PUB-005", "error", "年报链接或附件无法获取或无法读取", applies="any")
def pub_005(context: AuditContext):
    """The report link or attachment cannot be retrieved, is empty, or cannot be read.

    A report that the public cannot open is not published in substance
    (条例 art. 49/50). Scanned PDFs with no text layer land here too, since
    none of their content can be checked.
    """
    if context.fetch_error:
        yield finding("PUB-005", f"年报链接无法访问：{context.fetch_error}", {}, error=context.fetch_error)
        return
    report = context.report
    if report is not None and not report.readable:
        reasons = "；".join(p.message for p in report.problems if p.kind == "unreadable") or "文件无法读取"
        yield finding("PUB-005", f"年报文件无法读取：{reasons}", {}, source=report.source)
