"""Item pipeline: every fetched or failed document goes through ``Store.store_document``.

The store keeps each distinct version once (unchanged content only refreshes
``last_seen``); the outcome is written back to the spider's ledger, which
``crawler.run`` reads after the crawl to choose, store and audit reports.
"""

from __future__ import annotations

import logging

from crawler.items import FetchedDocument
from crawler.ledger import Outcome

logger = logging.getLogger("nianbao.crawl")


class StorePipeline:
    def process_item(self, item: FetchedDocument):
        spider = self.crawler.spider
        outcome = Outcome(url=item.url, error=item.error, status=item.http_status, how=item.how, is_html=item.is_html)
        try:
            stored = spider.store.store_document(
                agency_id=item.agency_id,
                url=item.url,
                content=item.content,
                run_id=spider.run_id,
                final_url=item.final_url,
                http_status=item.http_status,
                headers=item.headers,
                content_type=item.content_type,
                title=item.title,
                list_url=item.list_url,
                published=item.published,
                published_source=item.published_source,
                error=item.error,
            )
        except Exception as exc:  # noqa: BLE001 - one bad write must not stop the crawl
            logger.error("无法保存 %s：%s", item.url, exc)
            outcome.error = outcome.error or f"保存失败：{exc}"
        else:
            outcome.document_id = stored.id
            outcome.changed = stored.changed
            outcome.first_version = stored.first_version
            outcome.size = len(item.content) if item.content is not None else None
        spider.record_outcome(item, outcome)
        return item

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline
