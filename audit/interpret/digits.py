"""Split digit runs that hold several cells, using the table's own arithmetic.

Some crawler dumps join a row's cells with no separator: ``640020470`` is
64, 0, 0, 2, 0, 4, 70. Whitespace that does survive is a hard boundary
(``500000 5``). We enumerate every way to cut the runs into the row's number
of cells (a cell is "0" or a number without a leading zero) and keep the
cuts that satisfy the row's constraint (table 3: the six applicant columns
add up to 总计; table 4: each group's four results add up to its 总计).
One survivor is the reading; several mean the row is ambiguous and the
caller must say so rather than pick one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

MAX_CELL_DIGITS = 7  # no count in an annual report runs to eight digits
MAX_SOLUTIONS = 64  # past this the row is hopelessly ambiguous anyway

Check = Callable[[Sequence[int]], bool]


def _cuts(run: str, parts: int) -> Iterator[list[int]]:
    """Every way to cut one run into exactly ``parts`` numbers."""
    if parts == 0:
        if not run:
            yield []
        return
    if len(run) < parts or len(run) > parts * MAX_CELL_DIGITS:
        return
    if parts == 1:
        if run == "0" or not run.startswith("0"):
            yield [int(run)]
        return
    widths = [1] if run[0] == "0" else range(1, min(MAX_CELL_DIGITS, len(run) - parts + 1) + 1)
    for width in widths:
        head = int(run[:width])
        for rest in _cuts(run[width:], parts - 1):
            yield [head, *rest]


def _allocations(runs: Sequence[str], cells: int) -> Iterator[list[int]]:
    """How many cells each run holds: at least one, at most its length."""
    if not runs:
        if cells == 0:
            yield []
        return
    first, rest = runs[0], runs[1:]
    min_rest = len(rest)
    max_rest = sum(len(r) for r in rest)
    for take in range(1, len(first) + 1):
        remaining = cells - take
        if min_rest <= remaining <= max_rest:
            for tail in _allocations(rest, remaining):
                yield [take, *tail]


def split_runs(runs: Sequence[str], cells: int, check: Check | None = None) -> list[list[int]]:
    """All readings of ``runs`` as ``cells`` numbers that pass ``check``."""
    runs = [r for r in runs if r]
    if not runs or any(not r.isdigit() for r in runs):
        return []
    solutions: list[list[int]] = []
    for allocation in _allocations(runs, cells):
        partials: list[list[int]] = [[]]
        for run, parts in zip(runs, allocation):
            partials = [p + cut for p in partials for cut in _cuts(run, parts)]
            if not partials:
                break
        for candidate in partials:
            if check is None or check(candidate):
                solutions.append(candidate)
                if len(solutions) >= MAX_SOLUTIONS:
                    return solutions
    return solutions


def applicant_row_check(values: Sequence[int]) -> bool:
    """Table 3: the six applicant columns add up to 总计."""
    return sum(values[:6]) == values[6]


def table4_check(values: Sequence[int]) -> bool:
    """Table 4: in each group of five, 维持+纠正+其他+尚未审结 = 总计."""
    return all(sum(values[g : g + 4]) == values[g + 4] for g in (0, 5, 10))
