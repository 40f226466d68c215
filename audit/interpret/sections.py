"""Find the six section headings and cut the document into sections.

A section heading is a top-level numbered title: "一、总体情况", "## 三、收到和
处理…", "**五、…**", or, in crawler dumps with the whole body on one line, the
same text inline. Sub-headings such as "（三）政府信息公开行政复议、行政诉讼情况"
are numbered in brackets and are never section headings (seed 004).

Every numbered candidate is scored against each section's standard title and
its known variants; each section takes its best candidate. The numeral is
not trusted: some portals renumber (上海 departments put the tables under
"一、二、三"), so a title match under another numeral still counts, and the
deviation is recorded.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from audit.document import Problem
from audit.interpret.normalize import halfwidth, similarity
from audit.interpret.rows import Line
from audit.model import SECTION_NUMERALS, SECTIONS, Section

THRESHOLD = 0.8
# A numeral opening a heading ("三、", "十一、", "第三部分"); not one inside
# brackets "（三）". Written to start with a plain character class, which the
# regex engine scans for quickly (a pattern opening with the lookbehind is
# tried at every position): that first character is then checked not to
# follow a bracket, and 第 leads to the "部分" form.
_NUMERALS = "一二三四五六七八九十"
_MARKER = re.compile(rf"([第{_NUMERALS}](?<![(（].)(?:(?<=第)[{_NUMERALS}]部分|(?<!第)[{_NUMERALS}]?[、.．]))")


@dataclass
class Heading:
    number: int
    score: float
    line: int
    start: int  # offset of the numeral in the line
    end: int  # offset just after the heading text
    text: str
    standard: bool  # exact standard title under the right numeral


def _squeeze(text: str) -> str:
    return re.sub(r"\s", "", halfwidth(text)).replace("\"", "").replace("“", "").replace("”", "")


_TITLES = [
    (number, title, title == standard, Counter(title))
    for number, standard, variants in SECTIONS
    for title in (standard, *variants)
]
_LONGEST = max(len(title) for _, title, _, _ in _TITLES) + 3


def _best_title(text: str, start: int) -> tuple[int, float, int, bool] | None:
    """Best (section, score, end offset, exact) for a title starting at ``start``."""
    for number, title, standard, _ in _TITLES:
        if text.startswith(title, start):
            return number, 1.0, start + len(title), standard  # written exactly: nothing can score higher
    best = None
    ahead = Counter(_squeeze(text[start : start + _LONGEST]))
    for number, title, standard, letters in _TITLES:
        # Characters the text ahead shares with the title bound every window's
        # matches; over the shortest window's length that bounds every
        # window's score, so hopeless titles are skipped cheaply.
        shared = sum((letters & ahead).values())
        if 2 * shared / (2 * len(title) - 3) < THRESHOLD:
            continue
        for extra in range(-3, 4):
            end = start + len(title) + extra
            if end <= start or end > len(text) + 3:
                continue
            window = _squeeze(text[start:end])
            score = similarity(title, window, THRESHOLD)
            if best is None or score > best[1]:
                best = (number, score, min(end, len(text)), standard and window == title)
    return best


def find_headings(lines: list[Line]) -> list[Heading]:
    candidates: list[Heading] = []
    for index, line in enumerate(lines):
        if line.is_row:
            # A numeral in one cell is one in the row's tab-joined text too (a
            # tab cannot stand before it as a bracket): most rows stop here.
            if not _MARKER.search(line.plain):
                continue
            filled = [c for c in line.cells or [] if c.strip()]
            if len(filled) != 1:
                continue
            text = filled[0]
        else:
            text = line.text or ""
        for match in _MARKER.finditer(text):
            # At a line start or inline in a long line (a body dumped on one line).
            if match.start() > 0 and len(text) < 200 and text[: match.start()].strip(" #*"):
                continue
            found = _best_title(text, match.end())
            if found is None or found[1] < THRESHOLD:
                continue
            number, score, end, exact = found
            numeral = match.group(1)
            right_numeral = numeral.rstrip("、.．") == SECTION_NUMERALS[number - 1]
            candidates.append(
                Heading(number, score, index, match.start(), end, text[match.start() : end].strip(), exact and right_numeral)
            )
    chosen: dict[int, Heading] = {}
    for candidate in candidates:
        current = chosen.get(candidate.number)
        if current is None or (candidate.standard, candidate.score) > (current.standard, current.score):
            chosen[candidate.number] = candidate
    return sorted(chosen.values(), key=lambda h: (h.line, h.start))


def split_sections(lines: list[Line]) -> tuple[list[Line], list[Section], dict[int, tuple[int, int]], list[Problem]]:
    """Cut lines at the chosen headings.

    Returns the new line list (every heading on a line of its own), the six
    Section objects, each found section's line range [first, last) after its
    heading, and the problems (heading variants).
    """
    headings = find_headings(lines)
    problems: list[Problem] = []
    by_line: dict[int, list[Heading]] = {}
    for heading in headings:
        by_line.setdefault(heading.line, []).append(heading)

    new_lines: list[Line] = []
    heading_at: dict[int, int] = {}  # section number -> index in new_lines
    for index, line in enumerate(lines):
        if index not in by_line:
            new_lines.append(line)
            continue
        text = line.text if not line.is_row else next(c for c in line.cells or [] if c.strip())
        position = 0
        for heading in sorted(by_line[index], key=lambda h: h.start):
            before = text[position : heading.start].strip()
            if before:
                new_lines.append(Line(text=before))
            heading_at[heading.number] = len(new_lines)
            new_lines.append(Line(text=heading.text))
            position = heading.end
        rest = text[position:].strip()
        if rest:
            new_lines.append(Line(text=rest))

    sections = [Section(n) for n in range(1, 7)]
    ranges: dict[int, tuple[int, int]] = {}
    ordered = sorted(heading_at.items(), key=lambda item: item[1])
    for position, (number, line_index) in enumerate(ordered):
        end = ordered[position + 1][1] if position + 1 < len(ordered) else len(new_lines)
        ranges[number] = (line_index + 1, end)
        section = sections[number - 1]
        section.found = True
        section.heading = new_lines[line_index].text
        section.text = "\n".join([l.plain for l in new_lines[line_index + 1 : end]]).strip()

    for heading in headings:
        if not heading.standard:
            number, standard, _ = SECTIONS[heading.number - 1]
            expected = f"{SECTION_NUMERALS[number - 1]}、{standard}"
            problems.append(
                Problem(
                    "heading_variant",
                    f"第{SECTION_NUMERALS[number - 1]}部分标题写作“{heading.text}”，标准标题为“{expected}”",
                    location={"section": number},
                    evidence={"heading": heading.text, "standard": expected},
                )
            )
    return new_lines, sections, ranges, problems
