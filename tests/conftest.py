"""Shared test helpers.

Tests over the seeds and real reports read them in place under ../shared
(CI has it beside the checkout). On a clone without it those tests, and only
those, skip, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(relative: str) -> Path:
    """Path of a file under ../shared, or skip the calling test if absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not beside this checkout (it holds other people's reports, never copied here)")
    return path
