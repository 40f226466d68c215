"""``nianbao serve``: the findings store as a read-only review screen, in Datasette.

Datasette serves the store's SQLite file over a read-only connection (it sees
what a running crawl commits, through WAL) and every connection it opens is
also ``PRAGMA query_only``, so nothing can write through the web view;
reviewing stays in the command line (``nianbao review``).

Everything a supervisor reads is in Chinese: table titles, column labels,
value labels (错误/警告, 新发现/未整改/已解决), facets, and the canned
queries, which answer the common questions (late or missing reports, open
errors by agency, findings resolved this month, ...). The metadata is built
here in Python from what the database holds, so an older database (fewer
tables) is still served.

The screen of findings is the view ``finding_list`` (Chinese column names)
that the store's migration m004 creates. A database made before m004 is
served read-only and never migrated here, so for it the canned queries carry
the view's SELECT inline (``FINDING_LIST_SQL``); a test keeps the two equal.
"""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import click
from datasette import hookimpl

from audit.engine import SEVERITY_LABELS
from audit.export import DECISION_LABELS, STATUS_LABELS, TYPE_LABELS

DEFAULT_DB = "var/nianbao.db"
PLUGIN_NAME = "nianbao"
FINDING_LIST = "finding_list"
BEIJING = "'+8 hours'"  # dates on screen are Beijing dates (stored times are UTC)

# ------------------------------------------------------------------ labels
EVENT_LABELS = {"new": "新发现", "open": "持续存在", "resolved": "已解决", "reopened": "再次出现", "dismissed": "驳回", "confirmed": "确认"}
HEALTH_LABELS = {
    "ok": "正常",
    "column_not_found": "未找到年报栏目",
    "list_unreachable": "年报栏目无法访问",
    "no_reports": "栏目中没有年报",
    "robots_disallowed": "网站禁止抓取",
    "offsite": "链接指向其他网站",
}
RUN_KIND_LABELS = {"crawl": "抓取", "reaudit": "重新审核"}
RUN_STATUS_LABELS = {"running": "进行中", "finished": "已完成", "failed": "失败"}
DIGEST_STATUS_LABELS = {"pending": "待发送", "sent": "已发送", "written": "已写入发件箱", "failed": "发送失败"}

