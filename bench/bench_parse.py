"""Parse and audit throughput. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_parse.py [--generated 200] [--rounds 3]
    make bench

(a) the real reports and seeds under ../shared (fixtures/real, seeds), when
    that folder is beside the checkout (a note is printed when it is not);
(b) generated sample reports from ``audit.sample`` (``to_text`` and
    ``to_html`` alternately, agency names varied).

For each reader format: reports/second, median and p95 milliseconds per
report. Then the audit time per report (rules only, on reports already
parsed). Parsing is timed from bytes in memory (``parse_bytes``), so disk
is left out; each format gets one untimed warm-up parse first (imports).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.auditor import AuditOptions, audit_reports  # noqa: E402
from audit.interpret import parse_bytes  # noqa: E402
from audit.readers import sniff  # noqa: E402
from audit.sample import SampleReport, to_html, to_text  # noqa: E402

SHARED = ROOT.parent / "shared"
REAL_DIRS = [SHARED / "fixtures" / "real", SHARED / "seeds"]
REPORT_SUFFIXES = {".txt", ".html", ".htm", ".pdf", ".docx"}

PLACES = ["示例市", "东湖区", "西山县", "南江镇", "北塘街道", "青石县", "云溪市", "临河区", "白沙镇", "长宁县"]
OFFICES = ["生态环境局", "教育局", "民政局", "交通运输局", "卫生健康委员会", "人民政府", "财政局", "自然资源和规划局", "人民政府办公室", "市场监督管理局"]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation), of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def line(label: str, times: list[float]) -> str:
    total = sum(times)
    rate = len(times) / total if total else float("inf")
    return (
        f"  {label:<10} n={len(times):<5} {rate:9.1f} reports/s   "
        f"median {statistics.median(times) * 1000:8.2f} ms   p95 {percentile(times, 0.95) * 1000:8.2f} ms"
    )


def time_parses(items: list[tuple[str, bytes]], rounds: int) -> tuple[dict[str, list[float]], list]:
    """Parse each (name, bytes) ``rounds`` times; per-format times and the reports of the last round."""
    by_format: dict[str, list[float]] = defaultdict(list)
    warmed: set[str] = set()
    reports = []
    for name, data in items:
        kind = sniff(data, name)
        if kind not in warmed:
            parse_bytes(data, name, name)
            warmed.add(kind)
    for round_ in range(rounds):
        for name, data in items:
            kind = sniff(data, name)
            start = time.perf_counter()
            report = parse_bytes(data, name, name)
            by_format[kind].append(time.perf_counter() - start)
            if round_ == rounds - 1:
                reports.append(report)
    return by_format, reports


def time_audits(reports: list, rounds: int) -> list[float]:
    """Audit each report alone (no series), ``rounds`` times."""
    options = AuditOptions(published=date(2025, 1, 20), agency_type="department", as_of=date(2025, 6, 1))
    audit_reports(reports[:1], options)  # warm-up: imports and registers the rules
    times = []
    for _ in range(rounds):
        for report in reports:
            start = time.perf_counter()
            audit_reports([report], options)
            times.append(time.perf_counter() - start)
    return times


def print_block(title: str, by_format: dict[str, list[float]]) -> None:
    print(title)
    everything = [t for times in by_format.values() for t in times]
    for kind in sorted(by_format):
        print(line(kind, by_format[kind]))
    if len(by_format) > 1:
        print(line("all", everything))


def real_items() -> list[tuple[str, bytes]]:
    items = []
    for folder in REAL_DIRS:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in REPORT_SUFFIXES:
                    items.append((str(path.relative_to(SHARED)), path.read_bytes()))
    return items


def generated_items(count: int) -> list[tuple[str, bytes]]:
    items = []
    for i in range(count):
        agency = PLACES[i % len(PLACES)] + OFFICES[(i // len(PLACES)) % len(OFFICES)]
        sample = SampleReport(agency=agency, year=2021 + i % 4, published=f"{2022 + i % 4}-01-{10 + i % 18:02d}")
        sample.table3["new_received"][0] += i % 7
        sample.table3["new_received"][6] += i % 7
        sample.table3["granted"][0] += i % 7
        sample.table3["granted"][6] += i % 7
        sample.table3["processed_total"][0] += i % 7
        sample.table3["processed_total"][6] += i % 7
        if i % 2 == 0:
            items.append((f"generated-{i:03d}.txt", to_text(sample).encode("utf-8")))
        else:
            items.append((f"generated-{i:03d}.html", to_html(sample).encode("utf-8")))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=200, help="generated sample reports (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="times each real report is parsed (default 3)")
    args = parser.parse_args()

    print(f"nianbao parse benchmark — Python {sys.version.split()[0]}, time.perf_counter")
    print()

    real = real_items()
    if real:
        by_format, real_reports = time_parses(real, args.rounds)
        size = sum(len(d) for _, d in real) / 1024
        print_block(f"(a) real reports and seeds under ../shared: {len(real)} files, {size:.0f} KiB, {args.rounds} rounds", by_format)
        print("  audit per report (rules only, each report alone):")
        print(line("audit", time_audits(real_reports, args.rounds)))
    else:
        print(f"(a) {SHARED} is not beside this checkout: real reports and seeds skipped.")
    print()

    generated = generated_items(args.generated)
    by_format, reports = time_parses(generated, 1)
    size = sum(len(d) for _, d in generated) / 1024
    print_block(f"(b) generated sample reports (audit.sample, text and HTML alternately): {len(generated)} files, {size:.0f} KiB", by_format)
    print()

    audit_times = time_audits(reports, 1)
    print(f"(c) audit per report (rules only, each report alone, on the {len(reports)} generated reports)")
    print(line("audit", audit_times))


if __name__ == "__main__":
    main()
