"""Acceptance tests: the five seed reports read into the canonical model.

Every expected value below was typed by hand from the seed files under
../shared/seeds (read with tabs made visible) and checked against the hand
audit in ../shared/seeds/EXPECTED.md ("cells not named are 0"). None of them
was taken from the program's output. Keys are those of spec §3, typed here
again on purpose rather than imported from audit.model, so that a wrong key
in the model is caught too.
"""

from __future__ import annotations

import json

import pytest

from audit.interpret import parse_path
from conftest import shared_path
from spec_keys import T3_COLS, T3_ROWS, T4_COLS, T4_GROUPS, located, parsed, problems_of, typed

# ---------------------------------------------------------------- spec §3 keys, typed by hand
T2_CELLS = (
    ("rules", "issued"),
    ("rules", "repealed"),
    ("rules", "in_force"),
    ("normative_documents", "issued"),
    ("normative_documents", "repealed"),
    ("normative_documents", "in_force"),
    ("licensing", "decisions"),
    ("penalty", "decisions"),
    ("coercion", "decisions"),
    ("admin_fees", "amount"),
)

Z7 = (0, 0, 0, 0, 0, 0, 0)
N7 = (None,) * 7

SEED_FILES = {
    "000": "seeds/000_075fb8c0c28ee6ce.txt",
    "001": "seeds/001_7859ced941c8677a.txt",
    "002": "seeds/002_27644f09ec1ea7ef.txt",
    "003": "seeds/003_0b18766e99314691.txt",
    "004": "seeds/004_e6499531ec3c06f0.txt",
}

# agency, year, published: the report titles and headers of each seed.
HEADER = {
    "000": ("老城区机关事务服务中心", 2022, None),
    "001": ("绵阳市机关事务管理局", 2022, "2023-01-13"),  # 发文日期: 2023-01-13
    "002": ("老城区道北路街道办事处", 2023, None),
    "003": ("城关镇人民政府", 2022, None),
    "004": ("惠济区政务服务和大数据管理局", 2022, None),
}

# Table 2: every seed prints 0 in every cell except 002 (行政许可 173, 行政处罚 47).
T2_ZERO = {cell: 0 for cell in T2_CELLS}
TABLE2 = {
    "000": dict(T2_ZERO),
    "001": dict(T2_ZERO),
    "002": {**T2_ZERO, ("licensing", "decisions"): 173, ("penalty", "decisions"): 47},
    "003": dict(T2_ZERO),
    "004": dict(T2_ZERO),
}


def _table3(overrides: dict[str, tuple]) -> dict[str, tuple]:
    """25 rows of seven cells: 0 unless named (EXPECTED.md: cells not named are 0)."""
    rows = {row: Z7 for row in T3_ROWS}
    for row in overrides:
        assert row in rows, row
    rows.update(overrides)
    return rows


# Table 3: every seed prints 0 in every filled cell; the layouts differ in blanks.
TABLE3 = {
    # 000: （一）予以公开 and （二）部分公开 give only the 总计 cell (0); six applicant cells empty.
    "000": _table3(
        {
            "granted": (None, None, None, None, None, None, 0),
            "partially_granted": (None, None, None, None, None, None, 0),
        }
    ),
    "001": _table3({}),
    # 002: 3.其他 and （七）总计 shifted left, still seven zeros each.
    "002": _table3({}),
    # 003: （一）予以公开 to 4.保护第三方合法权益 entirely empty.
    "003": _table3(
        {
            "granted": N7,
            "partially_granted": N7,
            "denied.state_secret": N7,
            "denied.prohibited_by_law": N7,
            "denied.security_stability": N7,
            "denied.third_party": N7,
        }
    ),
    # 004: （六）1, 2, 3 and （七）总计 print eight zeros; the seven cells are 0.
    "004": _table3({}),
}

# Table 4: one data row of fifteen 0 in every seed.
TABLE4 = {seed: {g: (0, 0, 0, 0, 0) for g in T4_GROUPS} for seed in SEED_FILES}