# Per table: title, description, Chinese label per column, value labels per column.
TABLES: dict[str, dict] = {
    "findings": {
        "title": "审核问题（原始表）",
        "description": "每项问题一行，按指纹（规则+机关+年度+位置）识别。状态随每次审核自动变化；复核意见见“复核记录”。",
        "columns": {
            "fingerprint": "指纹",
            "agency_id": "机关",
            "year": "年度",
            "report_id": "年报",
            "rule": "规则",
            "severity": "级别",
            "message": "问题描述",
            "location": "位置",
            "evidence": "依据",
            "source_url": "来源链接",
            "status": "状态",
            "first_seen": "首次发现",
            "last_seen": "最近发现",
            "resolved_at": "解决时间",
            "first_run_id": "首次发现批次",
            "last_run_id": "最近发现批次",
        },
        "values": {"severity": SEVERITY_LABELS, "status": STATUS_LABELS},
        "facets": ["agency_id", "rule", "severity", "status", "year"],
        "sort_desc": "last_seen",
        "label_column": "message",
        "wide": {"message": 20},
    },
    "reports": {
        "title": "年报",
        "description": "各机关各年度的年报（当前版本）。可全文检索标题和正文。",
        "columns": {
            "id": "编号",
            "agency_id": "机关",
            "year": "年度",
            "document_id": "当前版本",
            "first_document_id": "首次抓取版本",
            "title": "标题",
            "url": "来源链接",
            "published": "发布日期",
            "published_source": "发布日期来源",
            "text": "正文",
            "first_seen": "首次发现",
            "updated_at": "更新时间",
        },
        "facets": ["year", "agency_id"],
        "label_column": "title",
        "sort_desc": "year",
        "wide": {"text": 36, "title": 12},
    },
    "agencies": {
        "title": "机关",
        "description": "机关登记表：名称、类型、地区、年报栏目地址、监督人邮箱。",
        "columns": {
            "id": "机关编号",
            "name": "名称",
            "type": "类型",
            "region": "地区",
            "url": "年报栏目",
            "supervisor_email": "监督人邮箱",
            "updated_at": "更新时间",
        },
        "values": {"type": TYPE_LABELS},
        "facets": ["region", "type"],
        "label_column": "name",
    },
    "finding_events": {
        "title": "问题处理经过",
        "description": "每项问题的每次状态变化和复核，按时间先后。",
        "columns": {"id": "编号", "fingerprint": "问题", "at": "时间", "event": "事件", "run_id": "批次", "detail": "说明"},
        "values": {"event": EVENT_LABELS},
        "facets": ["event"],
        "sort_desc": "id",
    },
    "reviews": {
        "title": "复核记录",
        "description": "复核人对问题的意见（驳回或确认）。以最新一条为准，重新审核和重新抓取都不会改变。",
        "columns": {"id": "编号", "fingerprint": "问题", "decision": "复核结论", "note": "复核意见", "reviewer": "复核人", "at": "时间"},
        "values": {"decision": DECISION_LABELS},
        "facets": ["decision", "reviewer"],
        "sort_desc": "id",
    },
    "documents": {
        "title": "抓取的文件",
        "description": "每次抓到的每个文件版本（内容相同只记一次）。",
        "columns": {
            "id": "编号",
            "agency_id": "机关",
            "url": "链接",
            "final_url": "最终链接",
            "http_status": "HTTP状态",
            "headers": "响应头",
            "content_hash": "内容指纹",
            "size": "大小（字节）",
            "content_type": "内容类型",
            "title": "标题",
            "list_url": "所在栏目页",
            "published": "发布日期",
            "published_source": "发布日期来源",
            "error": "错误",
            "first_seen": "首次发现",
            "last_seen": "最近发现",
            "run_id": "批次",
        },
        "facets": ["agency_id", "http_status"],
        "sort_desc": "id",
        "label_column": "url",
    },
    "crawl_runs": {
        "title": "抓取和审核批次",
        "columns": {
            "id": "批次",
            "kind": "类型",
            "year": "年度",
            "as_of": "判断日期",
            "started_at": "开始时间",
            "finished_at": "结束时间",
            "status": "状态",
            "stats": "统计",
        },
        "values": {"kind": RUN_KIND_LABELS, "status": RUN_STATUS_LABELS},
        "sort_desc": "id",
    },
    "portal_health": {
        "title": "门户网站栏目情况",
        "description": "每次抓取时各机关年报栏目的情况：找不到栏目、无法访问等。",
        "columns": {
            "id": "编号",
            "run_id": "批次",
            "agency_id": "机关",
            "status": "情况",
            "detail": "说明",
            "reports_found": "找到年报数",
            "at": "时间",
        },
        "values": {"status": HEALTH_LABELS},
        "facets": ["status", "agency_id"],
        "sort_desc": "id",
    },
    "digests": {
        "title": "摘要邮件",
        "columns": {
            "id": "编号",
            "recipient": "收件人",
            "period_start": "起始",
            "period_end": "截止",
            "subject": "主题",
            "status": "状态",
            "created_at": "生成时间",
            "sent_at": "发送时间",
            "attempts": "尝试次数",
            "error": "错误",
            "message_path": "邮件文件",
        },
        "values": {"status": DIGEST_STATUS_LABELS},
        "facets": ["status", "recipient"],
        "sort_desc": "id",
    },
}
HIDDEN_TABLES = ("blobs", "_sqlite_migrations")


def _case(column: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"when '{code}' then '{label}'" for code, label in labels.items())
    return f"case {column} {whens} else {column} end"


# One row per finding, in the words of the screen: the body of the view
# ``finding_list`` (store migration m004), inlined for older databases.
FINDING_LIST_SQL = f"""select
  a.name as 机关,
  a.region as 地区,
  {_case("a.type", TYPE_LABELS)} as 类型,
  f.year as 年度,
  f.rule as 规则,
  {_case("f.severity", SEVERITY_LABELS)} as 级别,
  {_case("f.status", STATUS_LABELS)} as 状态,
  coalesce({_case("rv.decision", DECISION_LABELS)}, '未复核') as 复核,
  f.message as 问题描述,
  rv.note as 复核意见,
  rv.reviewer as 复核人,
  f.source_url as 来源链接,
  f.report_id as 年报,
  r.published as 发布日期,
  date(f.first_seen, {BEIJING}) as 首次发现,
  date(f.last_seen, {BEIJING}) as 最近发现,
  date(f.resolved_at, {BEIJING}) as 解决日期,
  f.agency_id as 机关编号,
  f.fingerprint as 指纹,
  f.rowid as 编号
from findings f
left join agencies a on a.id = f.agency_id
left join reports r on r.id = f.report_id
left join reviews rv on rv.id = (select max(id) from reviews where reviews.fingerprint = f.fingerprint)"""

