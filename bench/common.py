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
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
