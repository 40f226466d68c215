"""Test portals served on 127.0.0.1, for tests, benchmarks and the demo.

    from crawler.testportal import PortalServer, write_registry, write_config

    with PortalServer() as portals:             # or: base_url, stop = serve_portals()
        write_registry("var/demo/agencies.csv", portals)
        write_config("var/demo/nianbao.toml")
        # nianbao crawl --agencies var/demo/agencies.csv --config var/demo/nianbao.toml --year portals.year

``portals.site.expected`` says which reports each agency must end up with
(year → publication date, its source, the kind of document).
"""

from __future__ import annotations

from pathlib import Path

from audit.registry import write_registry as _write_csv
from crawler.testportal.server import LoggedRequest, PortalServer, serve_portals
from crawler.testportal.site import ExpectedReport

# Crawl settings for portals on this machine: no politeness delays, short
# timeouts (the slow page sleeps 6 s), a 1 MB size limit (the big file is 3 MB).
FAST_CRAWL = {
    "contact": "nianbao-tests@example.org",
    "download_delay": 0.0,
    "autothrottle": True,
    "autothrottle_start_delay": 0.0,
    "autothrottle_max_delay": 0.2,
    "autothrottle_target_concurrency": 8.0,
    "concurrent_per_domain": 8,
    "download_timeout": 2.5,
    "retry_times": 1,
    "retry_backoff": 0.05,
    "max_download_mb": 1.0,
}


def write_registry(path: str | Path, portals: PortalServer | str) -> Path:
    """Write the registry CSV of the test portals (``portals``: the server, or its base URL)."""
    if isinstance(portals, str):
        from crawler.testportal.site import Site

        rows = [{**row, "url": portals + row["url"]} for row in Site(2000, "http://offsite.invalid").agencies]
    else:
        rows = portals.agencies()
    return _write_csv(path, rows)


def write_config(path: str | Path, **overrides) -> Path:
    """Write a nianbao.toml whose ``[crawl]`` table suits the local test portals."""
    settings = {**FAST_CRAWL, **overrides}
    lines = ["# Crawl settings for the local test portals (see docs/crawl.md)", "[crawl]"]
    for name, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{name} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{name} = "{value}"')
        else:
            lines.append(f"{name} = {value}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


__all__ = ["ExpectedReport", "FAST_CRAWL", "LoggedRequest", "PortalServer", "serve_portals", "write_config", "write_registry"]