FINDING_LIST_SCREEN = {"columns": {}, "wide": {"问题描述": 18, "说明": 18, "机关": 8}}  # its columns are Chinese already
FINDING_LIST_FACETS = ["地区", "机关", "规则", "级别", "状态", "复核", "年度"]
SEVERITY_ORDER = "case 级别 when '错误' then 0 when '警告' then 1 else 2 end"
LATEST_YEAR = "(select max(y) from (select year as y from reports union all select year from findings))"
LIST_COLUMNS = "机关, 地区, 年度, 规则, 级别, 状态, 复核, 问题描述, 复核意见, 来源链接, 年报, 发布日期, 首次发现, 最近发现, 解决日期, 指纹"


def canned_queries(source: str) -> dict[str, dict]:
    """The canned queries, reading findings from ``source`` (the view's name,
    or the view's SELECT in parentheses when the view is not there yet)."""
    return {
        "late_or_missing": {
            "title": "本年度未发布或逾期发布的年报（PUB-001、PUB-002）",
            "description": "截止日期已过仍未找到年报（未发布）和发布晚于截止日期（逾期发布）的机关。年度留空时为库中最新的报告年度（如2025年初审核2024年度年报）。已解决的不列出。",
            "sql": f"""select 地区, 机关, 类型, 年度,
  case 规则 when 'PUB-001' then '未发布' else '逾期发布' end as 情况,
  问题描述, 状态, 复核, 复核意见, 来源链接, 年报, 首次发现, 机关编号, 指纹
from {source}
where 规则 in ('PUB-001', 'PUB-002') and 状态 != '已解决'
  and 年度 = coalesce(nullif(:年度, ''), {LATEST_YEAR})
order by 复核 = '驳回', 规则, 地区, 机关""",
            "params": ["年度"],
            "hide_sql": True,
        },
        "open_errors_by_agency": {
            "title": "各机关未解决的错误",
            "description": "每个机关尚未解决的“错误”级问题数（已驳回的单独计数，不计入未解决错误）。点击机关编号查看该机关的全部问题。年度留空为全部年度。",
            "sql": f"""select 机关编号, 机关, 地区, 类型,
  sum(复核 != '驳回') as 未解决错误,
  sum(复核 = '确认') as 其中已确认,
  sum(复核 = '驳回') as 已驳回,
  group_concat(distinct 规则) as 涉及规则,
  min(首次发现) as 最早发现
from {source}
where 级别 = '错误' and 状态 != '已解决'
  and (:年度 = '' or 年度 = cast(:年度 as integer))
group by 机关编号
order by 未解决错误 desc, 地区, 机关""",
            "params": ["年度"],
            "hide_sql": True,
        },
        "resolved_this_month": {
            "title": "本月已解决的问题",
            "description": "在所选月份（北京时间）被后来的审核判定为已解决的问题：机关重新发布了改正后的年报。月份格式 2025-03，留空为本月。",
            "sql": f"""select 解决日期, 机关, 地区, 年度, 规则, 级别, 问题描述, 首次发现, 复核, 复核意见, 来源链接, 年报, 指纹
from {source}
where 状态 = '已解决'
  and substr(解决日期, 1, 7) = coalesce(nullif(:月份, ''), strftime('%Y-%m', 'now', {BEIJING}))
order by 解决日期 desc, 地区, 机关""",
            "params": ["月份"],
            "hide_sql": True,
        },
        "problem_list": {
            "title": "问题清单（按条件筛选）",
            "description": "全部问题，可按年度、地区（名称的一部分即可）、机关（名称的一部分或机关编号）、规则（如 TAB 或 TAB-102）、级别（错误/警告/提示）、状态（新发现/未整改/已解决/再次出现）、复核（未复核/驳回/确认）和问题描述中的关键词筛选；留空表示不限。",
            "sql": f"""select {LIST_COLUMNS}
from {source}
where (:年度 = '' or 年度 = cast(:年度 as integer))
  and (:地区 = '' or 地区 like '%' || :地区 || '%')
  and (:机关 = '' or 机关 like '%' || :机关 || '%' or 机关编号 = :机关)
  and (:规则 = '' or 规则 like :规则 || '%')
  and (:级别 = '' or 级别 = :级别)
  and (:状态 = '' or 状态 = :状态)
  and (:复核 = '' or 复核 = :复核)
  and (:关键词 = '' or 问题描述 like '%' || :关键词 || '%')
order by 年度 desc, 地区, 机关, {SEVERITY_ORDER}, 规则""",
            "params": ["年度", "地区", "机关", "规则", "级别", "状态", "复核", "关键词"],
            "hide_sql": True,
        },
        "to_review": {
            "title": "待复核的问题",
            "description": "尚未解决、也还没有复核意见的错误和警告，最早发现的在前。复核请用命令 nianbao review 指纹 --dismiss|--confirm --note 意见 --by 姓名。",
            "sql": f"""select 首次发现, 机关, 地区, 年度, 规则, 级别, 状态, 问题描述, 来源链接, 年报, 指纹
from {source}
where 复核 = '未复核' and 状态 != '已解决' and 级别 in ('错误', '警告')
order by {SEVERITY_ORDER}, 首次发现, 地区, 机关""",
            "hide_sql": True,
        },
        "region_summary": {
            "title": "各地区问题统计",
            "description": "各地区尚未解决的问题数（按级别）、已驳回数和已解决数。",
            "sql": f"""select 地区,
  count(distinct 机关编号) as 有问题的机关,
  sum(状态 != '已解决' and 级别 = '错误') as 未解决错误,
  sum(状态 != '已解决' and 级别 = '警告') as 未解决警告,
  sum(状态 != '已解决' and 级别 = '提示') as 未解决提示,
  sum(状态 != '已解决' and 复核 = '驳回') as 其中已驳回,
  sum(状态 = '已解决') as 已解决
from {source}
group by 地区
order by 未解决错误 desc, 地区""",
            "hide_sql": True,
        },
        "review_log": {
            "title": "复核记录",
            "description": "复核人的全部意见，最新的在前（同一问题以最新一条为准）。",
            "sql": f"""select datetime(rv.at, {BEIJING}) as 复核时间, rv.reviewer as 复核人,
  {_case("rv.decision", DECISION_LABELS)} as 结论, rv.note as 复核意见,
  a.name as 机关, f.year as 年度, f.rule as 规则, f.message as 问题描述,
  {_case("f.status", STATUS_LABELS)} as 当前状态, f.fingerprint as 指纹
from reviews rv
join findings f on f.fingerprint = rv.fingerprint
left join agencies a on a.id = f.agency_id
order by rv.id desc""",
            "hide_sql": True,
        },
        "finding_history": {
            "title": "问题处理经过",
            "description": "一项问题从发现到解决（或复核）的全部经过。填入问题的指纹。",
            "sql": f"""select datetime(e.at, {BEIJING}) as 时间, {_case("e.event", EVENT_LABELS)} as 事件,
  e.detail as 说明, e.run_id as 批次, f.rule as 规则, f.message as 问题描述
from finding_events e
join findings f on f.fingerprint = e.fingerprint
where e.fingerprint = :指纹
order by e.id""",
            "params": ["指纹"],
            "hide_sql": True,
        },
    }


