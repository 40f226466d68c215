"""Acceptance tests: the real reports of ../shared/fixtures/real read into the model.

Expected values are typed by hand from the documents themselves (the text
dumps, the HTML table cells, and for the two PDFs the reference .txt beside
them) and checked against the hand audit in fixtures/real/INDEX.md. None was
taken from the program's output. The PDFs are parsed as PDFs: their .txt is
only where a person read the numbers.

Table 3 column order in every tuple: 自然人, 商业企业, 科研机构, 社会公益组织,
法律服务机构, 其他, 总计.
"""

from __future__ import annotations

import json

import pytest

from audit.interpret import parse_path
from conftest import shared_path
from spec_keys import T3_COLS, T3_ROWS, T4_COLS, T4_GROUPS, located, parsed, problems_of, typed

OTHER_SUBROWS = ("other.no_correction", "other.fee_unpaid", "other.other")

FILES = {
    "pingtan-2021": "fixtures/real/pingtan-2021.txt",
    "pingtan-2022": "fixtures/real/pingtan-2022.txt",
    "pingtan-2023": "fixtures/real/pingtan-2023.txt",
    "shanghai-kewei-2024": "fixtures/real/shanghai-kewei-2024.txt",
    "shuyang-fgj-2023": "fixtures/real/shuyang-fgj-2023.html",
    "hongze-2024": "fixtures/real/hongze-2024.pdf",
    "huaian-2024": "fixtures/real/huaian-2024.pdf",
}
NAMES = sorted(FILES)

# agency (the accepted spellings), year, published.
# kewei: INDEX.md names 上海市科学技术委员会, the document itself only ever says
# 上海市科委 (title 「2024 年上海市科委政府信息公开工作年度报告」); either is accepted.
HEADER = {
    "pingtan-2021": ({"平潭综合实验区"}, 2021, "2022-02-08"),
    "pingtan-2022": ({"平潭综合实验区"}, 2022, "2023-02-20"),
    "pingtan-2023": ({"平潭综合实验区"}, 2023, "2024-03-08"),
    "shanghai-kewei-2024": ({"上海市科委", "上海市科学技术委员会"}, 2024, None),
    "shuyang-fgj-2023": ({"沭阳县发展和改革局"}, 2023, "2024-01-17"),
    "hongze-2024": ({"淮安市洪泽区人民政府"}, 2024, None),
    "huaian-2024": ({"淮安市人民政府"}, 2024, None),
}

# Sections found (1..6).
SECTIONS_FOUND = {name: [True] * 6 for name in FILES}
SECTIONS_FOUND["shanghai-kewei-2024"] = [True, True, True, True, False, True]

Z7 = (0, 0, 0, 0, 0, 0, 0)


def n7(n: int) -> tuple:
    """A row where only 自然人 has applications: n, 0, 0, 0, 0, 0, n."""
    return (n, 0, 0, 0, 0, 0, n)


def blank_legal(n: int) -> tuple:
    """shuyang: 自然人 and 总计 printed, the five legal-person cells empty."""
    return (n, None, None, None, None, None, n)


def _table3(overrides: dict[str, tuple], default: tuple = Z7) -> dict[str, tuple]:
    rows = {row: default for row in T3_ROWS}
    for row in overrides:
        assert row in rows, row
    rows.update(overrides)
    return rows


