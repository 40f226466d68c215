"""Text normalisation for matching labels and reading cells.

Labels are compared after folding the differences that carry no meaning
(full-width vs half-width forms, spaces, quote styles, the numbering style
"1." / "1、" / "（一）"), so that only real deviations remain to report.
"""

from __future__ import annotations

import functools
import re
from difflib import SequenceMatcher

from audit.model import Cell

_FULLWIDTH = {chr(i): chr(i - 0xFEE0) for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH["\u3000"] = " "
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
has_fullwidth = _HAS_FULLWIDTH.search


def halfwidth(text: str) -> str:
    """Full-width ASCII forms (０-９, （）, ，, ．) to their ASCII twins.

    Chinese text holds few distinct full-width forms (，：（）) many times:
    replacing each distinct one is several times faster than ``translate``,
    which looks every character up in a dictionary. Text with nothing to
    fold is returned as it is, so folding twice costs one search.
    """
    if not has_fullwidth(text):
        return text
    # The forms nearly all Chinese text holds, replaced without finding them
    # first (a replace that finds nothing returns the text as it is).
    text = text.replace("，", ",").replace("（", "(").replace("）", ")").replace("：", ":").replace("；", ";")
    if not has_fullwidth(text):
        return text
    for form in set(_HAS_FULLWIDTH.findall(text)):
        text = text.replace(form, _FULLWIDTH[form])
    return text


# Strings that stand in a cell instead of a number and must be kept as they are.
PLACEHOLDERS = {"/", "-", "—", "——", "–", "―", "－", "无", "*", "×", "\\", "、", "--"}

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


@functools.lru_cache(maxsize=4096)  # cells repeat ("0", "", "1"): thousands per report, few distinct
def parse_cell(raw: str | None) -> Cell:
    """A cell's text to its canonical value: number, None (blank) or the string.

    Full-width digits and thousands separators are numbers; "", "/", "—",
    "无" are never 0.
    """
    if raw is None:
        return None
    text = halfwidth(raw).strip().replace(" ", "")
    if not text:
        return None
    if _NUMBER.match(text):
        plain = text.replace(",", "")
        if "." in plain:
            return float(plain)
        return int(plain)
    return raw.strip()


@functools.lru_cache(maxsize=4096)
def is_value(raw: str | None) -> bool:
    """True when a cell holds a value (number, blank or placeholder), not a label."""
    if raw is None:
        return False
    text = halfwidth(raw).strip().replace(" ", "")
    return not text or bool(_NUMBER.match(text)) or text in PLACEHOLDERS


_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d+[.、]|第[一二三四五六七八九十]+部分)"
)


_LABEL_NOISE = re.compile(r"[\s\u200b*#|\"'“”‘’「」『』]")


def normalize_label(text: str) -> str:
    """Fold a label to a comparable form: no spaces, no quotes, ASCII punctuation."""
    text = _LABEL_NOISE.sub("", halfwidth(text))
    return text.replace("、", "、").replace("：", ":")


def strip_numbering(text: str) -> str:
    """Remove leading numbering such as "三、", "(一)", "1." (repeatedly)."""
    previous = None
    while previous != text:
        previous = text
        text = _NUMBERING.sub("", text, count=1)
    return text


@functools.lru_cache(maxsize=4096)  # the same standard labels come back in every report
def core(text: str) -> str:
    """Normalised label without its numbering: what label matching compares."""
    return strip_numbering(normalize_label(text))


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """difflib's ratio; below ``floor`` only a cheap upper bound is returned.

    Most comparisons are hopeless (a heading against the wrong title), and
    the quick upper bounds reject them without the full alignment.
    """
    if floor and a and b:
        bound = 2 * min(len(a), len(b)) / (len(a) + len(b))  # difflib's real_quick_ratio, without building a matcher
        if bound < floor:
            return bound
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if floor:
        bound = matcher.quick_ratio()
        if bound < floor:
            return bound
    return matcher.ratio()
