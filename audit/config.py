"""Settings from ``nianbao.toml``: deadlines per agency type and region.

    [deadlines]                 # month-day in the year after the report's year
    department = "01-31"        # 条例 art. 49: county-level and higher departments
    government = "03-31"        # a county-level or higher government's own report
    township = "01-31"          # towns and sub-districts: local rules

    [deadlines.regions."某某区"]   # a region whose towns publish later
    township = "02-20"

Other tables (smtp, schedule, crawl) belong to the modules that use them and
are kept here untouched in ``Config.raw``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

AGENCY_TYPES = ("department", "government", "township")
AGENCY_TYPE_LABELS = {"department": "政府部门", "government": "县级以上人民政府", "township": "乡镇（街道）"}
DEFAULT_DEADLINES = {"department": "01-31", "government": "03-31", "township": "01-31"}


class ConfigError(ValueError):
    pass


def _month_day(text: str, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        date(2024, month, day)  # a leap year accepts every real month-day
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: 截止日期应写作 MM-DD，例如 \"01-31\"，实际为 {text!r}") from exc
    return month, day


@dataclass
class Config:
    deadlines: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {k: _month_day(v, k) for k, v in DEFAULT_DEADLINES.items()}
    )
    region_deadlines: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    def deadline(self, agency_type: str, year: int, region: str | None = None) -> date:
        """The last day to publish the report on ``year``."""
        month, day = self.region_deadlines.get(region or "", {}).get(agency_type) or self.deadlines[agency_type]
        if month == 2 and day == 29:
            try:
                return date(year + 1, 2, 29)
            except ValueError:
                return date(year + 1, 2, 28)
        return date(year + 1, month, day)


def load_config(path: str | Path | None = None) -> Config:
    """Read ``path`` (or ./nianbao.toml when it exists); defaults otherwise."""
    if path is None:
        default = Path("nianbao.toml")
        if not default.exists():
            return Config()
        path = default
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from exc
    config = Config(raw=raw, path=str(path))
    section = raw.get("deadlines", {})
    for agency_type in AGENCY_TYPES:
        if agency_type in section:
            config.deadlines[agency_type] = _month_day(section[agency_type], f"[deadlines] {agency_type}")
    for region, overrides in section.get("regions", {}).items():
        config.region_deadlines[region] = {}
        for agency_type, value in overrides.items():
            if agency_type not in AGENCY_TYPES:
                raise ConfigError(f"[deadlines.regions.\"{region}\"]: 未知的机关类型 {agency_type!r}")
            config.region_deadlines[region][agency_type] = _month_day(value, f"[deadlines.regions.\"{region}\"] {agency_type}")
    return config
