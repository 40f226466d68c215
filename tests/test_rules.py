"""Each rule against a small hand-built report that breaks it and one that does not.

Reports are the project's own samples (audit.sample), rendered as text or
HTML and read back through the real readers, so a rule test also proves the
reader carries the fault through.
"""

from __future__ import annotations

from datetime import date

import pytest

from audit.auditor import AuditOptions, audit_reports, infer_agency_type
from audit.config import Config, load_config
from audit.engine import AuditContext, all_rules, run_rules
from audit.interpret import parse_bytes
from audit.model import TABLE3_COLUMNS, TABLE3_RESULT_LEAVES, TABLE3_ROWS
from audit.sample import SampleReport, to_html, to_text


def parse(sample: SampleReport, layout: str = "text"):
    data = to_text(sample) if layout == "text" else to_html(sample)
    return parse_bytes(data.encode("utf-8"), f"{sample.agency}-{sample.year}.{'txt' if layout == 'text' else 'html'}")


def audit(*samples: SampleReport, layout: str = "text", **options):
    reports = [parse(s, layout) for s in samples]
    options.setdefault("agency_type", "department")
    return audit_reports(reports, AuditOptions(**options))


def codes(result) -> list[str]:
    return [f.rule for f in result.findings]


def only(result, code):
    return [f for f in result.findings if f.rule == code]


@pytest.mark.parametrize("layout", ["text", "html"])
def test_a_clean_sample_has_no_finding(layout):
    [result] = audit(SampleReport(), layout=layout)
    assert result.findings == []


# ------------------------------------------------------------------ PUB
def test_pub_002_states_deadline_date_and_days_late():
    [result] = audit(SampleReport(published="2025-02-10"))
    [item] = only(result, "PUB-002")
    assert item.severity == "error"
    assert "2025-01-31" in item.message and "2025-02-10" in item.message and "逾期10天" in item.message
    assert item.evidence["days_late"] == 10


def test_pub_002_uses_the_agency_type_deadline():
    # 2025-03-20 is late for a department, on time for a government's own report.
    sample = SampleReport(published="2025-03-20")
    assert only(audit(sample, agency_type="department")[0], "PUB-002")
    assert not only(audit(sample, agency_type="government")[0], "PUB-002")


def test_pub_002_regional_township_deadline_from_config(tmp_path):
    path = tmp_path / "nianbao.toml"
    path.write_text('[deadlines.regions."示例区"]\ntownship = "02-20"\n', encoding="utf-8")
    config = load_config(path)
    sample = SampleReport(agency="示例镇人民政府", published="2025-02-15")
    assert not only(audit(sample, agency_type="township", region="示例区", config=config)[0], "PUB-002")
    [late] = only(audit(sample, agency_type="township", config=config)[0], "PUB-002")
    assert late.evidence["days_late"] == 15


def test_published_option_overrides_the_document_date():
    [result] = audit(SampleReport(published="2025-01-05"), published=date(2025, 2, 3))
    assert only(result, "PUB-002")[0].evidence["published"] == "2025-02-03"


def test_pub_003_without_any_date_and_not_with_one():
    assert only(audit(SampleReport(published=None))[0], "PUB-003")
    assert not only(audit(SampleReport(published=None), published=date(2025, 1, 2))[0], "PUB-003")


def test_pub_001_missing_report_after_deadline_only():
    def missing(as_of):
        context = AuditContext(report=None, agency="a1", agency_name="示例局", agency_type="department", year=2024, as_of=as_of)
        return [f.rule for f in run_rules(context)]

    assert missing(date(2025, 2, 1)) == ["PUB-001"]
    assert missing(date(2025, 1, 31)) == []


def test_pub_004_and_pub_005_from_crawl_facts():
    report = parse(SampleReport())
    base = dict(report=report, agency="x", agency_type="department", year=2024, published=date(2025, 1, 2))
    assert [f.rule for f in run_rules(AuditContext(**base, content_changed=True, first_seen="2025-01-02"))] == ["PUB-004"]
    assert [f.rule for f in run_rules(AuditContext(**base))] == []
    failed = run_rules(AuditContext(report=None, agency="x", year=2024, fetch_error="HTTP 404 http://127.0.0.1/a.pdf"))
    assert [f.rule for f in failed] == ["PUB-005"] and "404" in failed[0].message


