"""The ``nianbao`` command line. Its commands and JSON shapes are a public
contract (DESIGN.md): extend them, never rename them."""

from __future__ import annotations

import importlib
import json
import sys

import click

from datetime import date

from audit.auditor import AuditOptions, audit_reports
from audit.config import AGENCY_TYPES, ConfigError, load_config
from audit.engine import SEVERITY_LABELS, all_rules
from audit.export import audit_csv
from audit.interpret import parse_path
from audit.render import audit_text
from audit.rulesdoc import rules_markdown
from audit.model import (
    SECTION_NUMERALS,
    SECTIONS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Report,
)

EXISTING = click.Path(exists=True, dir_okay=False)


class LazyGroup(click.Group):
    """Commands whose modules load only when used: `nianbao parse` must not
    pay for importing Scrapy or Datasette."""

    LAZY = {
        "crawl": "crawler.command:crawl",
        "serve": "audit.web:serve",
        "digest": "audit.digest:digest",
        "schedule": "audit.schedule:schedule",
        "run": "audit.jobs:run",
    }

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.LAZY))

    def get_command(self, ctx, name):
        if name in self.LAZY:
            module_name, attribute = self.LAZY[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                return None  # not built yet
            return getattr(module, attribute)
        return super().get_command(ctx, name)


DEFAULT_DB = "var/nianbao.db"


@click.group(cls=LazyGroup)
@click.version_option(package_name="nianbao-audit")
def main() -> None:
    """nianbao：政府信息公开工作年度报告审核工具。"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def parse(paths: tuple[str, ...], fmt: str) -> None:
    """Read reports and print what was read from them (sections, tables 2-4, problems)."""
    reports = [parse_path(p) for p in paths]
    if fmt == "json":
        json.dump([r.to_dict() for r in reports], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for report in reports:
        click.echo(render_report_text(report))


def _cell(value) -> str:
    if value is None:
        return "□"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_report_text(report: Report) -> str:
    """A readable Chinese summary of one parsed report."""
    out = [f"== {report.source}"]
    out.append(f"机关：{report.agency or '（未识别）'}　年度：{report.year or '（未识别）'}　格式：{report.format_version}")
    out.append(f"标题：{report.title or '（未识别）'}")
    out.append(f"发布日期：{report.published or '（文中未注明）'}")
    if not report.readable:
        out.append("无法读取：" + "；".join(p.message for p in report.problems))
        return "\n".join(out)
    out.append("章节：")
    for section, (number, title, _) in zip(report.sections, SECTIONS):
        mark = "✓" if section.found else "✗"
        out.append(f"  {mark} {SECTION_NUMERALS[number - 1]}、{title}" + (f"（写作：{section.heading}）" if section.found and title not in (section.heading or "") else ""))
    out.append("表二：")
    for key, (label, columns, _) in TABLE2_ROWS.items():
        out.append(f"  {label:　<8} " + " ".join(_cell(report.table2[key][c]) for c in columns))
    out.append("表三：" + " ".join(TABLE3_COLUMNS.values()))
    for key, (label, _) in TABLE3_ROWS.items():
        out.append(f"  {label[:16]:　<16} " + " ".join(f"{_cell(report.table3[key][c]):>5}" for c in TABLE3_COLUMNS))
    if "other" in report.table3:
        out.append(f"  {'（六）其他处理':　<16} " + " ".join(f"{_cell(report.table3['other'][c]):>5}" for c in TABLE3_COLUMNS))
    out.append("表四：" + " ".join(TABLE4_COLUMNS.values()))
    for key, label in TABLE4_GROUPS.items():
        out.append(f"  {label:　<12} " + " ".join(f"{_cell(report.table4[key][c]):>5}" for c in TABLE4_COLUMNS))
    if report.problems:
        out.append("读取问题：")
        out.extend(f"  - [{p.kind}] {p.message}" for p in report.problems)
    return "\n".join(out)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), help="发布日期 YYYY-MM-DD（优先于文中日期）")
@click.option("--agency-type", type=click.Choice(AGENCY_TYPES), help="机关类型；不填时按机关名称推断")
@click.option("--agency", help="机关名称；不填时取自报告标题")
@click.option("--region", help="地区（用于地区性截止日期）")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="以该日期为准判断（默认今天）")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--config", "config_path", type=EXISTING, help="配置文件 nianbao.toml")
def audit(paths, published, agency_type, agency, region, as_of, fmt, config_path) -> None:
    """Audit reports and print the findings. Exit 1 when any finding is an error."""
    config = _config(config_path)
    options = AuditOptions(
        published=published.date() if published else None,
        agency_type=agency_type,
        agency=agency,
        region=region,
        as_of=as_of.date() if as_of else date.today(),
        config=config,
    )
    results = audit_reports([parse_path(p) for p in paths], options)
    if fmt == "json":
        json.dump([r.to_dict() for r in results], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        sys.stdout.write(audit_csv(results))
    else:
        click.echo(audit_text(results))
    sys.exit(1 if any(r.has_errors for r in results) else 0)


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def list_rules(fmt: str) -> None:
    """List the rule catalogue from the rules' own metadata."""
    if fmt == "markdown":
        click.echo(rules_markdown(), nl=False)
        return
    for entry in all_rules():
        click.echo(f"{entry.code}\t{SEVERITY_LABELS[entry.severity]}\t{entry.title}")


@main.command()
@click.option("--workdir", type=click.Path(file_okay=False), default="var/demo", show_default=True)
def demo(workdir: str) -> None:
    """Run the whole job (crawl, audit, digests, CSV) on the bundled demo portals."""
    from pathlib import Path

    from audit.demo import run_demo

    sys.exit(run_demo(Path(workdir)))


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=DEFAULT_DB, show_default=True)
@click.option("--year", type=int, help="只重审该年度")
@click.option("--agency", "agency_id", help="只重审该机关（登记表中的 id）")
@click.option("--config", "config_path", type=EXISTING, help="配置文件 nianbao.toml")
def reaudit(db_path, year, agency_id, config_path) -> None:
    """Re-read stored documents and re-run the rules, without the network."""
    from audit.pipeline import reaudit as run_reaudit
    from audit.store import Store

    store = Store(db_path)
    totals = run_reaudit(store, config=_config(config_path), year=year, agency_id=agency_id)
    click.echo(
        f"重新审核年报 {totals['reports']} 份：新增问题 {totals['new']} 项，重新出现 {totals['reopened']} 项，"
        f"已解决 {totals['resolved']} 项，仍存在 {totals['open']} 项。"
    )