TABLE3 = {
    # 640020470 → 64|0|0|2|0|4|70 …
    "pingtan-2021": _table3(
        {
            "new_received": (64, 0, 0, 2, 0, 4, 70),
            "granted": (27, 0, 0, 2, 0, 1, 30),
            "partially_granted": n7(5),
            "denied.internal_affairs": n7(1),
            "denied.enforcement_file": n7(6),
            "denied.query_service": n7(1),
            "unable.not_held": (22, 0, 0, 0, 0, 3, 25),
            "other.other": n7(1),
            "processed_total": (63, 0, 0, 2, 0, 4, 69),
            "carried_forward": n7(1),
        }
    ),
    "pingtan-2022": _table3(
        {
            "new_received": (71, 3, 0, 0, 0, 0, 74),
            "carried_over": n7(1),
            "granted": n7(21),
            "partially_granted": (8, 1, 0, 0, 0, 0, 9),
            "denied.internal_affairs": n7(1),
            "denied.process_information": n7(2),
            "denied.enforcement_file": n7(1),
            "unable.not_held": n7(37),
            "other.no_correction": n7(2),
            "other.other": (0, 2, 0, 0, 0, 0, 2),
            "processed_total": (72, 3, 0, 0, 0, 0, 75),
        }
    ),
    "pingtan-2023": _table3(
        {
            "new_received": (80, 1, 0, 0, 0, 0, 81),
            "granted": n7(22),
            "partially_granted": (19, 1, 0, 0, 0, 0, 20),
            "denied.third_party": n7(1),
            "denied.process_information": n7(1),
            "denied.enforcement_file": n7(1),
            "denied.query_service": n7(2),
            "unable.not_held": n7(31),
            "not_processed.duplicate": n7(1),
            "other.no_correction": n7(1),
            "other.other": n7(1),
            "processed_total": (80, 1, 0, 0, 0, 0, 81),
        }
    ),
    "shanghai-kewei-2024": _table3(
        {
            "new_received": (32, 2, 0, 0, 0, 0, 34),
            "carried_over": n7(2),
            "granted": n7(9),
            "denied.internal_affairs": n7(1),
            "denied.process_information": n7(1),
            "unable.not_held": n7(4),
            "unable.needs_creation": n7(6),
            "other.no_correction": (8, 2, 0, 0, 0, 0, 10),
            "other.other": n7(4),
            "processed_total": (33, 2, 0, 0, 0, 0, 35),
            # 结转下年度: 总计 cell blank in the document (the stray 「1」 is not it)
            "carried_forward": (1, 0, 0, 0, 0, 0, None),
        }
    ),
    "shuyang-fgj-2023": _table3(
        {
            "new_received": blank_legal(26),
            "granted": blank_legal(26),
            "processed_total": blank_legal(26),
        },
        default=blank_legal(0),
    ),
    "hongze-2024": _table3(
        {
            "new_received": n7(95),
            "granted": n7(50),
            "partially_granted": n7(9),
            "denied.security_stability": n7(1),
            "denied.process_information": n7(1),
            "denied.enforcement_file": n7(1),
            "unable.not_held": n7(31),
            "unable.needs_creation": n7(1),
            "not_processed.complaint": n7(1),
            "processed_total": n7(95),
        }
    ),
    "huaian-2024": _table3(
        {
            "new_received": (3001, 53, 0, 0, 61, 4, 3119),
            "carried_over": n7(34),
            "granted": (1288, 21, 0, 0, 50, 3, 1362),
            "partially_granted": (447, 7, 0, 0, 0, 0, 454),
            "denied.state_secret": n7(2),
            "denied.prohibited_by_law": (30, 1, 0, 0, 0, 0, 31),
            "denied.security_stability": n7(5),
            "denied.third_party": n7(6),
            "denied.internal_affairs": (7, 1, 0, 0, 0, 0, 8),
            "denied.process_information": n7(12),
            "denied.enforcement_file": n7(9),
            "denied.query_service": n7(105),
            "unable.not_held": (746, 12, 0, 0, 10, 1, 769),
            "unable.needs_creation": n7(11),
            "unable.still_unclear": n7(1),
            "not_processed.complaint": (56, 6, 0, 0, 0, 0, 62),
            "not_processed.duplicate": n7(25),
            "not_processed.confirmation": n7(1),
            "other.no_correction": (67, 3, 0, 0, 1, 0, 71),
            "other.fee_unpaid": n7(6),
            "other.other": (108, 2, 0, 0, 0, 0, 110),
            "processed_total": (2932, 53, 0, 0, 61, 4, 3050),
            "carried_forward": n7(103),
        }
    ),
}
# hongze prints the 2019 single row （六）其他处理 (all 0) instead of the three sub-rows:
# those three are absent from the document, so they are None, never 0.
for _row in OTHER_SUBROWS:
    TABLE3["hongze-2024"][_row] = (None,) * 7

# Table 4: review, direct litigation, litigation after review; each 维持, 纠正, 其他, 尚未审结, 总计.
TABLE4 = {
    "pingtan-2021": {"review": (1, 0, 2, 0, 3), "litigation_direct": (12, 0, 0, 0, 12), "litigation_after_review": (0, 0, 0, 0, 0)},
    "pingtan-2022": {"review": (0, 1, 1, 0, 2), "litigation_direct": (1, 0, 0, 0, 1), "litigation_after_review": (0, 0, 0, 0, 0)},
    "pingtan-2023": {"review": (1, 1, 0, 0, 2), "litigation_direct": (4, 0, 0, 1, 5), "litigation_after_review": (1, 0, 1, 0, 2)},
    "shanghai-kewei-2024": {"review": (1, 0, 0, 0, 1), "litigation_direct": (0, 0, 0, 0, 0), "litigation_after_review": (0, 0, 0, 0, 0)},
    "shuyang-fgj-2023": {"review": (0, 0, 0, 1, 1), "litigation_direct": (0, 0, 0, 0, 0), "litigation_after_review": (0, 0, 0, 0, 0)},
    "hongze-2024": {"review": (1, 1, 0, 0, 2), "litigation_direct": (1, 0, 0, 0, 1), "litigation_after_review": (2, 0, 1, 0, 3)},
    "huaian-2024": {"review": (72, 64, 178, 37, 351), "litigation_direct": (13, 4, 8, 1, 26), "litigation_after_review": (12, 1, 1, 6, 20)},
}