def test_pub_005_for_an_unreadable_file():
    report = parse_bytes(b"", "empty.pdf")
    [result] = audit_reports([report], AuditOptions(agency_type="department"))
    assert codes(result) == ["PUB-005"]


# ------------------------------------------------------------------ SEC
def test_sec_001_one_finding_per_missing_section():
    [result] = audit(SampleReport(omit_sections=(5, 6)))
    missing = only(result, "SEC-001")
    assert sorted(f.location["section"] for f in missing) == [5, 6]
    assert all(f.severity == "error" for f in missing)


def test_sec_002_out_of_order_sections():
    text = to_text(SampleReport())
    five = text.index("五、存在的主要问题")
    six = text.index("六、其他需要报告的事项")
    swapped = text[:five] + text[six:] + text[five:six]
    report = parse_bytes(swapped.encode(), "swapped.txt")
    [result] = audit_reports([report], AuditOptions(agency_type="department"))
    assert [f.location for f in only(result, "SEC-002")] == [{"aspect": "order"}]
    assert not only(result, "SEC-001")


def test_sec_002_empty_section():
    text = to_text(SampleReport()).replace("主要问题：政策解读形式较单一，部分栏目更新不够及时。\n", "").replace(
        "改进情况：下一年度将建立栏目更新台账，增加图解和问答式解读，并开展业务培训。\n", ""
    )
    [result] = audit_reports([parse_bytes(text.encode(), "empty5.txt")], AuditOptions(agency_type="department"))
    assert [f.location for f in only(result, "SEC-002")] == [{"section": 5}]


def test_a_sub_heading_repeating_a_section_title_is_not_that_section():
    sample = SampleReport(intro_received="（三）政府信息公开行政复议、行政诉讼情况")
    report = parse(sample)
    assert report.section(4).heading == "四、政府信息公开行政复议、行政诉讼情况"
    [result] = audit(sample)
    assert not only(result, "SEC-002") and not only(result, "SEC-001")


# ------------------------------------------------------------------ TAB
def test_tab_001_missing_table():
    text = to_text(SampleReport())
    start, end = text.index("行政复议\t"), text.index("五、存在的主要问题")
    report = parse_bytes((text[:start] + text[end:]).encode(), "no-table4.txt")
    [result] = audit_reports([report], AuditOptions(agency_type="department"))
    assert [f.location for f in only(result, "TAB-001")] == [{"table": "table4"}]


def test_tab_002_blank_cells_named_and_arithmetic_skipped():
    sample = SampleReport()
    sample.table3["granted"][0] = None  # a blank, not a zero: 18 is missing from 自然人
    [result] = audit(sample)
    [blank] = only(result, "TAB-002")
    assert blank.location == {"table": "table3", "row": "granted"}
    assert "自然人" in blank.message and "跳过" in blank.message
    # The blank would break TAB-102/103 if read as 0; it must not.
    assert not {"TAB-101", "TAB-102", "TAB-103"} & set(codes(result))


def test_tab_002_placeholder_string_is_not_a_number():
    sample = SampleReport()
    sample.table2["licensing"] = ["/"]
    report = parse(sample)
    assert report.table2["licensing"]["decisions"] == "/"
    [result] = audit(sample)
    assert [f.location for f in only(result, "TAB-002")] == [{"table": "table2", "row": "licensing"}]


def test_tab_003_extra_cell():
    text = to_text(SampleReport()).replace("3.其他\t0\t0\t0\t0\t0\t0\t0", "3.其他\t0\t0\t0\t0\t0\t0\t0\t0")
    [result] = audit_reports([parse_bytes(text.encode(), "extra.txt")], AuditOptions(agency_type="department"))
    assert [f.location for f in only(result, "TAB-003")] == [{"table": "table3", "row": "other.other"}]


