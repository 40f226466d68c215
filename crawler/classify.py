"""Which links are annual reports, of which year, and which are columns.

Pure functions on link text: the spider and the parser tests share them.

An annual report title names a year and says 年度报告 or 年报 (``2023年政府
信息公开工作年度报告``, ``二〇二三年度信息公开年报``). Portals list many look-alikes
beside them, which must be skipped: the website's own yearly statistics
(政府网站工作年度报表), the government work report (政府工作报告), notices
about compiling the reports, interpretations (解读) and other yearly reports
(法治政府建设年度报告). A title that names the year and 年度报告 but not 信息公开
is accepted only inside an annual-report column (``strong=False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CN_DIGITS = str.maketrans({"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3",
                            "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})
_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"（": "(", "）": ")", "　": " ", "－": "-", "／": "/", "．": "."}
)
_CN_YEAR = re.compile(r"[〇○零Ｏ一二三四五六七八九]{4}(?=\s*年)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)\s*(年度?|\)|）)?")

REPORT_WORDS = ("年度报告", "年报", "年度工作报告")
# Words that mark a look-alike even when 年度报告/年报 and a year are present:
# notices, interpretations and reviews about the report, never a report itself.
FORM_WORDS = (
    "年度报表", "网站工作", "政府工作报告", "通知", "通报", "编制", "报送", "做好", "开展", "征集", "培训",
    "解读", "图解", "一图读懂", "问答", "检查", "评估", "评议", "考核", "测评", "征求意见", "公示", "目录", "指南",
)
# Other yearly reports' topics. They are also words of agency names (审计局,
# 安全生产监督管理局, 营商环境建设局), so they mark a look-alike only in a title
# that does not say 信息公开/政务公开.
TOPIC_WORDS = (
    "工作要点", "工作方案", "工作总结", "统计公报", "决算", "预算", "法治政府", "法治建设", "营商环境", "安全生产",
    "社会责任", "履职", "党建", "审计", "环境状况",
)
STRONG_WORDS = ("信息公开", "政务公开")

# Column link texts, best first (spec §5), and the sections that hold them.
COLUMN_WORDS = ("政府信息公开年报", "政府信息公开年度报告", "信息公开年度报告", "信息公开年报", "政务公开年报", "公开年报", "年度报告", "年报")
NAV_WORDS = ("法定主动公开内容", "政府信息公开", "信息公开", "政务公开", "主动公开", "公开目录")


@dataclass(frozen=True)
class TitleClass:
    kind: str  # "report" | "lookalike" | "other"
    year: int | None = None
    strong: bool = False  # says 信息公开/政务公开, so it is a report wherever it is listed
    reason: str = ""


# Both are memoised: a portal's menus repeat the same link texts on every page.
@lru_cache(maxsize=8192)
def normalize(text: str | None) -> str:
    """Full-width digits and brackets to ASCII, Chinese-numeral years to digits, no inner spaces."""
    text = (text or "").translate(_FULLWIDTH)
    text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)
    return re.sub(r"\s+", "", text)


def title_year(text: str) -> int | None:
    """The year a report title is about: the first plausible year, preferring one followed by 年."""
    text = normalize(text)
    candidates = [(int(m.group(1)), bool(m.group(2))) for m in _YEAR.finditer(text)]
    marked = [year for year, has_mark in candidates if has_mark]
    years = marked or [year for year, _ in candidates]
    return years[0] if years else None


@lru_cache(maxsize=8192)
def classify_title(title: str | None) -> TitleClass:
    text = normalize(title)
    if not text:
        return TitleClass("other", reason="empty")
    if not any(word in text for word in REPORT_WORDS):
        if "年度报表" in text:
            return TitleClass("lookalike", title_year(text), reason="年度报表")
        if "政府工作报告" in text:
            return TitleClass("lookalike", title_year(text), reason="政府工作报告")
        return TitleClass("other", reason="no report word")
    strong = any(word in text for word in STRONG_WORDS)
    for word in FORM_WORDS + (() if strong else TOPIC_WORDS):
        if word in text:
            return TitleClass("lookalike", title_year(text), reason=word)
    year = title_year(text)
    if year is None:
        return TitleClass("other", reason="no year")
    return TitleClass("report", year, strong=strong)


def column_score(text: str | None) -> int:
    """How surely a link text names the annual-report column: 0 (not at all) .. len(COLUMN_WORDS)."""
    text = normalize(text)
    if not text or len(text) > 20 or title_year(text) is not None:
        return 0  # a dated title is an article, not a column
    if any(word in text for word in ("年度报表", "政府工作报告", "解读")):
        return 0
    for rank, word in enumerate(COLUMN_WORDS):
        if word in text:
            return len(COLUMN_WORDS) - rank
    return 0


def nav_score(text: str | None) -> int:
    """How surely a link text leads towards the disclosure section (where the column lives)."""
    text = normalize(text)
    if not text or len(text) > 14 or column_score(text):
        return 0
    for rank, word in enumerate(NAV_WORDS):
        if word in text:
            return len(NAV_WORDS) - rank
    return 0


def is_column_title(text: str | None) -> bool:
    """Whether a page title or heading says the page is an annual-report column."""
    text = normalize(text)
    return bool(text) and any(word in text for word in COLUMN_WORDS) and not any(
        word in text for word in ("年度报表", "政府工作报告")
    )