# Table 2 cells the documents state plainly. (pingtan-2021 行政规范性文件 is the run
# 693665 with no text to settle it, so it is not asserted.)
TABLE2 = {
    "pingtan-2021": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("licensing", "decisions"): 2293, ("penalty", "decisions"): 1282, ("coercion", "decisions"): 42,
        ("admin_fees", "amount"): 24252.311082,
    },
    "pingtan-2022": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        # 8855698 = 88|55|698; the narrative states 698 现行有效 and 88 制发
        ("normative_documents", "issued"): 88, ("normative_documents", "repealed"): 55,
        ("normative_documents", "in_force"): 698,
        ("licensing", "decisions"): 10690, ("penalty", "decisions"): 2113, ("coercion", "decisions"): 0,
        ("admin_fees", "amount"): 9116.36,
    },
    "pingtan-2023": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        # 77132470: 77|132|470 or 77|13|2470 (the narrative's 393 settles neither)
        ("normative_documents", "issued"): None, ("normative_documents", "repealed"): None,
        ("normative_documents", "in_force"): None,
        ("licensing", "decisions"): 2629, ("penalty", "decisions"): 1330, ("coercion", "decisions"): 54,
        ("admin_fees", "amount"): 5949.088667,
    },
    "shanghai-kewei-2024": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 13, ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 55,
        ("licensing", "decisions"): 97, ("penalty", "decisions"): 0, ("coercion", "decisions"): 0,
        ("admin_fees", "amount"): 0.0,
    },
    "shuyang-fgj-2023": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 8, ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 18,
        ("licensing", "decisions"): 0, ("penalty", "decisions"): 0, ("coercion", "decisions"): 0,
        ("admin_fees", "amount"): 0.0,
    },
    "hongze-2024": {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 3, ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 8,
        ("licensing", "decisions"): 9487, ("penalty", "decisions"): 2776, ("coercion", "decisions"): 84,
        ("admin_fees", "amount"): 7545.0,
    },
    "huaian-2024": {
        ("rules", "issued"): 1, ("rules", "repealed"): 0, ("rules", "in_force"): 11,
        ("normative_documents", "issued"): 8, ("normative_documents", "repealed"): 26,
        ("normative_documents", "in_force"): 66,
        ("licensing", "decisions"): 447228, ("penalty", "decisions"): 3985758, ("coercion", "decisions"): 88283,
        ("admin_fees", "amount"): 96171.6,
    },
}


# ---------------------------------------------------------------- helpers
def report(name: str):
    return parsed(str(shared_path(FILES[name])))


def row_cells(rep, row: str) -> tuple:
    cells = rep.table3.get(row)
    if cells is None:  # an absent row reads as seven absent cells
        return (None,) * 7
    return tuple(typed(cells.get(c)) for c in T3_COLS)


# ---------------------------------------------------------------- header
@pytest.mark.parametrize("name", NAMES)
def test_agency(name):
    assert report(name).agency in HEADER[name][0]


@pytest.mark.parametrize("name", NAMES)
def test_year(name):
    assert report(name).year == HEADER[name][1]


@pytest.mark.parametrize("name", NAMES)
def test_title_names_the_year(name):
    title = report(name).title
    assert title is not None
    assert str(HEADER[name][1]) in title
    assert "年度报告" in title


@pytest.mark.parametrize("name", NAMES)
def test_published(name):
    assert report(name).published == HEADER[name][2]


@pytest.mark.parametrize("name", NAMES)
def test_readable(name):
    rep = report(name)
    assert rep.readable is True
    assert not problems_of(rep, "unreadable")


# ---------------------------------------------------------------- sections
@pytest.mark.parametrize("name", NAMES)
def test_sections_found(name):
    rep = report(name)
    assert [s.number for s in rep.sections] == [1, 2, 3, 4, 5, 6]
    found = [s.found for s in rep.sections]
    assert found == SECTIONS_FOUND[name], [(s.number, s.heading) for s in rep.sections]


def test_pingtan_2022_section_4_found_despite_typo():
    sec = report("pingtan-2022").section(4)
    assert sec.found
    assert "行政法复议" in sec.heading


def test_shuyang_section_5_heading_variant():
    rep = report("shuyang-fgj-2023")
    sec = rep.section(5)
    assert sec.found
    assert "整改措施" in sec.heading
    assert located(rep, "heading_variant", section=5)


