"""The crawl part of the demo: crawl the test portals and print what was found.

``crawl_demo(workdir)`` starts the portals on 127.0.0.1, writes their
registry and a fast ``[crawl]`` config into ``workdir``, runs ``nianbao
crawl`` in a child process (the reactor runs once per process) against
``workdir/nianbao.db``, and returns its exit status. Nothing leaves the
machine: every portal, and the "off-site" host, is local.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from crawler.testportal import PortalServer, write_config, write_registry


def crawl_demo(workdir: str | Path, as_of: date | None = None, *, year: int | None = None, progress: bool = True) -> int:
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or date.today()
    with PortalServer(workdir, year=year or as_of.year - 1) as portals:
        registry = write_registry(workdir / "agencies.csv", portals)
        config = write_config(workdir / "nianbao.toml")
        print(f"示例门户已在 {portals.base_url} 启动（{len(portals.site.agencies)} 个机关，{portals.year} 年度），登记表：{registry}")
        command = [
            sys.executable, "-m", "audit.cli", "crawl", "--agencies", str(registry), "--db", str(workdir / "nianbao.db"),
            "--year", str(portals.year), "--as-of", as_of.isoformat(), "--config", str(config),
            "--progress" if progress else "--no-progress",
        ]
        sys.stdout.flush()
        return subprocess.run(command).returncode
