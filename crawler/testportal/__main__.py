"""Serve the test portals until interrupted, for trying ``nianbao crawl`` by hand.

    .venv/bin/python -m crawler.testportal [--workdir var/testportal] [--year 2025]
    .venv/bin/python -m crawler.testportal --demo      # crawl them once and print the summary
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crawler.testportal import PortalServer, write_config, write_registry


def main() -> None:
    parser = argparse.ArgumentParser(description="本机示例门户（仅 127.0.0.1）")
    parser.add_argument("--workdir", default="var/testportal", help="登记表、配置和请求记录写在这里")
    parser.add_argument("--year", type=int, help="年报年度（默认：上一年）")
    parser.add_argument("--demo", action="store_true", help="抓取一次并打印摘要，然后退出")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    if args.demo:
        from crawler.testportal.demo import crawl_demo

        raise SystemExit(crawl_demo(workdir, year=args.year))
    with PortalServer(workdir, year=args.year) as portals:
        registry = write_registry(workdir / "agencies.csv", portals)
        config = write_config(workdir / "nianbao.toml")
        print(f"示例门户：{portals.base_url}（外部网站：{portals.offsite_url}），{portals.year} 年度")
        print(f"抓取命令：nianbao crawl --agencies {registry} --config {config} --year {portals.year} --db {workdir / 'nianbao.db'}")
        print("按 Ctrl-C 停止。")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
