"""``nianbao crawl``: crawl every agency of the registry, store, audit, print a summary
(``--format json``: the summary's fields, as stored in ``crawl_runs.stats``).

Exit status: 0 when the crawl ran (whatever it found: findings and portal
problems are in the summary and the database), 1 when the crawl itself could
not run, 2 for a usage error (bad registry, bad config, unknown --only id).
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

DEFAULT_DB = "var/nianbao.db"


def _date(ctx, param, value):
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应写作 YYYY-MM-DD，实际为 {value!r}") from None


@click.command()
@click.option("--agencies", "registry_path", required=True, type=click.Path(dir_okay=False), help="机关登记表 CSV（id,name,type,region,url,supervisor_email）")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=DEFAULT_DB, show_default=True, help="数据库文件")
@click.option("--year", type=int, help="审核的年报年度（默认：上一年）")
@click.option("--as-of", "as_of", callback=_date, help="按此日期判断是否逾期（默认：今天），YYYY-MM-DD")
@click.option("--only", multiple=True, metavar="ID", help="只抓取这些机关（可重复，或用逗号分隔）")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="配置文件 nianbao.toml")
@click.option("--progress/--no-progress", default=True, show_default=True, help="显示抓取进度")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="摘要的输出格式")
def crawl(registry_path, db_path, year, as_of, only, config_path, progress, fmt) -> None:
    """Crawl the agencies' portals for annual reports, store and audit them, and print a summary."""
    from audit.config import ConfigError, load_config
    from audit.registry import RegistryError, load_registry
    from crawler.options import crawl_options

    try:
        agencies = load_registry(registry_path)
    except RegistryError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        config = load_config(config_path)
        crawl_options(config)  # check [crawl] before opening anything
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    year = year or as_of.year - 1
    if only:
        known = {a.id for a in agencies}
        wanted = [part.strip() for item in only for part in item.replace("，", ",").split(",") if part.strip()]
        unknown = [item for item in wanted if item not in known]
        if unknown:
            raise click.UsageError(f"登记表中没有这些机关编号：{'、'.join(unknown)}")
        only = wanted

    from audit.store import Store
    from crawler.run import CrawlError, crawl_agencies

    store = Store(db_path)
    click.echo(f"开始抓取 {len(only) if only else len(agencies)} 个机关的 {year} 年度年报……", err=True)
    try:
        summary = crawl_agencies(store, agencies, year=year, as_of=as_of, config=config, only=only or None, progress=progress)
    except CrawlError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary.text(), nl=False)
