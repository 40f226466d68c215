"""Scrapy's downloader, holding each site to its concurrency with no download delay too.

Scrapy 2.19 (asyncio reactor) starts each download of a slot's queue as a
task, and the task counts its request as transferring only when it first
runs. With no download delay, one pass over the queue therefore saw every
transfer slot free and started the whole queue at once: a list page's report
links went to the agency's server together, up to the crawl's total
concurrency, whatever CONCURRENT_REQUESTS_PER_DOMAIN said. (With a delay Scrapy starts one request
per pass, which is why the polite defaults never showed it.)
"""

from __future__ import annotations

from scrapy.core.downloader import Downloader


class PoliteDownloader(Downloader):
    def _wait_for_download(self, slot, request, queue_dfd):
        # Called as the request leaves the slot's queue; the coroutine it returns runs later.
        slot.transferring.add(request)  # Scrapy adds it again when the download starts, and removes it when done
        return super()._wait_for_download(slot, request, queue_dfd)
