"""Tolerant matching of row labels to the spec's keys.

Real labels are abbreviated, misprinted ("其他法律行政止公开"), wrapped, and
sometimes preceded by header text that a layout glued on. A label is tried
from its last part backwards (the leaf label is printed last), exact match
first, then similarity. Whether the match was exact is returned so that the
deviation can be recorded (TAB-004).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.document import Problem
from audit.interpret.normalize import core, similarity

THRESHOLD = 0.72
MEMO_SIZE = 4096  # distinct labels remembered per target table: standard ones recur in every report


@dataclass(frozen=True)  # shared between calls through the memo
class Match:
    key: str
    exact: bool
    text: str  # the label as written (the part that matched)
    score: float


@dataclass
class _Index:
    """A target table prepared for matching: normalised wordings by text and length."""

    cores: dict[str, list[str]]
    exact: dict[str, tuple[str, int]]  # wording -> (key, position in its target's wordings)
    lengths: list[int]  # wording lengths, longest first
    memo: dict[tuple[str, ...], Match | None] = field(default_factory=dict)  # label parts -> match


_INDEXES: dict[int, _Index] = {}


def _index(targets: dict[str, tuple[str, ...]]) -> _Index:
    """Built once per target table (they are module-level constants)."""
    index = _INDEXES.get(id(targets))
    if index is None or len(index.cores) != len(targets):
        cores = {key: [core(w) for w in wordings] for key, wordings in targets.items()}
        exact: dict[str, tuple[str, int]] = {}
        for key, wordings in cores.items():
            for position, wording in enumerate(wordings):
                exact.setdefault(wording, (key, position))
        lengths = sorted({len(w) for w in exact}, reverse=True)
        index = _INDEXES[id(targets)] = _Index(cores, exact, lengths)
    return index


def match_label(parts: list[str], targets: dict[str, tuple[str, ...]]) -> Match | None:
    """Match label ``parts`` against ``targets`` (key -> accepted wordings).

    The first wording of each target is the standard one; others are
    accepted abbreviations that still count as deviations.
    """
    index = _index(targets)
    key = tuple(parts[-3:])  # all that is read
    if key not in index.memo:
        if len(index.memo) >= MEMO_SIZE:
            index.memo.clear()
        index.memo[key] = _match(key, index)
    return index.memo[key]


def _match(parts: tuple[str, ...], index: _Index) -> Match | None:
    for take in range(1, len(parts) + 1):
        written = "".join(parts[-take:])
        label = core(written)
        if not label:
            continue
        # The label itself, or a wording that ends it (header text glued in
        # front by a layout that lost the cell boundaries): longest first.
        for length in index.lengths:
            if length <= len(label) and label[-length:] in index.exact:
                key, position = index.exact[label[-length:]]
                return Match(key, position == 0, written, 1.0)
        best: Match | None = None
        for key, wordings in index.cores.items():
            for wording in wordings:
                score = similarity(label, wording, THRESHOLD)
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
