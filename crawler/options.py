"""The ``[crawl]`` table of nianbao.toml, checked, with polite defaults.

Every setting has a default meant for real government servers (small
machines, often slow): two requests at a time per site, AutoThrottle on,
robots.txt always obeyed (there is deliberately no switch to ignore it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from audit.config import Config, ConfigError

DEFAULT_USER_AGENT = "nianbao-audit/0.1 (government annual-report audit bot)"


@dataclass
class CrawlOptions:
    user_agent: str = DEFAULT_USER_AGENT
    contact: str = ""  # an e-mail or URL appended to the User-Agent, so a webmaster can reach us
    concurrent_requests: int = 16
    concurrent_per_domain: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    autothrottle_start_delay: float = 2.0
    autothrottle_max_delay: float = 30.0
    autothrottle_target_concurrency: float = 1.0
    download_timeout: float = 30.0
    max_download_mb: float = 64.0
    retry_times: int = 2
    retry_backoff: float = 5.0  # seconds before the first retry; doubled each time
    retry_backoff_max: float = 120.0
    column_depth: int = 2  # links followed from a home page to find the column
    max_list_pages: int = 30
    history_years: int = 1  # earlier years also fetched (YR rules compare with them)
    refetch_days: float = 7.0  # re-download a stored page without ETag/Last-Modified after this long
    max_attachments: int = 5
    cache_list_pages: bool = True  # revalidate list pages with conditional requests
    cache_dir: str = ""  # default: "httpcache" beside the database
    log_level: str = "WARNING"
    log_file: str = ""
    hosts: dict[str, list[str]] = field(default_factory=dict)  # agency id -> extra hosts it may use

    @property
    def full_user_agent(self) -> str:
        if not self.contact:
            return self.user_agent
        contact = self.contact if "://" in self.contact else f"mailto:{self.contact}"
        return f"{self.user_agent} (+{contact})"

    @property
    def max_download_bytes(self) -> int:
        return int(self.max_download_mb * 1024 * 1024)


_NAMES = {f.name: f for f in fields(CrawlOptions)}


def crawl_options(config: Config | None) -> CrawlOptions:
    """Read ``[crawl]`` from the config; raise ConfigError (in Chinese) on a bad value."""
    raw: dict[str, Any] = dict((config.raw if config else {}).get("crawl", {}))
    options = CrawlOptions()
    for key, value in raw.items():
        if key not in _NAMES:
            known = "、".join(_NAMES)
            raise ConfigError(f"[crawl] 中有未知的设置项 {key!r}；可用的设置项：{known}")
        default = getattr(options, key)
        if key == "hosts":
            if not isinstance(value, dict) or not all(
                isinstance(v, list) and all(isinstance(h, str) for h in v) for v in value.values()
            ):
                raise ConfigError('[crawl.hosts] 应写作 机关编号 = ["主机名", ...]')
            options.hosts = {str(k): [h.strip().lower().removeprefix("www.") for h in v] for k, v in value.items()}
            continue
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"[crawl] {key} 应为 true 或 false，实际为 {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"[crawl] {key} 应为非负整数，实际为 {value!r}")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"[crawl] {key} 应为非负数，实际为 {value!r}")
            value = float(value)
        elif isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"[crawl] {key} 应为字符串，实际为 {value!r}")
        setattr(options, key, value)
    if options.concurrent_per_domain < 1 or options.concurrent_requests < 1:
        raise ConfigError("[crawl] concurrent_requests 与 concurrent_per_domain 至少为 1")
    if not options.user_agent.isascii() or not options.contact.isascii():
        raise ConfigError("[crawl] user_agent 与 contact 只能使用 ASCII 字符（HTTP 请求头的限制）")
    if options.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"[crawl] log_level 应为 DEBUG/INFO/WARNING/ERROR 之一，实际为 {options.log_level!r}")
    return options