# ---------------------------------------------------------------- helpers
def report(seed: str):
    return parsed(str(shared_path(SEED_FILES[seed])))


def amount_ok(actual, expected: float) -> bool:
    return (
        isinstance(actual, (int, float))
        and not isinstance(actual, bool)
        and actual == pytest.approx(expected)
    )


def kinds(rep) -> list[str]:
    return [p.kind for p in rep.problems]


# ---------------------------------------------------------------- header
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_agency(seed):
    assert report(seed).agency == HEADER[seed][0]


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_year(seed):
    assert report(seed).year == HEADER[seed][1]


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_title_names_the_year_and_the_report(seed):
    title = report(seed).title
    assert title is not None
    assert str(HEADER[seed][1]) in title
    # 001's header carries the keyword 政府网站工作年度报告; the title is the report's own.
    assert "政府信息公开工作年度报告" in title
    assert "政府网站" not in title


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_published(seed):
    assert report(seed).published == HEADER[seed][2]


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_format_version_is_2021(seed):
    # All five use the 2021 format (三（六） has its three sub-rows, table 2 the 2021 columns).
    assert report(seed).format_version == "2021"


# ---------------------------------------------------------------- sections
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_all_six_sections_found(seed):
    rep = report(seed)
    assert [s.number for s in rep.sections] == [1, 2, 3, 4, 5, 6]
    assert [s.found for s in rep.sections] == [True] * 6, [(s.number, s.heading) for s in rep.sections]


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_no_table_missing_problem(seed):
    rep = report(seed)
    assert not problems_of(rep, "table_missing"), problems_of(rep, "table_missing")


def test_003_markdown_headings_of_mixed_levels():
    rep = report("003")
    # ## 一…三 and #### 四…六: the heading text is the section's own.
    assert "总体情况" in rep.section(1).heading
    assert "政府信息公开行政复议、行政诉讼情况" in rep.section(4).heading
    assert "其他需要报告的事项" in rep.section(6).heading


def test_004_section_4_is_the_top_level_heading_not_the_subheading_in_section_1():
    rep = report("004")
    heading = rep.section(4).heading
    assert heading is not None
    assert "（三）" not in heading and "(三)" not in heading
    assert heading.strip().lstrip("#").strip() == "四、政府信息公开行政复议、行政诉讼情况"
    # Section 一 runs on past its sub-heading （三）… to （四）… and （五）…
    assert "平台建设" in rep.section(1).text
    assert "监督保障" in rep.section(1).text


def test_004_no_heading_variant_or_order_problem_for_the_subheading():
    rep = report("004")
    assert not located(rep, "heading_variant", section=4)


# ---------------------------------------------------------------- table 2
def test_table2_keys():
    rep = report("000")
    assert set(rep.table2) == {"rules", "normative_documents", "licensing", "penalty", "coercion", "admin_fees"}
    for row, col in T2_CELLS:
        assert col in rep.table2[row], (row, col)


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_table2_found(seed):
    assert report(seed).tables_found["table2"] is True


