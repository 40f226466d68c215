"""TXT: the narrative against the tables and against itself.

Only statements that unmistakably name the same quantity as a table cell are
compared; a number the text may count differently is not a contradiction.
"收到申请N件" may include last year's carry-over, so it agrees when N is
either 本年新收 or 本年新收 + 上年结转. A sentence whose subject is a part of
the body (an office receiving "on behalf of" the government) is still
flagged, because the reader sees two different numbers, but the message says
the scope may differ.
"""

from __future__ import annotations

import re

from audit.engine import AuditContext, finding, rule
from audit.interpret.normalize import halfwidth
from rules.common import is_number

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_RECEIVED = re.compile(
    r"(?:收到|受理|新收|接收|共收)(?:了)?(?:各类)?(?:政府信息公开|依申请公开)?(?:申请)?"
    r"(?:政府信息公开|依申请公开)?申请(?:数)?(?:为|共)?\s*(\d+)\s*件"
)
_RECEIVED_COUNT = re.compile(r"(?:依申请公开|政府信息公开)申请(?:数|数量)?(?:为|共)\s*(\d+)\s*件")
_NONE_RECEIVED = re.compile(r"未(?:收到|受理|发生)[^，,。]{0,8}(?:政府信息公开|依申请公开)(?:的)?申请(?!行政复议|.{0,4}(?:复议|诉讼))")
_REVIEW = re.compile(r"(?<!未)行政复议(?:案件)?(?:数)?(?:为|共)?\s*(\d+)\s*(?:件|起)")
_LITIGATION = re.compile(r"(?<!未)行政诉讼(?:案件)?(?:数)?(?:为|共)?\s*(\d+)\s*(?:件|起)")
_NARROW_SCOPE = re.compile(r"代表|办公室|本办|政府办|本机关|本单位本级")


def _sentences(report):
    """(section number or None, sentence) for the narrative, table rows left out."""
    sections = [s for s in report.sections if s.found]
    texts = [(s.number, s.text) for s in sections] or [(None, report.body_text)]
    for number, text in texts:
        # Lines are joined: text dumps of PDFs wrap sentences anywhere.
        narrative = "".join(line for line in text.splitlines() if "\t" not in line)
        for match in _SENTENCE.finditer(halfwidth(narrative)):
            yield number, match.group().strip()


@rule("TXT-001", "warning", "正文所述数字与统计表不一致")
def txt_001(context: AuditContext):
    """A number stated in the text contradicts the tables: applications received
    ("未收到政府信息公开申请" while 本年新收 > 0, or "收到申请N件" ≠ table 3),
    administrative reviews or lawsuits ≠ table 4 totals.

    Only sentences that clearly state one of these quantities are compared,
    and each finding quotes the sentence.
    """
    report = context.report
    if not report.readable:
        return
    t3, t4 = report.table3, report.table4
    new = t3["new_received"]["total"] if report.tables_found.get("table3") else None
    old = t3["carried_over"]["total"] if report.tables_found.get("table3") else None
    reviews = t4["review"]["total"] if report.tables_found.get("table4") else None
    suits = None
    if report.tables_found.get("table4"):
        direct, after = t4["litigation_direct"]["total"], t4["litigation_after_review"]["total"]
        if is_number(direct) and is_number(after):
            suits = direct + after

    for section, sentence in _sentences(report):
        if is_number(new):
            if new > 0 and _NONE_RECEIVED.search(sentence):
                yield finding(
                    "TXT-001",
                    f"正文称“{sentence}”，但表三本年新收政府信息公开申请为 {new} 件",
                    {"table": "table3", "row": "new_received", "quantity": "received_none", "section": section},
                    sentence=sentence,
                    table_value=new,
                )
            for match in list(_RECEIVED.finditer(sentence)) + list(_RECEIVED_COUNT.finditer(sentence)):
                stated = int(match.group(1))
                accepted = {new} | ({new + old} if is_number(old) else set())
                if stated in accepted:
                    continue
                scope = "（正文所述可能仅为本办/本机关受理的数量，统计口径请予核实）" if _NARROW_SCOPE.search(sentence) else ""
                yield finding(
                    "TXT-001",
                    f"正文称“{sentence}”（{stated}件），但表三本年新收政府信息公开申请为 {new} 件"
                    + (f"、加上年结转为 {new + old} 件" if is_number(old) and old else "")
                    + scope,
                    {"table": "table3", "row": "new_received", "quantity": "received", "stated": stated, "section": section},
                    sentence=sentence,
                    stated=stated,
                    table_value=new,
                )
        for pattern, total, what, row in ((_REVIEW, reviews, "行政复议", "review"), (_LITIGATION, suits, "行政诉讼", "litigation")):
            if not is_number(total):
                continue
            for match in pattern.finditer(sentence):
                stated = int(match.group(1))
                if stated != total:
                    yield finding(
                        "TXT-001",
                        f"正文称“{sentence}”（{what}{stated}件），但表四{what}总计为 {total} 件",
                        {"table": "table4", "row": row, "quantity": what, "stated": stated, "section": section},
                        sentence=sentence,
                        stated=stated,
                        table_value=total,
                    )


_TOTAL = re.compile(r"(?:共|总量为|总数为|合计|累计)?[^，,。；]{0,20}?(\d+)\s*(条|件|个|篇|项)[,，]?\s*其中")
_PART = re.compile(r"(\d+)\s*(条|件|个|篇|项)(?!\s*[%％])")


@rule("TXT-002", "warning", "正文分项数字之和与总数不符")
def txt_002(context: AuditContext):
    """An itemised statement does not add up: "共16条，其中13条…6条…" summing to more
    than the total.

    Parts may list only some items, so a sum below the total is no error;
    a list whose first items already make up the total, followed by a
    figure of another channel, is not flagged either.
    """
    report = context.report
    if not report.readable:
        return
    for section, sentence in _sentences(report):
        match = _TOTAL.search(sentence)
        if not match:
            continue
        total, unit = int(match.group(1)), match.group(2)
        parts = [int(n) for n, u in _PART.findall(sentence[match.end() :]) if u == unit]
        if len(parts) < 2 or sum(parts) <= total:
            continue
        running = 0
        prefix_matches = False
        for part in parts:
            running += part
            if running == total:
                prefix_matches = True
                break
        if prefix_matches:
            continue
        yield finding(
            "TXT-002",
            f"正文称“{sentence[:120]}”：总数为{total}{unit}，但分项 {'+'.join(map(str, parts))} = {sum(parts)}{unit}",
            {"quantity": "itemised", "total": total, "parts": parts, "section": section},
            sentence=sentence,
        )


_PERIOD = re.compile(r"统计(?:期限|周期|时限|时间)[^。]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日[^。]{0,6}?(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日")


@rule("TXT-003", "warning", "标题年度、统计期限与正文年度不一致")
def txt_003(context: AuditContext):
    """The year in the title, the statistics period (统计期限) and the year the
    text speaks of disagree; or the title states no year at all."""
    report = context.report
    if not report.readable:
        return
    if report.year is None:
        yield finding("TXT-003", "报告标题未写明年度（或无法识别标题），无法确定报告所属年度", {"aspect": "title"})
        return
    text = halfwidth(report.body_text)
    for match in _PERIOD.finditer(text):
        years = {int(y) for y in match.groups() if y}
        if years != {report.year}:
            yield finding(
                "TXT-003",
                f"标题年度为{report.year}年，但统计期限写作“{match.group().strip()}”",
                {"aspect": "period"},
                title_year=report.year,
                period_years=sorted(years),
            )
            return
