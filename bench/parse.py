"""Reading speed per input format, against the bare library floor.

    .venv/bin/python bench/parse.py [--rounds 7]        (make bench)

For every seed and real report under ../shared, and for the project's own
sample reports (text, HTML and PDF), it times ``parse_bytes`` (bytes in
memory to canonical Report) and prints, per format, reports per second per
core (one process, one thread) and the ratio of nianbao's time to the bare
library floor on the same bytes: for HTML ``lxml.html.fromstring``, for PDF
pdfplumber's ``extract_tables()`` on every page. Each figure is the fastest
of several rounds (at least --rounds, and at least half a second per report),
nianbao and the floor taking turns of five runs each: a slow spell of the
machine falls on both, and each pays for its own freed trees rather than
the other's (``common.best_times``). Targets (issue 2): text >= 500
reports/s per core, HTML <= 3x lxml, PDF <= 1.5x pdfplumber.
"""

from __future__ import annotations

import argparse
import io
from collections import defaultdict

from common import SHARED, best_times, shared_reports

import lxml.html
import pdfplumber

from audit.interpret import parse_bytes
from audit.readers import sniff
from audit.sample import SampleReport, to_html, to_text

TARGETS = {"text": "target >= 500 reports/s per core", "html": "target <= 3x lxml on a full portal page", "pdf": "target <= 1.5x pdfplumber"}


def html_floor(data: bytes) -> None:
    lxml.html.fromstring(data)


def pdf_floor(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


MIN_SECONDS = 0.5  # per report: fast reports get many rounds (see best_times)
RUNS_PER_TURN = 5
FLOORS = {"html": ("lxml.html.fromstring", html_floor), "pdf": ("pdfplumber extract_tables", pdf_floor)}


def samples() -> list[tuple[str, bytes]]:
    from crawler.testportal.files import report_pdf

    items = []
    for index, office in enumerate(["生态环境局", "教育局", "民政局", "财政局"]):
        sample = SampleReport(agency=f"示例市{office}")
        items += [(f"sample-{index}.txt", to_text(sample).encode()), (f"sample-{index}.html", to_html(sample).encode())]
        items.append((f"sample-{index}.pdf", report_pdf(sample)))
    return items


def measure(items: list[tuple[str, bytes]], rounds: int) -> None:
    ours: dict[str, list[float]] = defaultdict(list)
    floor: dict[str, list[float]] = defaultdict(list)
    for name, data in items:
        kind = sniff(data, name)
        parse_bytes(data, name, name)  # warm-up: imports, caches
        if kind in FLOORS:
            ours_time, floor_time = best_times(
                [lambda: parse_bytes(data, name, name), lambda: FLOORS[kind][1](data)], rounds, MIN_SECONDS, RUNS_PER_TURN
            )
            floor[kind].append(floor_time)
        else:
            (ours_time,) = best_times([lambda: parse_bytes(data, name, name)], rounds, MIN_SECONDS)
        ours[kind].append(ours_time)
    for kind in ("text", "html", "pdf"):
        times = ours.get(kind)
        if not times:
            continue
        total = sum(times)
        line = f"  {kind:5} n={len(times):<3} {len(times) / total:8.1f} reports/s per core   mean {total / len(times) * 1000:8.2f} ms"
        if kind in floor:
            line += f"   {FLOORS[kind][0]}: {sum(floor[kind]) / len(times) * 1000:8.2f} ms   ratio {total / sum(floor[kind]):4.2f}x"
        print(f"{line}   ({TARGETS[kind]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print("nianbao parse benchmark: fastest of", args.rounds, "rounds per report, one process")
    paths = shared_reports() if SHARED.exists() else []
    if paths:
        print(f"(a) seeds and real reports under ../shared: {len(paths)} files")
        measure([(p.name, p.read_bytes()) for p in paths], args.rounds)
    else:
        print("(a) ../shared is not beside this checkout: seeds and real reports skipped")
    print("(b) the project's own sample reports (audit.sample): text, HTML and PDF")
    measure(samples(), args.rounds)


if __name__ == "__main__":
    main()
