"""The crawl summary: counts for the run record, and the Chinese text ``nianbao crawl`` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

HEALTH_LABELS = {
    "ok": "正常",
    "column_not_found": "未找到年报栏目",
    "list_unreachable": "栏目页面无法访问",
    "no_reports": "栏目中没有年报链接",
    "robots_disallowed": "robots.txt 禁止抓取",
    "offsite": "链接或跳转指向外部网站",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class CrawlSummary:
    run_id: int
    year: int
    as_of: str
    agencies_total: int = 0
    agencies_crawled: int = 0  # agencies whose crawl finished (whatever it found)
    reports_found: int = 0  # agencies with a report on ``year`` found in this crawl
    reports_new: int = 0  # report versions stored for the first time (all fetched years)
    reports_changed: int = 0  # reports whose content changed since the last crawl
    reports_unchanged: int = 0
    failures: list[dict] = field(default_factory=list)  # {agency_id, url, error}
    missing: list[str] = field(default_factory=list)  # agency ids with no report on ``year``
    findings: dict[str, int] = field(default_factory=dict)  # by severity, for the audits of this run
    findings_new: int = 0
    findings_resolved: int = 0
    health: list[dict] = field(default_factory=list)  # {agency_id, name, status, detail, reports_found}
    requests: int = 0
    response_bytes: int = 0
    not_modified: int = 0  # 304 answers to conditional requests
    reused: int = 0  # stored copies reused without a request
    errors: list[str] = field(default_factory=list)  # problems of the crawl itself (audit crashes, …)
    crawl_seconds: float = 0.0  # the reactor's part: fetching and storing
    seconds: float = 0.0  # the whole run, audits included

    @property
    def health_problems(self) -> list[dict]:
        return [h for h in self.health if h["status"] != "ok"]

    def as_dict(self) -> dict:
        data = asdict(self)
        data["health_problems"] = len(self.health_problems)
        return data

    def add_findings(self, findings, counts: dict[str, int]) -> None:
        tally = Counter(self.findings)
        tally.update(f.severity for f in findings)
        self.findings = dict(tally)
        self.findings_new += counts.get("new", 0) + counts.get("reopened", 0)
        self.findings_resolved += counts.get("resolved", 0)

    def text(self) -> str:
        lines = [
            f"抓取完成（第 {self.run_id} 次运行，{self.year} 年度，截至 {self.as_of}）",
            f"  机关：共 {self.agencies_total} 个，完成抓取 {self.agencies_crawled} 个",
            f"  年报：{self.reports_found} 个机关找到 {self.year} 年度年报，{len(self.missing)} 个未找到；"
            f"新增 {self.reports_new} 份，内容变化 {self.reports_changed} 份，未变化 {self.reports_unchanged} 份",
            f"  失败：{len(self.failures)} 个年报链接或附件无法获取",
            "  审核发现："
            + "，".join(f"{SEVERITY_LABELS[s]} {self.findings.get(s, 0)} 项" for s in ("error", "warning", "info"))
            + f"（新出现 {self.findings_new} 项，已解决 {self.findings_resolved} 项）",
            f"  网络：请求 {self.requests} 次，下载 {_size(self.response_bytes)}，"
            f"未变化的页面 {self.not_modified} 个（304），沿用已存副本 {self.reused} 个",
        ]
        problems = self.health_problems
        lines.append(f"  网站健康：{len(problems)} 个机关的网站有问题" if problems else "  网站健康：全部正常")
        for item in problems:
            label = HEALTH_LABELS.get(item["status"], item["status"])
            detail = f"——{item['detail']}" if item["detail"] else ""
            lines.append(f"    - {item['name']}（{item['agency_id']}）：{label}{detail}")
        if self.failures:
            lines.append("  无法获取的链接：")
            for failure in self.failures[:50]:
                lines.append(f"    - {failure['agency_id']}：{failure['url']}（{failure['error']}）")
            if len(self.failures) > 50:
                lines.append(f"    ……另有 {len(self.failures) - 50} 个")
        if self.missing:
            lines.append(f"  未找到 {self.year} 年度年报的机关：" + "、".join(self.missing))
        for error in self.errors:
            lines.append(f"  注意：{error}")
        return "\n".join(lines) + "\n"


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} 字节"
