"""Portal families: one small module per CMS for what differs between them.

``detect`` picks the family for a fetched page; the generic family reads
anything the others do not claim.
"""

from __future__ import annotations

from crawler.families.base import Listing, PortalFamily, first_page_alias
from crawler.families.generic import GenericFamily
from crawler.families.gkmlpt import GkmlptFamily
from crawler.families.hanweb import HanwebFamily
from crawler.families.trs import TRSFamily

FAMILIES: list[PortalFamily] = [GkmlptFamily(), HanwebFamily(), TRSFamily(), GenericFamily()]
BY_NAME = {family.name: family for family in FAMILIES}


def detect(url: str, body: bytes = b"") -> PortalFamily:
    for family in FAMILIES:
        if family.matches(url, body):
            return family
    return BY_NAME["generic"]


__all__ = ["FAMILIES", "BY_NAME", "Listing", "PortalFamily", "detect", "first_page_alias"]
