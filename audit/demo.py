"""``nianbao demo``: the main job end to end on bundled sample reports.

Until the crawler lands, the demo writes the project's own sample reports
(``audit.sample``) to ``var/demo/reports/`` and audits them, so a new user
sees real findings from one command.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit.auditor import AuditOptions, audit_reports
from audit.interpret import parse_path
from audit.render import audit_text
from audit.sample import SampleReport, to_html, to_text


def demo_samples() -> dict[str, tuple[str, str]]:
    """File name -> (content, what it demonstrates)."""
    clean = SampleReport()
    late = SampleReport(agency="示例县交通运输局", published="2025-02-18")
    late.table3["granted"][0] += 2  # 予以公开 自然人 off by two: rows and columns stop adding up
    late.table3["granted"][6] += 2
    town = SampleReport(agency="示例镇人民政府", published="2025-01-10", fee_statement="本年度无其他需要报告的事项。")
    town.table3["granted"][1:6] = [None] * 5
    before = SampleReport(agency="示例区人民政府", year=2023, published="2024-03-20")
    after = SampleReport(agency="示例区人民政府", year=2024, published="2025-03-28")
    after.table3["carried_over"] = [2, 1, 0, 0, 0, 0, 3]
    after.table3["new_received"] = [41, 5, 0, 1, 2, 1, 50]
    return {
        "shengtai-2024.html": (to_html(clean), "规范的部门年报（HTML 页面），应无问题"),
        "jiaotong-2024.txt": (to_text(late), "逾期发布，表三数字不衔接"),
        "zhen-2024.txt": (to_text(town), "乡镇年报：空白单元格，未说明信息处理费"),
        "qu-2023.txt": (to_text(before), "区政府2023年报"),
        "qu-2024.txt": (to_text(after), "区政府2024年报：上年结转与2023年报不一致"),
    }


def run_demo(workdir: Path, as_of: date | None = None) -> int:
    reports_dir = workdir / "reports"
    reports_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (content, about) in demo_samples().items():
        path = reports_dir / name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
        print(f"示例年报 {path}：{about}")
    print()
    results = audit_reports([parse_path(p) for p in paths], AuditOptions(as_of=as_of or date.today()))
    print(audit_text(results))
    total = sum(len(r.findings) for r in results)
    errors = sum(1 for r in results for f in r.findings if f.severity == "error")
    print(f"演示完成：审核 {len(results)} 份年报，发现问题 {total} 项（错误 {errors} 项）。")
    print(f"示例年报位于 {reports_dir}/，可用 `.venv/bin/nianbao audit --format json <文件>` 查看结构化结果。")
    return 0
