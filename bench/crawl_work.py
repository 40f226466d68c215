"""nianbao's own work per crawled page, without Scrapy and without the network.

    .venv/bin/python bench/crawl_work.py [--copies 16] [--rounds 5]

Replays a crawl of the healthy test portals: the spider's callbacks read
each page (answered straight from ``crawler.testportal.site``) and the store
pipeline writes each document to a real SQLite file, in the order a
breadth-first crawl meets them. Scrapy's engine, middlewares and HTTP are
left out, so the figure is what nianbao adds to every page Scrapy fetches,
free of the timing noise of a real crawl (``bench/crawl.py`` measures that).
Prints the fastest of ``--rounds`` replays.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from common import ROOT  # noqa: F401 - puts the project on sys.path
from crawl import HEALTHY, YEAR

from scrapy.http import HtmlResponse, Response

from audit.store import Store
from crawler.items import FetchedDocument
from crawler.options import CrawlOptions
from crawler.pipelines import StorePipeline
from crawler.spiders.annual_reports import AnnualReportSpider
from crawler.testportal.site import Site



def answer(site: Site, request) -> Response | None:
    parts = urlsplit(request.url)
    resource = site.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    if resource is None or resource.location or resource.stream_size:
        return None  # the healthy portals have no redirect or endless file
    body, headers = resource.answer(f"{parts.scheme}://{parts.netloc}")
    kind = HtmlResponse if "html" in resource.content_type else Response
    return kind(request.url, status=resource.status, headers=headers, body=body, request=request)


def replay(site: Site, copies: int, workdir: Path) -> tuple[int, float]:
    """Pages read and seconds spent in the spider and the store pipeline."""
    store = Store(workdir / "nianbao.db")
    agencies = [
        {**row, "id": f"{row['id']}-{n}", "url": f"http://127.0.0.1:{8000 + n}{row['url']}"}
        for n in range(copies)
        for row in site.agencies
        if row["id"] in HEALTHY
    ]
    store.upsert_agencies(agencies)
    run_id = store.start_run("crawl", YEAR, "2026-06-01")
    spider = AnnualReportSpider(agencies=agencies, years=[YEAR, YEAR - 1], store=store, run_id=run_id, options=CrawlOptions())
    spider.crawler = None  # no Scrapy around it: no stats to count
    pipeline = StorePipeline()
    pipeline.crawler = SimpleNamespace(spider=spider)

    async def start():
        return [request async for request in spider.start()]

    queue = asyncio.run(start())
    pages, seconds = 0, 0.0
    while queue:
        request = queue.pop(0)
        response = answer(site, request)
        if response is None:
            continue
        started = time.perf_counter()
        for output in request.callback(response):
            if isinstance(output, FetchedDocument):
                pipeline.process_item(output)
            else:
                queue.append(output)
        seconds += time.perf_counter() - started
        pages += 1
    store.db.close()
    return pages, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    site = Site(YEAR, "http://127.0.0.1:1")
    best, pages = float("inf"), 0
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            pages, seconds = replay(site, args.copies, Path(tmp))
        best = min(best, seconds)
    print(f"nianbao's own work, {args.copies} copies of the healthy test portals replayed without Scrapy: {pages} pages")
    print(f"  spider callbacks + store pipeline  {best * 1000 / pages:.3f} ms/page (fastest of {args.rounds})")


if __name__ == "__main__":
    main()