@main.command()
@click.argument("fingerprint")
@click.option("--dismiss", "decision", flag_value="dismissed", help="驳回（不是问题）")
@click.option("--confirm", "decision", flag_value="confirmed", help="确认是问题")
@click.option("--note", required=True, help="复核意见")
@click.option("--by", "reviewer", required=True, help="复核人")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=DEFAULT_DB, show_default=True)
def review(fingerprint, decision, note, reviewer, db_path) -> None:
    """Record a reviewer's decision on a finding; it survives every re-audit."""
    from audit.store import Store

    if decision is None:
        raise click.UsageError("请指定 --dismiss 或 --confirm")
    store = Store(db_path)
    try:
        store.review(fingerprint, decision, note, reviewer)
    except KeyError:
        raise click.UsageError(f"数据库中没有指纹为 {fingerprint} 的问题") from None
    label = "驳回" if decision == "dismissed" else "确认"
    click.echo(f"已记录复核意见：{label} {fingerprint}（{reviewer}：{note}）")


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=DEFAULT_DB, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="输出文件；不填时 csv/json 输出到屏幕")
@click.option("--year", type=int)
@click.option("--region")
@click.option("--agency", "agency_id")
@click.option("--rule")
@click.option("--severity", type=click.Choice(["error", "warning", "info"]))
@click.option("--status", type=click.Choice(["new", "open", "resolved", "reopened"]))
def export(db_path, fmt, out, year, region, agency_id, rule, severity, status) -> None:
    """Export findings as CSV (Excel/WPS-ready), JSON or XLSX."""
    from audit.export import write_findings
    from audit.store import Store

    if fmt == "xlsx" and not out:
        raise click.UsageError("xlsx 格式需要 --out 文件名")
    rows = Store(db_path).findings(year=year, region=region, agency_id=agency_id, rule=rule, severity=severity, status=status)
    if out:
        with open(out, "wb") as handle:
            write_findings(rows, fmt, handle)
        click.echo(f"已导出 {len(rows)} 项问题到 {out}", err=True)
    else:
        write_findings(rows, fmt, sys.stdout.buffer)


def _config(path):
    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


if __name__ == "__main__":
    main()
