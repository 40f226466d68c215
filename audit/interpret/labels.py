"""Tolerant matching of row labels to the spec's keys.

Real labels are abbreviated, misprinted ("其他法律行政止公开"), wrapped, and
sometimes preceded by header text that a layout glued on. A label is tried
from its last part backwards (the leaf label is printed last), exact match
first, then similarity. Whether the match was exact is returned so that the
deviation can be recorded (TAB-004).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.document import Problem
from audit.interpret.normalize import core, similarity

THRESHOLD = 0.72


@dataclass
class Match:
    key: str
    exact: bool
    text: str  # the label as written (the part that matched)
    score: float


def match_label(parts: list[str], targets: dict[str, tuple[str, ...]]) -> Match | None:
    """Match label ``parts`` against ``targets`` (key -> accepted wordings).

    The first wording of each target is the standard one; others are
    accepted abbreviations that still count as deviations.
    """
    cores = {key: [core(w) for w in wordings] for key, wordings in targets.items()}
    for take in range(1, min(len(parts), 3) + 1):
        written = "".join(parts[-take:])
        label = core(written)
        if not label:
            continue
        # A wording that ends the label: header text glued in front of it by a
        # layout that lost the cell boundaries. The longest such wording wins.
        suffixes = [
            (len(wording), -position, key)
            for key, wordings in cores.items()
            for position, wording in enumerate(wordings)
            if label.endswith(wording)
        ]
        if suffixes:
            _, position, key = max(suffixes)
            return Match(key, position == 0, written, 1.0)
        best: Match | None = None
        for key, wordings in cores.items():
            for wording in wordings:
                score = similarity(label, wording)
                if len(wording) >= 4 and wording in label:
                    score = max(score, 0.9)
                if best is None or score > best.score:
                    best = Match(key, False, written, score)
        if best is not None and best.score >= THRESHOLD:
            return best
    return None


def column_deviations(
    table: str, header_text: str, standards: dict[str, str], variants: dict[str, tuple[str, ...]], title: str
) -> list[Problem]:
    """Column headings written in a known non-standard way (TAB-004).

    ``header_text`` is the table's heading text already passed through
    ``core``; only known variants are reported, since a broken header (cells
    split mid-word) cannot be judged.
    """
    problems = []
    for column, wordings in variants.items():
        standard = standards[column]
        if core(standard) in header_text:
            continue
        for variant in wordings:
            if core(variant) in header_text:
                problems.append(
                    Problem(
                        "label_deviation",
                        f"{title}列标题写作“{variant}”，标准为“{standard}”",
                        location={"table": table, "column": column},
                        evidence={"label": variant, "standard": standard},
                    )
                )
                break
    return problems