@pytest.mark.parametrize(
    "seed,row,col",
    [(seed, row, col) for seed in sorted(SEED_FILES) for row, col in T2_CELLS],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_table2_cell(seed, row, col):
    actual = report(seed).table2[row][col]
    expected = TABLE2[seed][(row, col)]
    if col == "amount":
        assert amount_ok(actual, float(expected)), actual
    else:
        assert typed(actual) == expected


def test_002_licensing_and_penalty():
    rep = report("002")
    assert rep.table2["licensing"]["decisions"] == 173
    assert rep.table2["penalty"]["decisions"] == 47
    assert rep.table2["coercion"]["decisions"] == 0


# ---------------------------------------------------------------- table 3
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_table3_found_with_the_spec_rows_and_columns(seed):
    rep = report(seed)
    assert rep.tables_found["table3"] is True
    assert set(rep.table3) == set(T3_ROWS)
    for row in T3_ROWS:
        assert set(rep.table3[row]) == set(T3_COLS), row


@pytest.mark.parametrize(
    "seed,row",
    [(seed, row) for seed in sorted(SEED_FILES) for row in T3_ROWS],
)
def test_table3_row(seed, row):
    actual = tuple(typed(report(seed).table3[row][c]) for c in T3_COLS)
    assert actual == TABLE3[seed][row]


def test_000_granted_rows_blank_not_zero():
    rep = report("000")
    for row in ("granted", "partially_granted"):
        cells = rep.table3[row]
        assert [cells[c] for c in T3_COLS[:6]] == [None] * 6, row
        assert cells["total"] == 0


def test_003_empty_rows_are_none():
    rep = report("003")
    for row in (
        "granted",
        "partially_granted",
        "denied.state_secret",
        "denied.prohibited_by_law",
        "denied.security_stability",
        "denied.third_party",
    ):
        assert [rep.table3[row][c] for c in T3_COLS] == [None] * 7, row
    # the row after the gap is read again
    assert [rep.table3["denied.internal_affairs"][c] for c in T3_COLS] == [0] * 7


def test_004_rows_with_eight_cells_are_reported_as_extra_cells():
    rep = report("004")
    extra = {p["location"].get("row") for p in problems_of(rep, "extra_cells") if p["location"].get("table") == "table3"}
    assert extra == {"other.no_correction", "other.fee_unpaid", "other.other", "processed_total"}


def test_004_no_short_rows():
    assert not problems_of(report("004"), "short_row")


def test_002_shifted_rows_are_not_extra_or_short():
    rep = report("002")
    assert not problems_of(rep, "extra_cells"), problems_of(rep, "extra_cells")
    assert not problems_of(rep, "short_row"), problems_of(rep, "short_row")


def test_002_shifted_rows_keep_their_seven_zeros():
    rep = report("002")
    for row in ("other.other", "processed_total"):
        assert [typed(rep.table3[row][c]) for c in T3_COLS] == [0] * 7, row


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_table3_no_row_missing(seed):
    rep = report(seed)
    missing = [p for p in problems_of(rep, "row_missing") if p["location"].get("table") == "table3"]
    assert not missing, missing


# ---------------------------------------------------------------- label deviations
def test_000_label_deviation_social_organisation_column():
    # header cell 社会组织 for 社会公益组织
    assert located(report("000"), "label_deviation", table="table3", column="social_welfare")


def test_000_label_deviation_prohibited_by_law_row():
    # 2.其他法律法规禁止公开 for 2.其他法律行政法规禁止公开
    assert located(report("000"), "label_deviation", table="table3", row="denied.prohibited_by_law")


def test_003_label_deviation_repealed_column():
    # 本年度止件数 for 本年废止件数
    assert located(report("003"), "label_deviation", table="table2", column="repealed")


def test_003_label_deviation_prohibited_by_law_row():
    # 003 prints the same 2.其他法律法规禁止公开 as 000
    assert located(report("003"), "label_deviation", table="table3", row="denied.prohibited_by_law")


def test_001_label_deviation_in_force_column():
    # 现行有效件 for 现行有效件数
    assert located(report("001"), "label_deviation", table="table2", column="in_force")


def test_002_standard_prohibited_by_law_label_is_no_deviation():
    # 002 prints the standard 2.其他法律行政法规禁止公开
    assert not located(report("002"), "label_deviation", table="table3", row="denied.prohibited_by_law")


# ---------------------------------------------------------------- table 4
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_table4(seed):
    rep = report(seed)
    assert rep.tables_found["table4"] is True
    assert set(rep.table4) == set(T4_GROUPS)
    for group in T4_GROUPS:
        actual = tuple(typed(rep.table4[group][c]) for c in T4_COLS)
        assert actual == TABLE4[seed][group], group


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_parse_is_deterministic(seed):
    path = shared_path(SEED_FILES[seed])
    first = parse_path(path).to_dict()
    second = parse_path(path).to_dict()
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
