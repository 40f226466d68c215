"""From a reader's Document to the canonical Report.

    lines = flatten(document)          # paragraphs and table rows, any format
    sections = split_sections(lines)   # six headings, each section's lines
    table2/3/4 = read_tableN(raw_rows(section lines))

Each table is read from its own section (table 2 from 二, table 3 from 三,
table 4 from 四), so numbers in the narrative of other sections are never
taken for cells. When a section heading is missing, the table is looked for
between the neighbouring headings that were found.
"""

from __future__ import annotations

from pathlib import Path

from audit.document import Document, Paragraph, Problem
from audit.interpret.header import find_published, find_title
from audit.interpret.normalize import halfwidth, has_fullwidth
from audit.interpret.rows import Line, raw_rows
from audit.interpret.sections import split_sections
from audit.interpret.table2 import read_table2
from audit.interpret.table3 import read_table3
from audit.interpret.table4 import read_table4
from audit.model import Report
from audit.readers import read_bytes, read_path

TABLE_NAMES = {"table2": "表二（主动公开政府信息情况）", "table3": "表三（收到和处理政府信息公开申请情况）", "table4": "表四（政府信息公开行政复议、行政诉讼情况）"}


def flatten(document: Document) -> list[Line]:
    """Paragraphs and table rows in order, full-width forms folded once here
    (（一） reads as (一), ３ as 3) so that every later step compares like with like."""
    lines: list[Line] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            text = block.text
            if text and not text.isspace():
                lines.append(Line(text=halfwidth(text)))
        else:
            for row in block.rows:
                cells = [c for c in row if c is not None]
                plain = "\t".join(cells)  # one test per row rather than per cell
                if plain and not plain.isspace():
                    if has_fullwidth(plain):
                        cells, plain = _halfwidth_cells(cells, plain)
                    lines.append(Line(cells=cells, plain=plain))
    return lines


def _halfwidth_cells(cells: list[str], plain: str) -> tuple[list[str], str]:
    """The cells and their tab-joined text, folded. Folding maps one
    character to one and never makes or removes a tab, so the joined text is
    folded at once and cut again, unless a cell holds a tab itself."""
    plain = halfwidth(plain)
    if plain.count("\t") == len(cells) - 1:
        return plain.split("\t"), plain
    return [halfwidth(c) for c in cells], plain


def _region(number: int, ranges: dict[int, tuple[int, int]], total: int) -> tuple[int, int]:
    """Lines of section ``number``; without its heading, the gap where it should be."""
    if number in ranges:
        return ranges[number]
    start = max((ranges[n][0] for n in ranges if n < number), default=0)
    end = min((ranges[n][0] - 1 for n in ranges if n > number), default=total)
    return start, end


def interpret(document: Document) -> Report:
    if not document.readable:
        report = Report(source=document.source, readable=False)
        report.problems.extend(document.problems)
        return report

    problems = list(document.problems)
    lines, sections, ranges, section_problems = split_sections(flatten(document))
    problems.extend(section_problems)
    body_text = "\n".join([line.plain for line in lines])

    opening = [line.plain for line in lines[:40]]
    title, agency, year = find_title(document.meta.get("title"), opening)
    published, published_source = find_published(document.meta, "\n".join(opening))

    def rows_of(number: int):
        start, end = _region(number, ranges, len(lines))
        return raw_rows(lines[start:end])

    table2, found2, old2, problems2 = read_table2(rows_of(2), body_text)
    table3, found3, problems3 = read_table3(rows_of(3))
    table4, found4, problems4 = read_table4(rows_of(4))
    tables_found = {"table2": found2, "table3": found3, "table4": found4}
    for name, problems_n in (("table2", problems2), ("table3", problems3), ("table4", problems4)):
        if tables_found[name]:
            problems.extend(problems_n)
        else:
            problems.append(Problem("table_missing", f"未能读取{TABLE_NAMES[name]}", location={"table": name}))

    # Built once, with every field known: its defaults (empty tables and
    # sections) would all be replaced.
    return Report(
        source=document.source,
        agency=agency,
        year=year,
        title=title,
        published=published,
        published_source=published_source,
        format_version="2019" if old2 else "2021" if found2 or found3 else "unknown",
        sections=sections,
        table2=table2,
        table3=table3,
        table4=table4,
        tables_found=tables_found,
        body_text=body_text,
        readable=True,
        problems=problems,
    )


def parse_path(path: str | Path) -> Report:
    return interpret(read_path(path))


def parse_bytes(data: bytes, source: str, name: str = "") -> Report:
    return interpret(read_bytes(data, source, name))