PORTAL_QUERY = {
    "portal_problems": {
        "title": "门户网站栏目异常（最近一次抓取）",
        "description": "最近一次抓取中年报栏目不正常的机关：找不到栏目、无法访问、栏目里没有年报等。这些机关的“未发布”可能需要人工核实。",
        "sql": f"""select a.region as 地区, a.name as 机关, {_case("h.status", HEALTH_LABELS)} as 情况, h.detail as 说明,
  datetime(h.at, {BEIJING}) as 时间, a.url as 年报栏目, h.agency_id as 机关编号
from portal_health h
join agencies a on a.id = h.agency_id
where h.id = (select max(id) from portal_health where agency_id = h.agency_id) and h.status != 'ok'
order by a.region, a.name""",
        "hide_sql": True,
    }
}

# The raw findings table without its machine columns (JSON evidence, run ids).
RAW_FINDINGS_COLUMNS = "&".join(f"_nocol={c}" for c in ("location", "evidence", "first_run_id", "last_run_id"))

# Columns of canned queries and of the view that link somewhere.
LINK_COLUMNS = ("年报", "指纹", "机关编号")


# ------------------------------------------------------------------ metadata
def database_name(db_path: str | Path) -> str:
    """Datasette's name for the database: the file name without its suffix."""
    return Path(db_path).stem