def test_kewei_renumbered_headings_are_the_canonical_sections():
    rep = report("shanghai-kewei-2024")
    # 一、总体情况 is section 1; the narrative 三、主动公开工作情况 is not section 2,
    # the table heading 一、主动公开政府信息情况 is; 四、政府信息公开申请情况 is not
    # section 3, 二、收到和处理政府信息公开申请情况 is.
    assert "总体情况" in rep.section(1).heading
    assert "主动公开政府信息情况" in rep.section(2).heading
    assert "收到和处理政府信息公开申请情况" in rep.section(3).heading
    assert "行政复议" in rep.section(4).heading
    assert rep.section(5).heading is None
    assert "其他需要报告的事项" in rep.section(6).heading


# ---------------------------------------------------------------- table 2
TABLE2_CASES = [(name, row, col) for name in NAMES for (row, col) in TABLE2[name]]


@pytest.mark.parametrize("name,row,col", TABLE2_CASES)
def test_table2_cell(name, row, col):
    rep = report(name)
    assert rep.tables_found["table2"] is True
    actual = rep.table2[row][col]
    expected = TABLE2[name][(row, col)]
    if col == "amount":
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), actual
        assert actual == pytest.approx(expected)
    else:
        assert typed(actual) == expected


def test_pingtan_2023_normative_documents_is_ambiguous():
    assert located(report("pingtan-2023"), "ambiguous_split", table="table2", row="normative_documents")


def test_pingtan_2022_normative_documents_not_ambiguous():
    assert not located(report("pingtan-2022"), "ambiguous_split", table="table2", row="normative_documents")


@pytest.mark.parametrize("name", ["shuyang-fgj-2023", "shanghai-kewei-2024"])
def test_normative_documents_short_label_is_a_deviation(name):
    # both print 规范性文件 for 行政规范性文件
    assert located(report(name), "label_deviation", table="table2", row="normative_documents")


# ---------------------------------------------------------------- table 3
@pytest.mark.parametrize("name", NAMES)
def test_table3_found(name):
    assert report(name).tables_found["table3"] is True


@pytest.mark.parametrize("name,row", [(name, row) for name in NAMES for row in T3_ROWS])
def test_table3_row(name, row):
    assert row_cells(report(name), row) == TABLE3[name][row]


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("pingtan")])
def test_pingtan_table3_rows_settled(name):
    # every table-3 run splits uniquely under the row-total constraint
    assert not located(report(name), "ambiguous_split", table="table3")


def test_hongze_single_other_row():
    rep = report("hongze-2024")
    assert "other" in rep.table3
    assert tuple(typed(rep.table3["other"].get(c)) for c in T3_COLS) == (0, 0, 0, 0, 0, 0, 0)
    assert located(rep, "old_format", table="table3", row="other")


def test_hongze_misprinted_prohibited_by_law_label():
    # 2.其他法律行政止公开
    assert located(report("hongze-2024"), "label_deviation", table="table3", row="denied.prohibited_by_law")


def test_kewei_stray_value():
    rep = report("shanghai-kewei-2024")
    stray = problems_of(rep, "stray_value")
    assert stray
    assert all(p["location"].get("table") in (None, "table3") for p in stray), stray


def test_kewei_blank_total_not_filled():
    rep = report("shanghai-kewei-2024")
    assert rep.table3["carried_forward"]["total"] is None
    assert rep.table3["carried_forward"]["natural_person"] == 1


def test_shuyang_blank_legal_person_cells_are_none():
    rep = report("shuyang-fgj-2023")
    for row in T3_ROWS:
        for col in ("commercial", "research", "social_welfare", "legal_service", "other_org"):
            assert rep.table3[row][col] is None, (row, col)


def test_huaian_split_label_unable_not_held():
    # （四）无 / 法提供 split across lines: the row under it still reads
    rep = report("huaian-2024")
    assert row_cells(rep, "unable.not_held") == (746, 12, 0, 0, 10, 1, 769)
    assert not located(rep, "row_missing", table="table3")


# ---------------------------------------------------------------- table 4
@pytest.mark.parametrize("name", NAMES)
def test_table4(name):
    rep = report(name)
    assert rep.tables_found["table4"] is True
    for group in T4_GROUPS:
        actual = tuple(typed(rep.table4[group].get(c)) for c in T4_COLS)
        assert actual == TABLE4[name][group], group


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("name", NAMES)
def test_parse_is_deterministic(name):
    path = shared_path(FILES[name])
    first = parse_path(path).to_dict()
    second = parse_path(path).to_dict()
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
