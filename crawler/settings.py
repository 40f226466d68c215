"""Scrapy settings for nianbao's crawl (``scrapy.cfg`` points here).

The module-level names are the project defaults; ``scrapy_settings`` lays
the ``[crawl]`` options of nianbao.toml over them for one run.
"""

from __future__ import annotations

from pathlib import Path

from crawler.options import CrawlOptions

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ROBOTSTXT_OBEY = True  # always: there is no option to turn it off
COOKIES_ENABLED = False
DOWNLOADER = "crawler.downloader.PoliteDownloader"  # CONCURRENT_REQUESTS_PER_DOMAIN held with no delay too
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.AgencyHostsMiddleware": 40,  # before robots.txt: never contact a foreign host
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Nearer the network than the HTTP cache (900), not before it: the summary's 304s
    # and "下载" bytes are what the servers sent, not the cached list page the cache
    # hands on in place of a 304.
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 950,
}
SPIDER_MIDDLEWARES = {
    # The spider counts its own depth (hops from the home page while looking for the
    # column; a list's later pages keep their first page's) under meta["depth"], which
    # this middleware would overwrite with the plain hop count.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
HTTPCACHE_POLICY = "crawler.middlewares.RevalidatePolicy"
HTTPCACHE_STORAGE = "crawler.httpcache.SQLiteCacheStorage"

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the spider logs every failure itself, in Chinese, with its URL
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# Scrapy starts this many asyncio workers for every callback's output, however
# short; the items go to one SQLite writer, so running them in parallel buys
# nothing, while 100 tasks per response cost more than parsing the page.
CONCURRENT_ITEMS = 4
LOG_LEVEL = "WARNING"


def scrapy_settings(options: CrawlOptions, cache_dir: Path | None) -> dict:
    """Settings for one run: the module defaults plus the ``[crawl]`` options."""
    settings = {name: value for name, value in globals().items() if name.isupper()}
    settings.update(
        USER_AGENT=options.full_user_agent,
        CONCURRENT_REQUESTS=options.concurrent_requests,
        CONCURRENT_REQUESTS_PER_DOMAIN=options.concurrent_per_domain,
        DOWNLOAD_DELAY=options.download_delay,
        AUTOTHROTTLE_ENABLED=options.autothrottle,
        AUTOTHROTTLE_START_DELAY=options.autothrottle_start_delay,
        AUTOTHROTTLE_MAX_DELAY=max(options.autothrottle_max_delay, options.autothrottle_start_delay),
        AUTOTHROTTLE_TARGET_CONCURRENCY=options.autothrottle_target_concurrency,
        DOWNLOAD_TIMEOUT=options.download_timeout,
        DOWNLOAD_MAXSIZE=options.max_download_bytes,
        DOWNLOAD_WARNSIZE=min(DOWNLOAD_WARNSIZE, options.max_download_bytes),
        RETRY_TIMES=options.retry_times,
        RETRY_BACKOFF=options.retry_backoff,
        RETRY_BACKOFF_MAX=options.retry_backoff_max,
        LOG_LEVEL=options.log_level.upper(),
        HTTPCACHE_ENABLED=bool(options.cache_list_pages and cache_dir),
    )
    if cache_dir:
        settings["HTTPCACHE_DIR"] = str(cache_dir)
    if options.log_file:
        settings["LOG_FILE"] = options.log_file
    return settings