def _schema(db_path: Path) -> dict[str, str]:
    """Names of the tables and views in the file (read-only)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("select name, type from sqlite_master where type in ('table', 'view')").fetchall())
    finally:
        conn.close()


def build_metadata(db_path: str | Path) -> dict:
    """Datasette metadata for the store at ``db_path``: titles, labels, facets,
    full-text search and canned queries for whatever the file holds."""
    db_path = Path(db_path)
    name = database_name(db_path)
    schema = _schema(db_path)
    tables: dict[str, dict] = {}
    for table, spec in TABLES.items():
        if table not in schema:
            continue
        entry = {
            "title": spec["title"],
            "columns": {column: label for column, label in spec["columns"].items()},
        }
        for key in ("description", "facets", "sort_desc", "label_column"):
            if key in spec:
                entry[key] = spec[key]
        tables[table] = entry
    for table in HIDDEN_TABLES:
        if table in schema:
            tables[table] = {"hidden": True}

    has_view = schema.get(FINDING_LIST) == "view"
    if has_view:
        tables[FINDING_LIST] = {
            "title": "问题清单",
            "description": "全部审核问题。左侧可按地区、机关、规则、级别、状态、复核、年度分面筛选；搜索框全文检索问题描述（至少输入3个字）。点击“年报”看年报，点击“指纹”看问题详情和处理经过。",
            "facets": FINDING_LIST_FACETS,
            "fts_table": "findings_fts",
            "fts_pk": "编号",
            "sort_desc": "最近发现",
        }
    queries = {}
    if "findings" in schema:
        queries.update(canned_queries(FINDING_LIST if has_view else f"({FINDING_LIST_SQL})"))
    if "portal_health" in schema:
        queries.update(PORTAL_QUERY)

    base = "/" + _tilde(name)
    # where an agency's id links to: its findings, on the best screen there is
    if has_view:
        agency_findings = f"{base}/{FINDING_LIST}?{_url_quote('机关编号')}="
    else:
        agency_findings = f"{base}/findings?{RAW_FINDINGS_COLUMNS}&agency_id="
    if has_view:
        links = [(f"{base}/{FINDING_LIST}", "问题清单（分面筛选、全文检索）")]
    else:
        links = [(f"{base}/findings?{RAW_FINDINGS_COLUMNS}", "审核问题（分面筛选、全文检索）")]
    links += [(f"{base}/{q}", queries[q]["title"]) for q in queries]
    links_html = "<ul>" + "".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in links) + "</ul>"
    intro = (
        "<p>审核结果只读浏览：按地区、机关、规则、级别、状态筛选问题，检索问题描述和年报正文，"
        "点击“来源链接”打开机关网站上的年报原文。复核（驳回或确认）请用命令 <code>nianbao review</code>，"
        "导出 Excel 请用 <code>nianbao export --format xlsx</code>。日期为北京时间。</p>"
    )
    return {
        "title": "政府信息公开工作年度报告审核",
        "description_html": intro + links_html,
        "source": "nianbao",
        "plugins": {PLUGIN_NAME: {"database": name, "agency_findings": agency_findings}},
        "databases": {
            name: {
                "title": "年报审核结果",
                "description_html": intro + links_html,
                "tables": tables,
                "queries": queries,
            }
        },
    }


SETTINGS = {
    "default_page_size": 50,
    "truncate_cells_html": 300,  # report texts are long; the row page shows them whole
    "facet_time_limit_ms": 2000,
    "sql_time_limit_ms": 5000,
    "suggest_facets": False,
    "allow_download": False,
}


def make_datasette(db_path: str | Path):
    """A Datasette instance serving the store read-only, with nianbao's metadata."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(db_path)
    _register_plugin()
    return Datasette([str(db_path)], metadata=build_metadata(db_path), settings=SETTINGS)


# ------------------------------------------------------------------ plugin
def _ours(datasette, database: str | None) -> bool:
    config = datasette.plugin_config(PLUGIN_NAME)
    return bool(config) and database == config.get("database")


