"""Audit speed: reports audited per second per core, reading included, and
the share the rules add to the reading time (issue 3 target: <= 20%).

    .venv/bin/python bench/audit.py [--rounds 7]        (make bench)
"""

from __future__ import annotations

import argparse

from common import SHARED, best_time, shared_reports

from audit.auditor import AuditOptions, build_context
from audit.engine import run_rules
from audit.interpret import parse_bytes
from audit.sample import SampleReport, to_html, to_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    items = [(p.name, p.read_bytes()) for p in shared_reports()] if SHARED.exists() else []
    items += [(f"sample-{i}.{'txt' if i % 2 else 'html'}", (to_text if i % 2 else to_html)(SampleReport(agency=f"示例市第{i}局")).encode()) for i in range(10)]
    options = AuditOptions()
    reading = rules = 0.0
    for name, data in items:
        report = parse_bytes(data, name, name)
        context = build_context(report, options, [])
        reading += best_time(lambda: parse_bytes(data, name, name), args.rounds)
        rules += best_time(lambda: run_rules(context), args.rounds)
    total = reading + rules
    print(f"nianbao audit benchmark: {len(items)} reports ({'with' if SHARED.exists() else 'without'} ../shared), fastest of {args.rounds} rounds")
    print(f"  read + audit  {len(items) / total:8.1f} reports/s per core   mean {total / len(items) * 1000:7.2f} ms")
    print(f"  reading       mean {reading / len(items) * 1000:7.2f} ms")
    print(f"  rules         mean {rules / len(items) * 1000:7.2f} ms   = {rules / reading:.0%} of reading time (target <= 20%)")


if __name__ == "__main__":
    main()
