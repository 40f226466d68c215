"""``nianbao demo``: the whole job, end to end, on the bundled demo portals.

Starts the test portals (``crawler.testportal``: a dozen agencies on four
portal families, with the project's own sample reports and every kind of
fault) on 127.0.0.1, writes their registry and config, then runs what
``nianbao run`` runs: crawl and audit, digests to an outbox folder, the CSV
export. Nothing leaves the machine.

The demo judges deadlines as of 1 April after the report year, so every
deadline (departments 31 January, governments 31 March) has passed and the
findings do not depend on the day it is run.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from audit.config import load_config
from audit.jobs import run_all


def run_demo(workdir: Path, today: date | None = None) -> int:
    from crawler.testportal import write_config, write_registry

    year = (today or date.today()).year - 1
    as_of = date(year + 1, 4, 1)
    workdir.mkdir(parents=True, exist_ok=True)
    with _start_portals(workdir, year) as portals:
        registry = write_registry(workdir / "agencies.csv", portals)
        config_path = write_config(workdir / "nianbao.toml")
        print(f"示例门户已在 {portals.base_url} 启动：{len(portals.site.agencies)} 个机关，审核 {year} 年度年报，按 {as_of} 判断是否逾期")
        print(f"机关登记表：{registry}　配置：{config_path}")
        status = run_all(
            agencies=str(registry),
            db=str(workdir / "nianbao.db"),
            config=load_config(config_path),
            outbox=str(workdir / "outbox"),
            export=str(workdir / "findings.csv"),
            year=year,
            as_of=as_of,
        )
    print("\n再次运行 make demo 会做一次增量抓取：未变化的年报不再下载，摘要只报告变化。")
    return status


PORTS_FILE = "portals.json"


def _start_portals(workdir: Path, year: int):
    """The portals on the previous run's ports: a page's URL is part of what is stored,
    so only the same ports let a second demo show an incremental crawl."""
    from crawler.testportal import PortalServer

    remembered = workdir / PORTS_FILE
    try:
        portal, offsite = (int(port) for port in json.loads(remembered.read_text(encoding="utf-8"))["ports"])
        ports = (portal, offsite)
    except (OSError, ValueError, KeyError, TypeError):
        ports = (0, 0)  # first run, or a damaged file: any free ports
    try:
        portals = PortalServer(workdir, year=year, ports=ports)
    except OSError:
        print(f"上次使用的端口 {ports[0]}、{ports[1]} 已被占用，改用其他端口：网址变了，本次抓取不是增量抓取")
        portals = PortalServer(workdir, year=year)
    ports = [int(url.rsplit(":", 1)[1]) for url in (portals.base_url, portals.offsite_url)]
    remembered.write_text(json.dumps({"ports": ports}), encoding="utf-8")
    return portals
