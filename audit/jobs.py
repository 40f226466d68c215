"""``nianbao run``: the whole job once — crawl (which audits), digests, CSV export —
ending with a summary that says where every output is.

This is what a cron line, a systemd timer or ``make demo`` calls. The crawl
runs as ``nianbao crawl`` in a child process: Scrapy's Twisted reactor can
run only once per process, and a crawler crash must not take the digests
down with it.

    [run]                          # defaults for `nianbao run` and the schedule
    agencies = "agencies.csv"      # the registry
    db = "var/nianbao.db"
    export = "var/findings.csv"    # default: findings.csv beside the database
    # crawl_command = ["nice", "-n", "10", "nianbao", "crawl"]   # arguments are appended
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from audit.config import Config, ConfigError, load_config
from audit.digest import DigestSettings, describe, run_digests
from audit.export import write_findings
from audit.store import Store

DEFAULT_AGENCIES = "agencies.csv"
DEFAULT_DB = "var/nianbao.db"


def crawl_command(config: Config, *, agencies: str, db: str, year: int | None, as_of: date | None) -> list[str]:
    """``nianbao crawl`` with the run's arguments (or ``[run] crawl_command`` with them appended)."""
    configured = config.raw.get("run", {}).get("crawl_command")
    if configured:
        prefix = shlex.split(configured) if isinstance(configured, str) else [str(part) for part in configured]
    else:
        prefix = [sys.executable, "-m", "audit.cli", "crawl"]
    command = [*prefix, "--agencies", agencies, "--db", db]
    if year is not None:
        command += ["--year", str(year)]
    if as_of is not None:
        command += ["--as-of", as_of.isoformat()]
    if config.path:
        command += ["--config", config.path]
    return command


def _run_child(command: list[str]) -> int:
    try:
        return subprocess.run(command).returncode
    except OSError as exc:
        click.echo(f"无法启动抓取程序：{exc}", err=True)
        return 127


def write_export(store: Store, path: Path) -> int:
    """Every stored finding as the CSV of ``nianbao export`` (written whole, then renamed)."""
    rows = store.findings()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        write_findings(rows, "csv", handle)
    os.replace(partial, path)
    return len(rows)


def run_all(
    *,
    agencies: str,
    db: str,
    config: Config,
    outbox: str | None = None,
    export: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
    run_crawl: Callable[[list[str]], int] = _run_child,
) -> int:
    """Crawl, digest, export; print where everything is. 0 when every step succeeded."""
    settings = DigestSettings.from_config(config)  # a bad [smtp] fails now, not after an hour of crawling
    click.echo("== 1/3 抓取并审核（nianbao crawl）")
    crawl_status = run_crawl(crawl_command(config, agencies=agencies, db=db, year=year, as_of=as_of))
    if crawl_status != 0:
        click.echo(f"抓取未正常结束（退出码 {crawl_status}）；继续用数据库中已有的结果生成摘要和清单。", err=True)
    if not Path(db).exists():
        click.echo(f"数据库 {db} 不存在：抓取没有写入任何结果，无法继续。", err=True)
        return 1
    store = Store(db)
    click.echo("== 2/3 生成摘要（nianbao digest）")
    result = run_digests(store, config, outbox=outbox)
    for line in describe(result, settings.smtp is not None):
        click.echo(line)
    click.echo("== 3/3 导出问题清单（nianbao export）")
    export_path = Path(export or config.raw.get("run", {}).get("export") or Path(db).parent / "findings.csv")
    exported = write_export(store, export_path)
    click.echo(summary(store, result, settings, export_path, exported, crawl_status))
    return 0 if crawl_status == 0 and not result.failed else 1


def summary(store: Store, result, settings: DigestSettings, export_path: Path, exported: int, crawl_status: int) -> str:
    findings = store.findings()
    standing = [f for f in findings if f["status"] != "resolved" and f["review_decision"] != "dismissed"]
    errors = sum(1 for f in standing if f["severity"] == "error")
    delivered = [o for o in result.outcomes if o.status in ("sent", "written")]
    if settings.smtp is not None:
        mail = f"已通过 SMTP 发送 {sum(o.status == 'sent' for o in delivered)} 封，副本在 {result.outbox}/"
    else:
        mail = f"{len(delivered)} 封已写入 {result.outbox}/（.eml 文件，可用邮件客户端打开；配置 [smtp] 后改为直接发送）"
    if not delivered:
        mail = f"本次没有新摘要（无变化或没有收件人），以往的摘要在 {result.outbox}/"
    if result.failed:
        mail += f"；{len(result.failed)} 封发送失败，下次运行时自动重试"
    lines = [
        "",
        "== 完成" + ("" if crawl_status == 0 and not result.failed else "（有步骤未成功，见上文）"),
        f"数据库：{store.path}（机关 {len(store.agencies())} 个，年报 {len(store.reports())} 份；"
        f"未整改问题 {len(standing)} 项，其中错误 {errors} 项）",
        f"摘要邮件：{mail}",
        f"问题清单：{export_path}（{exported} 项，UTF-8 带 BOM，可直接用 Excel 或 WPS 打开）",
        f"网页查看：运行 nianbao serve --db {store.path}，再用浏览器打开 http://127.0.0.1:8001/",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--agencies", type=click.Path(dir_okay=False), help=f"机关登记表 CSV（默认：[run] agencies，或 {DEFAULT_AGENCIES}）")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help=f"数据库（默认：[run] db，或 {DEFAULT_DB}）")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="配置文件 nianbao.toml")
@click.option("--outbox", type=click.Path(file_okay=False), help="摘要 .eml 文件夹（默认：数据库所在文件夹下的 outbox）")
@click.option("--export", "export_path", type=click.Path(dir_okay=False), help="问题清单 CSV（默认：数据库所在文件夹下的 findings.csv）")
@click.option("--year", type=int, help="报告年度（默认由抓取程序决定）")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="以该日期为准判断是否逾期（默认今天）")
def run(agencies, db_path, config_path, outbox, export_path, year, as_of) -> None:
    """Crawl and audit every agency, send the digests, write the CSV export: the whole job once."""
    try:
        config = load_config(config_path)
        section = config.raw.get("run", {})
        agencies = agencies or section.get("agencies", DEFAULT_AGENCIES)
        db_path = db_path or section.get("db", DEFAULT_DB)
        if not Path(agencies).exists():
            raise click.UsageError(f"机关登记表 {agencies} 不存在（用 --agencies 指定，或写在配置文件 [run] agencies 中）")
        status = run_all(
            agencies=agencies,
            db=db_path,
            config=config,
            outbox=outbox,
            export=export_path,
            year=year,
            as_of=as_of.date() if as_of else None,
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    sys.exit(status)