def test_tab_004_label_deviation_is_info():
    text = to_text(SampleReport()).replace("社会公益组织", "社会组织").replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
    [result] = audit_reports([parse_bytes(text.encode(), "labels.txt")], AuditOptions(agency_type="department"))
    deviations = only(result, "TAB-004")
    assert {f.location.get("row") or f.location.get("column") for f in deviations} == {"social_welfare", "denied.prohibited_by_law"}
    assert all(f.severity == "info" for f in deviations)
    assert len(result.findings) == 2  # the numbers are still read: no other finding


def test_tab_101_message_names_column_and_both_sums():
    sample = SampleReport()
    sample.table3["carried_forward"] = [6, 1, 0, 0, 0, 0, 7]  # 4→6 in 自然人, total 5→7
    [result] = audit(sample)
    messages = {f.location["column"]: f.message for f in only(result, "TAB-101")}
    assert set(messages) == {"natural_person", "total"}
    assert messages["natural_person"] == "表三 自然人 列：本年新收 40 + 上年结转 3 = 43，但办理结果总计 39 + 结转下年度 6 = 45"


def test_tab_104_table4_group():
    sample = SampleReport()
    sample.table4[4] = 5  # 复议 2+1+0+1 = 4, total says 5
    [result] = audit(sample)
    [item] = only(result, "TAB-104")
    assert item.location == {"table": "table4", "row": "review"}
    assert "= 4" in item.message and "总计为 5" in item.message


def test_tab_105_negative_and_fractional_counts_but_not_fee_amount():
    sample = SampleReport()
    sample.table2["penalty"] = [-3]
    sample.table2["admin_fees"] = [12.75]
    [result] = audit(sample)
    assert [f.location for f in only(result, "TAB-105")] == [{"table": "table2", "row": "penalty", "column": "decisions"}]


ROW_KEYS = [k for k in TABLE3_ROWS if k in TABLE3_RESULT_LEAVES or k in ("new_received", "carried_over", "processed_total", "carried_forward")]


@pytest.mark.parametrize("row", ROW_KEYS)
@pytest.mark.parametrize("column", ["natural_person", "legal_service", "total"])
def test_mutating_any_reconciled_table3_number_is_caught_by_the_right_rule(row, column):
    sample = SampleReport()
    index = list(TABLE3_COLUMNS).index(column)
    sample.table3[row][index] += 1
    [result] = audit(sample)
    found = set(codes(result))
    # Every cell sits in its row's 总计 identity (TAB-103) and in its column's
    # identity: 一/二/四 in TAB-101, result leaves in TAB-102, 三（七） in both.
    expected = {"TAB-103"} if column != "total" else set()
    if row in ("new_received", "carried_over", "carried_forward"):
        expected.add("TAB-101")
    elif row == "processed_total":
        expected |= {"TAB-101", "TAB-102"}
    else:
        expected.add("TAB-102")
    if column == "total":
        expected.add("TAB-103")
    assert found == expected
    assert all(f.severity == "error" for f in result.findings)


@pytest.mark.parametrize("position", range(15))
def test_mutating_any_table4_number_is_caught(position):
    sample = SampleReport()
    sample.table4[position] += 1
    [result] = audit(sample)
    assert codes(result) == ["TAB-104"]


# ------------------------------------------------------------------ FMT / FEE
def test_fmt_001_old_single_other_row():
    text = to_text(SampleReport())
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if "1.申请人无正当理由逾期不补正" in l)
    old_row = "\t".join(["（六）其他处理", "", "2", "0", "0", "0", "0", "0", "2"])
    lines[start : start + 3] = [old_row]
    [result] = audit_reports([parse_bytes("\n".join(lines).encode(), "old.txt")], AuditOptions(agency_type="department"))
    assert codes(result) == ["FMT-001"]  # the single row stands in for the three: TAB-102 still reconciles
    report = parse_bytes("\n".join(lines).encode(), "old.txt")
    assert report.table3["other"]["total"] == 2


