"""Where the HTTP cache keeps list pages between crawls: one SQLite file.

Only list and navigation pages are cached (documents live in the store); the
cache exists so that an unchanged list costs a 304. A file per page (Scrapy's
filesystem storage writes a directory and seven) costs about 0.3 ms of
mkdir, write and rename on every list page fetched, more than parsing it.
Here a page is a row keyed by its URL (list pages are plain GETs), and new
rows are written in batches: a crawl that dies loses at most one batch,
which only means those lists are fetched in full next time.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from scrapy.utils.response import response_from_dict

logger = logging.getLogger("nianbao.crawl")

FILE_NAME = "pages.sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, final_url TEXT, status INTEGER, headers TEXT, body BLOB)"


class SQLiteCacheStorage:
    batch = 64  # rows kept in memory before they are written

    def __init__(self, settings):
        self.path = Path(settings["HTTPCACHE_DIR"]) / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, tuple] = {}

    def open_spider(self, spider=None) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = _connect(self.path)
            except sqlite3.DatabaseError as exc:
                # A damaged cache only costs full fetches: set it aside and start a new one.
                aside = self.path.with_name(self.path.name + ".damaged")
                logger.warning("列表页缓存 %s 已损坏（%s），已移至 %s 并重建", self.path, exc, aside)
                self.path.replace(aside)
                self._db = _connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            # No cache is no reason to stop: every list page is then fetched in full.
            logger.warning("无法打开列表页缓存 %s（%s），本次抓取不使用缓存", self.path, exc)
            self._db = None

    def close_spider(self, spider=None) -> None:
        if self._db is not None:
            self._flush()
            self._db.close()
            self._db = None

    def retrieve_response(self, spider, request):
        row = self._pending.get(request.url)
        if row is None and self._db is not None:
            row = self._db.execute("SELECT * FROM pages WHERE url = ?", (request.url,)).fetchone()
        if row is None:
            return None
        _, final_url, status, headers, body = row
        return response_from_dict({"url": final_url, "status": status, "headers": json.loads(headers), "body": body})

    def store_response(self, spider, request, response) -> None:
        if self._db is None:
            return
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in values] for k, values in response.headers.items()}
        self._pending[request.url] = (request.url, response.url, response.status, json.dumps(headers), response.body)
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)", self._pending.values())
        except sqlite3.Error as exc:  # a full disk must not stop the crawl; the pages are fetched again next time
            logger.warning("无法写入列表页缓存 %s：%s", self.path, exc)
        self._pending.clear()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)  # another crawl on the same cache waits its turn
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db
