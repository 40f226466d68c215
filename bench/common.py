"""Inputs and timing shared by the benchmarks. They print figures and assert nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def shared_reports() -> list[Path]:
    """The seeds and real reports under ../shared (the .txt beside a PDF is only a reference)."""
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "fixtures" / "real").iterdir())
    pdf_stems = {p.stem for p in paths if p.suffix == ".pdf"}
    return [p for p in paths if p.suffix in (".txt", ".html", ".pdf") and not (p.suffix == ".txt" and p.stem in pdf_stems)]


def best_time(function: Callable[[], object], rounds: int) -> float:
    """The fastest of ``rounds`` runs: the least disturbed by whatever else the machine does."""
    return best_times([function], rounds)[0]


def best_times(functions: list[Callable[[], object]], rounds: int, min_seconds: float = 0.0, runs_per_turn: int = 1) -> list[float]:
    """The fastest run of each function, the functions taking turns round by
    round so that a slow spell of the machine falls on all of them alike.
    At least ``rounds`` rounds, more until ``min_seconds`` have passed: a
    millisecond task gets hundreds of tries at an undisturbed run.

    With ``runs_per_turn`` > 1 each turn is that many runs in a row. Freeing
    a parsed tree leaves work that glibc's malloc does later, at the next
    large allocation: in strict alternation one function pays for what the
    other freed. In a run of several, every run but the first follows a run
    of the same function and pays for its own."""
    best = [float("inf")] * len(functions)
    started = time.perf_counter()
    done = 0
    while done < rounds or time.perf_counter() - started < min_seconds:
        for index, function in enumerate(functions):
            for _ in range(runs_per_turn):
                start = time.perf_counter()
                function()
                best[index] = min(best[index], time.perf_counter() - start)
        done += 1
    return best