def test_fee_001_silent_section_six():
    [result] = audit(SampleReport(fee_statement="无。"))
    assert codes(result) == ["FEE-001"]


def test_fee_002_incomplete_statement():
    [result] = audit(SampleReport(fee_statement="本年度未收取信息处理费。"))
    [item] = only(result, "FEE-002")
    assert item.severity == "info" and "收费通知" in item.message
    assert codes(result) == ["FEE-002"]


def test_fee_003_fee_unpaid_rows_without_notices():
    sample = SampleReport(fee_statement="本年度收取信息处理费300元。")
    sample.table3["other.fee_unpaid"] = [1, 0, 0, 0, 0, 0, 1]
    sample.table3["other.no_correction"] = [1, 0, 0, 0, 0, 0, 1]  # keep the totals reconciled
    [result] = audit(sample)
    assert set(codes(result)) == {"FEE-003", "FEE-002"}
    passing = sample.copy(fee_statement="本年度发出收费通知1件，金额300元，实际收取0元。")
    assert codes(audit(passing)[0]) == []


# ------------------------------------------------------------------ TXT
def test_txt_001_no_applications_claimed_but_table_has_some():
    [result] = audit(SampleReport(intro_received="本年度未收到政府信息公开申请。"))
    [item] = only(result, "TXT-001")
    assert "未收到政府信息公开申请" in item.evidence["sentence"] and item.evidence["table_value"] == 49


def test_txt_001_stated_count_against_table():
    [result] = audit(SampleReport(intro_received="本年度共收到政府信息公开申请60件。"))
    assert only(result, "TXT-001")[0].evidence["stated"] == 60
    # "收到" counted with last year's carry-over (49 + 4) is the same applications.
    assert not only(audit(SampleReport(intro_received="本年度共收到政府信息公开申请53件。"))[0], "TXT-001")


def test_txt_001_narrower_scope_is_flagged_with_a_caution():
    [result] = audit(SampleReport(intro_received="本年度，局办公室代表本局受理政府信息公开申请17件。"))
    [item] = only(result, "TXT-001")
    assert "口径" in item.message


def test_txt_002_parts_exceeding_total():
    bad = SampleReport(intro_received="全年主动公开信息16条，其中政策文件13条，工作动态6条，人事信息2条。")
    [item] = only(audit(bad)[0], "TXT-002")
    assert "13+6+2 = 21" in item.message
    # Parts below the total list only some items; a prefix equal to the total
    # followed by another channel's figure is consistent.
    assert not only(audit(SampleReport(intro_received="全年主动公开信息30条，其中政策文件13条，工作动态6条。"))[0], "TXT-002")
    assert not only(audit(SampleReport(intro_received="网站公开信息19条，其中政策文件13条，工作动态6条，公众号发布80条。"))[0], "TXT-002")


def test_txt_003_statistics_period_of_another_year():
    [result] = audit(SampleReport(intro_received="本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。"))
    assert only(result, "TXT-003")[0].evidence["period_years"] == [2023]
    assert not only(audit(SampleReport(intro_received="本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。"))[0], "TXT-003")


# ------------------------------------------------------------------ YR
def _series(before: SampleReport, after: SampleReport):
    return audit(before, after)[1]


def test_yr_001_carry_over_must_match_last_years_carry_forward():
    before = SampleReport(year=2023, published="2024-01-10")
    after = SampleReport(year=2024)
    after.table3["carried_over"] = list(before.table3["carried_forward"])  # 4, 1, … 5
    after.table3["new_received"] = [39, 5, 0, 1, 2, 1, 48]  # keeps TAB-101 balanced
    after.table2["normative_documents"] = [2, 1, 16]  # 15 + 2 - 1
    assert codes(audit(before, after)[1]) == ["YR-003"]  # consistent series; only the copied prose
    after.table3["carried_over"] = [2, 1, 0, 0, 0, 0, 3]
    after.table3["new_received"] = [41, 5, 0, 1, 2, 1, 50]  # keeps TAB-101 balanced
    found = only(_series(before, after), "YR-001")
    assert {f.location["column"] for f in found} == {"natural_person", "total"}


