"""Run a crawl in this process: ``crawl_agencies`` is what ``nianbao crawl``, the
scheduler's child process and the benchmarks call.

The Twisted reactor runs here and cannot be restarted, so one process runs
one crawl; a second call raises. The crawl fetches and stores (the spider
and the store pipeline); once the reactor stops, ``crawler.results`` chooses,
stores and audits each agency's reports and records its portal's health.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterable
from datetime import date

from audit.config import Config
from audit.pipeline import ReportCache
from audit.store import Store
from crawler.options import crawl_options
from crawler.summary import CrawlSummary

logger = logging.getLogger("nianbao.crawl")
_reactor_used = False


class CrawlError(RuntimeError):
    pass


def crawl_agencies(
    store: Store,
    agencies: Iterable,
    *,
    year: int,
    as_of: date,
    config: Config,
    only: Iterable[str] | None = None,
    progress: bool = False,
) -> CrawlSummary:
    """Crawl ``agencies`` (registry rows: ``Agency`` objects or dicts), store and audit what was found.

    ``only`` restricts the crawl to those agency ids. Returns the summary; its
    ``text()`` is what ``nianbao crawl`` prints.
    """
    if _reactor_used:
        raise CrawlError("同一进程只能运行一次抓取（Twisted reactor 不能重启）；请在子进程中运行 nianbao crawl")
    rows = [a.as_dict() if hasattr(a, "as_dict") else dict(a) for a in agencies]
    if only:
        wanted = [part for item in only for part in str(item).replace("，", ",").split(",") if part.strip()]
        known = {row["id"] for row in rows}
        unknown = [item for item in wanted if item not in known]
        if unknown:
            raise CrawlError(f"登记表中没有这些机关编号：{'、'.join(unknown)}")
        rows = [row for row in rows if row["id"] in set(wanted)]
    options = crawl_options(config)
    if not options.contact:
        logger.warning("提示：[crawl] 中未配置 contact（联系邮箱或网址），User-Agent 中没有联系方式")
    store.upsert_agencies(rows)
    years = [year - back for back in range(options.history_years + 1)]
    run_id = store.start_run("crawl", year, as_of.isoformat())
    summary = CrawlSummary(run_id=run_id, year=year, as_of=as_of.isoformat(), agencies_total=len(rows))
    started = time.monotonic()
    try:
        spider, stats = _run_reactor(store, rows, years, run_id, options, progress)
    except BaseException as exc:
        store.finish_run(run_id, {"error": str(exc)}, status="failed")
        raise
    summary.agencies_crawled = sum(1 for state in spider.ledger.agencies.values() if state.finished)
    summary.requests = int(stats.get("downloader/request_count", 0))
    summary.response_bytes = int(stats.get("downloader/response_bytes", 0))
    summary.not_modified = int(stats.get("downloader/response_status_count/304", 0))
    summary.reused = int(stats.get("nianbao/reused_without_request", 0))
    summary.crawl_seconds = round(float(stats.get("elapsed_time_seconds", 0.0)), 3)

    from crawler.results import settle

    cache = ReportCache(store)
    for row in rows:
        state = spider.ledger.agencies[row["id"]]
        try:
            settle(store, state, summary, year=year, years=years, as_of=as_of, config=config, run_id=run_id, cache=cache)
        except Exception as exc:  # noqa: BLE001 - one agency's trouble must not lose the others' results
            logger.exception("处理 %s 的抓取结果时出错", row["id"])
            summary.errors.append(f"处理 {row['id']} 的抓取结果时出错：{exc}")
    summary.seconds = round(time.monotonic() - started, 2)
    interrupted = summary.agencies_crawled < summary.agencies_total
    store.finish_run(run_id, summary.as_dict(), status="interrupted" if interrupted else "finished")
    return summary


def _run_reactor(store, rows, years, run_id, options, progress):
    global _reactor_used
    from scrapy.crawler import CrawlerProcess

    from crawler.settings import scrapy_settings
    from crawler.spiders.annual_reports import AnnualReportSpider

    cache_dir = (store.path.parent / "httpcache") if not options.cache_dir else options.cache_dir
    process = CrawlerProcess(scrapy_settings(options, cache_dir))
    # Scrapy sets its loggers to DEBUG and filters at the handler, so every debug
    # call (Scrapy's, and pdfminer's while reports are read) still builds a record.
    level = options.log_level.upper()
    logging.getLogger().setLevel(level)
    logging.getLogger("scrapy").setLevel(level)
    crawler = process.create_crawler(AnnualReportSpider)
    failures = []
    deferred = process.crawl(
        crawler, agencies=rows, years=years, store=store, run_id=run_id, options=options,
        progress=ProgressPrinter() if progress else None,
    )
    deferred.addErrback(lambda failure: failures.append(failure))
    _reactor_used = True
    process.start(install_signal_handlers=threading.current_thread() is threading.main_thread())
    # Scrapy leaves the root logger at NOTSET: every debug call of the PDF
    # library while the reports are audited would still build a record.
    logging.getLogger().setLevel(level)
    if failures:
        failure = failures[0]
        raise CrawlError(f"抓取未能运行：{failure.getErrorMessage()}") from failure.value
    if crawler.spider is None:
        raise CrawlError("抓取未能启动")
    return crawler.spider, crawler.stats.get_stats()


class ProgressPrinter:
    """One line per finished agency on stderr; on a terminal, one line rewritten in place."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int, state) -> None:
        found = len(state.report_links)
        status = "未找到年报栏目" if not state.column_found else f"年报链接 {found} 个"
        line = f"[{done}/{total}] {state.agency['name']}：{status}"
        if self.tty:
            end = "\n" if done == total else ""
            self.stream.write("\r\033[K" + line + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
