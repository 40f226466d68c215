"""Where the HTTP cache keeps list pages between crawls: one file per page.

Only list and navigation pages are cached (documents live in the store); the
cache exists so that an unchanged list costs a 304. Scrapy's filesystem
storage writes a directory and seven files per page, which on a crawl of a
few hundred portals costs more time than parsing them; this storage writes
one file: a JSON line (URL, status, headers) and the body.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy.utils.response import response_from_dict


class CompactCacheStorage:
    def __init__(self, settings):
        self.cachedir = Path(settings["HTTPCACHE_DIR"])

    def open_spider(self, spider) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider) -> None:
        pass

    def _path(self, request) -> Path:
        key = self._fingerprinter.fingerprint(request).hex()
        return self.cachedir / key[:2] / key

    def retrieve_response(self, spider, request):
        try:
            data = self._path(request).read_bytes()
            head, _, body = data.partition(b"\n")
            meta = json.loads(head)
        except (OSError, ValueError):
            return None  # not cached, or a damaged entry: fetch afresh
        return response_from_dict({"url": meta["url"], "status": meta["status"], "headers": meta["headers"], "body": body})

    def store_response(self, spider, request, response) -> None:
        path = self._path(request)
        path.parent.mkdir(parents=True, exist_ok=True)
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in values] for k, values in response.headers.items()}
        head = json.dumps({"url": response.url, "status": response.status, "headers": headers}).encode()
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(head + b"\n" + response.body)
        os.replace(temporary, path)  # a crash mid-write never leaves half an entry
