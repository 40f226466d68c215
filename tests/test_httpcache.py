"""The list-page cache (crawler.httpcache) on real SQLite files."""

from __future__ import annotations

import sqlite3

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.httpcache import FILE_NAME, SQLiteCacheStorage

LIST = "http://portal.example/gknb/index.html"
BODY = "<html><body><a href='t1.html'>2025年政府信息公开工作年度报告</a></body></html>".encode()


def storage(tmp_path) -> SQLiteCacheStorage:
    cache = SQLiteCacheStorage({"HTTPCACHE_DIR": str(tmp_path / "httpcache")})
    cache.open_spider(None)
    return cache


def page(url=LIST, body=BODY, status=200, final_url=None):
    headers = {"ETag": '"v1"', "Last-Modified": "Tue, 20 Jan 2026 08:00:00 GMT", "Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(final_url or url, status=status, headers=headers, body=body)


def test_a_stored_page_comes_back_after_the_crawl_ends(tmp_path):
    cache = storage(tmp_path)
    assert cache.retrieve_response(None, Request(LIST)) is None
    cache.store_response(None, Request(LIST), page(final_url=LIST + "?from=redirect"))
    cache.close_spider(None)

    again = storage(tmp_path)
    cached = again.retrieve_response(None, Request(LIST))
    assert cached.status == 200 and cached.body == BODY
    assert cached.url == LIST + "?from=redirect"  # where the page really came from, for resolving its links
    assert cached.headers[b"ETag"] == b'"v1"' and cached.headers[b"Last-Modified"] == b"Tue, 20 Jan 2026 08:00:00 GMT"
    assert again.retrieve_response(None, Request(LIST + "?page=2")) is None


def test_a_page_is_found_before_its_batch_is_written_and_the_newest_copy_wins(tmp_path):
    cache = storage(tmp_path)
    cache.store_response(None, Request(LIST), page(body=b"<html>old</html>"))
    cache.store_response(None, Request(LIST), page(body=b"<html>new</html>"))
    assert cache.retrieve_response(None, Request(LIST)).body == b"<html>new</html>"
    cache.close_spider(None)
    with sqlite3.connect(tmp_path / "httpcache" / FILE_NAME) as db:
        assert db.execute("select url, body from pages").fetchall() == [(LIST, b"<html>new</html>")]


def test_full_batches_are_written_during_the_crawl(tmp_path):
    # A crawl that dies loses at most the last, unwritten batch.
    cache = storage(tmp_path)
    urls = [f"http://portal.example/gknb/index_{n}.html" for n in range(cache.batch + 3)]
    for url in urls:
        cache.store_response(None, Request(url), page(url))
    with sqlite3.connect(tmp_path / "httpcache" / FILE_NAME) as db:
        written = [row[0] for row in db.execute("select url from pages order by rowid")]
    assert written == urls[: cache.batch]
    cache.close_spider(None)


def test_a_damaged_cache_file_is_set_aside_and_the_crawl_goes_on(tmp_path, caplog):
    directory = tmp_path / "httpcache"
    directory.mkdir()
    (directory / FILE_NAME).write_bytes(b"this is not a database" * 100)
    cache = storage(tmp_path)
    assert cache.retrieve_response(None, Request(LIST)) is None
    cache.store_response(None, Request(LIST), page())
    cache.close_spider(None)
    assert (directory / (FILE_NAME + ".damaged")).read_bytes().startswith(b"this is not a database")
    assert "已损坏" in caplog.text and FILE_NAME in caplog.text
    assert storage(tmp_path).retrieve_response(None, Request(LIST)).body == BODY


def test_a_cache_that_cannot_be_opened_means_full_fetches_not_a_failed_crawl(tmp_path, caplog):
    blocker = tmp_path / "httpcache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    cache = storage(tmp_path)
    cache.store_response(None, Request(LIST), page())
    assert cache.retrieve_response(None, Request(LIST)) is None
    cache.close_spider(None)
    assert "无法打开列表页缓存" in caplog.text and str(blocker) in caplog.text