# The hooks below act on the nianbao database only: Datasette's plugin manager
# is global, and this module registers itself as a plugin.
@hookimpl
def prepare_connection(conn, database, datasette):
    if _ours(datasette, database):
        conn.execute("PRAGMA query_only = 1")  # even Datasette's write connection cannot write


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not _ours(datasette, database) or value in (None, ""):
        return None
    from markupsafe import Markup, escape

    link = None
    if column in LINK_COLUMNS and (table is None or table == FINDING_LIST):
        if column == "年报":
            link = datasette.urls.row(database, "reports", str(value)), "查看年报"
        elif column == "指纹":
            link = datasette.urls.row(database, "findings", _tilde(str(value))), str(value)
        else:
            config = datasette.plugin_config(PLUGIN_NAME)
            link = datasette.urls.path(config["agency_findings"] + _url_quote(str(value))), str(value)
    elif table == "findings" and column == "report_id":
        link = datasette.urls.row(database, "reports", str(value)), "查看年报"
    if link:
        return Markup(f'<a href="{escape(link[0])}">{escape(link[1])}</a>')
    labels = TABLES.get(table or "", {}).get("values", {}).get(column)
    if labels and isinstance(value, str) and value in labels:
        return labels[value]
    return None


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    if not _ours(datasette, database):
        return None
    if table is None or table == FINDING_LIST:
        spec = FINDING_LIST_SCREEN  # canned queries and the view: Chinese column names already
    elif table in TABLES:
        spec = TABLES[table]
    else:
        return None
    from datasette.utils import to_css_class

    wide = {to_css_class(column): width for column, width in spec.get("wide", {}).items()}
    data = json.dumps({"columns": spec["columns"], "values": spec.get("values", {}), "wide": wide}, ensure_ascii=False)
    return _LABEL_SCRIPT.replace("__LABELS__", data.replace("</", "<\\/"))


# Shows the Chinese label of each column in table headers, facet titles and the
# filter/sort menus, and value labels in facets; URLs keep the column names.
_LABEL_SCRIPT = """
(function () {
  var labels = __LABELS__;
  // the headers carry the labels now; the list of column descriptions would only push the table down
  document.querySelectorAll("dl.column-descriptions").forEach(function (dl) { dl.style.display = "none"; });
  var style = document.createElement("style");
  for (var column in labels.wide) {
    style.textContent += "td.col-" + column + " { min-width: " + labels.wide[column] + "em; }\\n";
  }
  document.head.appendChild(style);
  function relabel(node, from, to) {
    for (var i = 0; i < node.childNodes.length; i++) {
      var child = node.childNodes[i];
      if (child.nodeType === 3 && child.nodeValue.trim().indexOf(from) === 0) {
        child.nodeValue = child.nodeValue.replace(from, to);
        return true;
      }
      if (child.nodeType === 1 && relabel(child, from, to)) return true;
    }
    return false;
  }
  document.querySelectorAll("table.rows-and-columns th[data-column]").forEach(function (th) {
    var name = th.getAttribute("data-column");
    if (labels.columns[name]) { relabel(th, name, labels.columns[name]); th.title = name; }
  });
  document.querySelectorAll(".facet-info[data-column]").forEach(function (facet) {
    var name = facet.getAttribute("data-column");
    var title = facet.querySelector(".facet-info-name strong");
    if (title && labels.columns[name]) relabel(title, name, labels.columns[name]);
    var values = labels.values[name];
    if (!values) return;
    facet.querySelectorAll("li").forEach(function (li) {
      for (var code in values) { if (relabel(li, code, values[code])) break; }
    });
  });
  document.querySelectorAll("select[name=_filter_column] option, select[name=_sort] option, select[name=_facet] option").forEach(function (option) {
    var name = option.value;
    if (labels.columns[name]) option.textContent = option.textContent.replace(name, labels.columns[name]);
  });
})();
"""


def _tilde(value: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(value)


def _url_quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _register_plugin() -> None:
    import sys

    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name=PLUGIN_NAME)


# ------------------------------------------------------------------ command
@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=DEFAULT_DB, show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；仅本机访问时用 127.0.0.1")
def serve(db_path: str, port: int, host: str) -> None:
    """Browse the findings in a web page (Datasette, read-only)."""
    import uvicorn

    if not Path(db_path).exists():
        raise click.UsageError(f"数据库文件不存在：{db_path}（先运行 nianbao crawl）")
    datasette = make_datasette(db_path)
    url = f"http://{host}:{port}/{database_name(db_path)}"
    click.echo(f"审核结果网页（只读）：{url}　按 Ctrl+C 退出", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