def test_yr_002_in_force_continuity_is_info():
    before = SampleReport(year=2023, published="2024-01-10")
    after = SampleReport(year=2024)
    after.table2["normative_documents"] = [2, 1, 20]  # 15 + 2 - 1 = 16, not 20
    [item] = only(_series(before, after), "YR-002")
    assert item.severity == "info" and "= 16" in item.message


def test_yr_003_copied_narrative_but_not_a_rewritten_one():
    before = SampleReport(year=2023, published="2024-01-10")
    assert only(_series(before, SampleReport(year=2024)), "YR-003")
    rewritten = SampleReport(year=2024, intro_received="今年依申请公开办理量平稳，群众咨询主要集中在项目审批和执法检查结果等方面，办理时限全部达标。")
    rewritten_text = to_text(rewritten).replace("以制度建设为抓手推进政务公开，按季度梳理公开目录，及时更新机构职能、政策文件和执法信息", "围绕优化营商环境开展专项公开行动，新设涉企政策专栏并逐月发布执法检查计划与结果")
    rewritten_text = rewritten_text.replace("政策解读形式较单一，部分栏目更新不够及时", "基层站所公开事项标准化程度不高，部分事项办事指南要素缺失").replace(
        "下一年度将建立栏目更新台账，增加图解和问答式解读，并开展业务培训", "明年起将按标准目录逐项核对，对缺失要素的事项限期补齐并纳入考核"
    )
    reports = [parse(before), parse_bytes(rewritten_text.encode(), "rewritten.txt")]
    results = audit_reports(reports, AuditOptions(agency_type="department"))
    assert not only(results[1], "YR-003")


# ------------------------------------------------------------------ engine
def test_every_catalogue_code_is_a_registered_rule_with_doc():
    codes_ = [r.code for r in all_rules()]
    expected = (
        [f"PUB-00{i}" for i in range(1, 6)] + ["SEC-001", "SEC-002"] + [f"TAB-00{i}" for i in range(1, 5)]
        + [f"TAB-10{i}" for i in range(1, 6)] + ["FMT-001"] + [f"FEE-00{i}" for i in range(1, 4)]
        + [f"TXT-00{i}" for i in range(1, 4)] + [f"YR-00{i}" for i in range(1, 4)]
    )
    assert sorted(codes_) == sorted(expected)
    assert all(r.doc and r.title for r in all_rules())


def test_fingerprints_are_stable_and_ignore_message_and_run():
    sample = SampleReport()
    sample.table3["granted"][0] += 1
    first = [f.to_dict() for f in audit(sample)[0].findings]
    second = [f.to_dict() for f in audit(sample)[0].findings]
    assert first == second
    # The same fault in a differently worded report keeps its fingerprint.
    reworded = sample.copy(intro_received="本年度依申请公开工作平稳有序。")
    third = audit(reworded)[0].findings
    assert {f.fingerprint for f in third if f.rule == "TAB-103"} == {f["fingerprint"] for f in first if f["rule"] == "TAB-103"}


@pytest.mark.parametrize(
    "name,expected",
    [
        ("示例市生态环境局", "department"),
        ("老城区道北路街道办事处", "township"),
        ("城关镇人民政府", "township"),
        ("淮安市洪泽区人民政府", "government"),
        ("平潭综合实验区", "government"),
        ("示例县人民政府办公室", "department"),
        (None, None),
    ],
)
def test_agency_type_inferred_from_name(name, expected):
    assert infer_agency_type(name) == expected


def test_config_rejects_bad_deadline(tmp_path):
    path = tmp_path / "nianbao.toml"
    path.write_text('[deadlines]\ndepartment = "13-01"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="MM-DD"):
        load_config(path)
    assert Config().deadline("government", 2024) == date(2025, 3, 31)
