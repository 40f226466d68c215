"""The command line as scripts use it: the real ``nianbao`` console script run in
a subprocess, on report files written to tmp_path from ``audit.sample``.

The JSON shapes and exit statuses checked here are the public contract of
DESIGN.md ("The command-line contract"); nothing here reads ../shared, so
these tests run on a clean clone.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit.sample import SampleReport, to_html, to_text

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("nianbao")
# The installed console script when it is beside this interpreter (the venv), else the module.
NIANBAO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "audit.cli"]

PARSE_KEYS = {
    "source", "agency", "year", "title", "published", "format_version",
    "sections", "table2", "table3", "table4", "problems",
}
AUDIT_KEYS = {"source", "agency", "year", "findings"}
FINDING_KEYS = {"rule", "severity", "message", "location", "evidence", "fingerprint"}

# Spec §3.2 / §3.3 keys, written out here rather than imported from audit.model,
# so a renamed key in the program breaks these tests.
TABLE3_ROW_KEYS = [
    "new_received", "carried_over", "granted", "partially_granted",
    "denied.state_secret", "denied.prohibited_by_law", "denied.security_stability",
    "denied.third_party", "denied.internal_affairs", "denied.process_information",
    "denied.enforcement_file", "denied.query_service",
    "unable.not_held", "unable.needs_creation", "unable.still_unclear",
    "not_processed.complaint", "not_processed.duplicate", "not_processed.publication",
    "not_processed.excessive", "not_processed.confirmation",
    "other.no_correction", "other.fee_unpaid", "other.other",
    "processed_total", "carried_forward",
]
TABLE3_COLUMN_KEYS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
TABLE2_KEYS = {
    "rules": {"issued", "repealed", "in_force"},
    "normative_documents": {"issued", "repealed", "in_force"},
    "licensing": {"decisions"},
    "penalty": {"decisions"},
    "coercion": {"decisions"},
    "admin_fees": {"amount"},
}
TABLE4_GROUPS = {"review", "litigation_direct", "litigation_after_review"}
TABLE4_COLUMNS = {"upheld", "corrected", "other", "pending", "total"}

# Spec §4, code -> severity.
SPEC_RULES = {
    "PUB-001": "error", "PUB-002": "error", "PUB-003": "warning", "PUB-004": "warning", "PUB-005": "error",
    "SEC-001": "error", "SEC-002": "warning",
    "TAB-001": "error", "TAB-002": "warning", "TAB-003": "warning", "TAB-004": "info",
    "TAB-101": "error", "TAB-102": "error", "TAB-103": "error", "TAB-104": "error", "TAB-105": "error",
    "FMT-001": "warning",
    "FEE-001": "error", "FEE-002": "info", "FEE-003": "warning",
    "TXT-001": "warning", "TXT-002": "warning", "TXT-003": "warning",
    "YR-001": "error", "YR-002": "info", "YR-003": "info",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

CLEAN = ["--published", "2025-01-20", "--agency-type", "department"]
# For a series: each report's own 发布日期 (in time), since --published would apply to all of them.
SERIES = ["--agency-type", "department"]


def nianbao(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run the console script; stdout/stderr as bytes. cwd is tmp_path, so no stray ./nianbao.toml is read."""
    return subprocess.run([*NIANBAO, *map(str, args)], cwd=cwd, capture_output=True, timeout=120)


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8")


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in result.stderr + result.stdout, result.stderr.decode("utf-8", "replace")


def write(tmp_path: Path, name: str, sample: SampleReport) -> Path:
    path = tmp_path / name
    text = to_html(sample) if name.endswith(".html") else to_text(sample)
    path.write_text(text, encoding="utf-8")
    return path


def audit_json(*args, cwd: Path) -> tuple[int, list]:
    result = nianbao("audit", "--format", "json", *args, cwd=cwd)
    no_traceback(result)
    return result.returncode, json.loads(out(result))


def rules_of(entry: dict) -> list[str]:
    return [f["rule"] for f in entry["findings"]]


# ---------------------------------------------------------------- parse


def distinctive_sample() -> SampleReport:
    """The sample with figures no default shares, and blank cells in all three tables."""
    sample = SampleReport(agency="测试县交通运输局")
    sample.table2["licensing"] = [357]
    sample.table2["admin_fees"] = [3.75]
    sample.table2["rules"] = [0, None, 0]
    sample.table3["new_received"] = [41, 6, 0, 1, 2, 1, 51]
    sample.table3["denied.state_secret"] = [None, 0, 0, 0, 0, 0, 0]
    sample.table4 = [2, 1, 0, 1, 4, 1, 0, 0, 1, 2, 0, None, 0, 0, 0]
    return sample


@pytest.mark.parametrize("name", ["report.txt", "report.html"])
def test_parse_json_is_the_design_shape_with_the_sample_figures(tmp_path, name):
    path = write(tmp_path, name, distinctive_sample())
    result = nianbao("parse", "--format", "json", path, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(out(result))
    assert isinstance(data, list) and len(data) == 1
    report = data[0]
    assert set(report) == PARSE_KEYS
    assert report["source"].endswith(name)
    assert report["agency"] == "测试县交通运输局"
    assert report["year"] == 2024
    assert report["title"] == "测试县交通运输局2024年政府信息公开工作年度报告"
    assert report["published"] == "2025-01-20"
    assert report["format_version"] == "2021"

    sections = report["sections"]
    assert [s["number"] for s in sections] == [1, 2, 3, 4, 5, 6]
    assert all(set(s) == {"number", "found", "heading"} for s in sections)
    assert all(s["found"] is True for s in sections)
    assert "收到和处理政府信息公开申请情况" in sections[2]["heading"]

    t2, t3, t4 = report["table2"], report["table3"], report["table4"]
    assert {k: set(v) for k, v in t2.items()} == TABLE2_KEYS
    assert list(t3) == TABLE3_ROW_KEYS
    assert all(list(row) == TABLE3_COLUMN_KEYS for row in t3.values())
    assert set(t4) == TABLE4_GROUPS and all(set(g) == TABLE4_COLUMNS for g in t4.values())

    # The figures that were written come back, typed.
    assert t2["licensing"]["decisions"] == 357
    assert t2["admin_fees"]["amount"] == 3.75
    assert t2["normative_documents"] == {"issued": 2, "repealed": 1, "in_force": 15}
    assert t3["new_received"] == dict(zip(TABLE3_COLUMN_KEYS, [41, 6, 0, 1, 2, 1, 51]))
    assert t3["granted"]["natural_person"] == 18 and t3["granted"]["total"] == 23
    assert t3["unable.not_held"]["total"] == 15
    assert t3["carried_forward"]["natural_person"] == 4
    assert t4["review"] == {"upheld": 2, "corrected": 1, "other": 0, "pending": 1, "total": 4}
    assert t4["litigation_direct"]["total"] == 2
    # A blank cell is null, never 0 -- in every table.
    assert t3["denied.state_secret"]["natural_person"] is None
    assert t3["denied.state_secret"]["commercial"] == 0
    assert t2["rules"] == {"issued": 0, "repealed": None, "in_force": 0}
    assert t4["litigation_after_review"]["corrected"] is None
    assert t4["litigation_after_review"]["upheld"] == 0
    assert isinstance(report["problems"], list)


def test_parse_json_gives_one_object_per_input_in_order(tmp_path):
    a = write(tmp_path, "a.txt", SampleReport(agency="甲市民政局"))
    b = write(tmp_path, "b.html", SampleReport(agency="乙县教育局", year=2023, published="2024-01-15"))
    result = nianbao("parse", "--format", "json", a, b, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(out(result))
    assert [(r["agency"], r["year"], r["published"]) for r in data] == [
        ("甲市民政局", 2024, "2025-01-20"),
        ("乙县教育局", 2023, "2024-01-15"),
    ]
    assert data[0]["source"].endswith("a.txt") and data[1]["source"].endswith("b.html")


def test_parse_text_is_readable_chinese(tmp_path):
    path = write(tmp_path, "report.html", SampleReport(agency="示例区卫生健康委员会"))
    result = nianbao("parse", "--format", "text", path, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0
    text = out(result)
    for expected in ("示例区卫生健康委员会", "表二", "表三", "表四", "2024", "予以公开", "行政复议"):
        assert expected in text, expected
    assert "{" not in text  # not JSON


def test_parse_of_a_missing_path_is_a_usage_error(tmp_path):
    result = nianbao("parse", tmp_path / "nope.txt", cwd=tmp_path)
    assert result.returncode == 2
    no_traceback(result)


# ---------------------------------------------------------------- audit: shape and exit status


@pytest.mark.parametrize("name", ["clean.txt", "clean.html"])
def test_audit_of_a_clean_sample_published_in_time_exits_0(tmp_path, name):
    path = write(tmp_path, name, SampleReport())
    status, data = audit_json(*CLEAN, path, cwd=tmp_path)
    assert status == 0
    assert len(data) == 1 and set(data[0]) == AUDIT_KEYS
    assert data[0]["agency"] == "示例市生态环境局" and data[0]["year"] == 2024
    assert data[0]["source"].endswith(name)
    assert data[0]["findings"] == []


def test_audit_table3_cell_changed_gives_tab103_and_exit_1(tmp_path):
    sample = SampleReport()
    sample.table3["granted"][6] = 24  # the row's applicants add up to 23
    path = write(tmp_path, "r.txt", sample)
    status, data = audit_json(*CLEAN, path, cwd=tmp_path)
    assert status == 1
    findings = data[0]["findings"]
    assert all(set(f) == FINDING_KEYS for f in findings)
    tab103 = [f for f in findings if f["rule"] == "TAB-103"]
    assert len(tab103) == 1
    assert tab103[0]["severity"] == "error"
    assert tab103[0]["location"] == {"table": "table3", "row": "granted"}
    assert "23" in tab103[0]["message"] and "24" in tab103[0]["message"]
    assert re.fullmatch(r"[0-9a-f]{8,}", tab103[0]["fingerprint"])


def test_audit_late_department_gives_pub002_with_days_late(tmp_path):
    path = write(tmp_path, "r.txt", SampleReport())
    status, data = audit_json("--published", "2025-03-01", "--agency-type", "department", path, cwd=tmp_path)
    assert status == 1
    pub = [f for f in data[0]["findings"] if f["rule"] == "PUB-002"]
    assert len(pub) == 1
    assert pub[0]["severity"] == "error"
    assert "逾期29天" in pub[0]["message"]
    assert "2025-01-31" in pub[0]["message"]
    assert pub[0]["evidence"]["days_late"] == 29
    assert rules_of(data[0]) == ["PUB-002"]


def test_audit_a_missing_path_exits_2(tmp_path):
    good = write(tmp_path, "r.txt", SampleReport())
    result = nianbao("audit", *CLEAN, good, tmp_path / "missing.txt", cwd=tmp_path)
    assert result.returncode == 2
    no_traceback(result)
    assert b"missing.txt" in result.stderr


@pytest.mark.parametrize(
    "option",
    [
        ["--agency-type", "ministry"],
        ["--published", "2025-13-01"],
        ["--published", "20 January 2025"],
        ["--as-of", "yesterday"],
        ["--format", "xml"],
    ],
)
def test_audit_a_bad_option_value_exits_2(tmp_path, option):
    path = write(tmp_path, "r.txt", SampleReport())
    result = nianbao("audit", *option, path, cwd=tmp_path)
    assert result.returncode == 2, out(result)
    assert result.stdout == b""
    no_traceback(result)


def test_audit_json_is_byte_identical_across_runs_and_paths(tmp_path):
    sample = SampleReport()
    sample.table3["granted"][6] = 24
    first = write(tmp_path, "r.txt", sample)
    args = ["audit", "--format", "json", "--published", "2025-03-01", "--agency-type", "department", "--as-of", "2025-06-01"]
    one = nianbao(*args, first, cwd=tmp_path)
    two = nianbao(*args, first, cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    fingerprints = [f["fingerprint"] for f in json.loads(out(one))[0]["findings"]]
    assert len(fingerprints) >= 3 and len(set(fingerprints)) == len(fingerprints)
    assert all(fingerprints)
    # The same report under another name: same findings, same fingerprints (not keyed on the path).
    (tmp_path / "copy").mkdir()
    other = shutil.copy(first, tmp_path / "copy" / "renamed.txt")
    three = nianbao(*args, other, cwd=tmp_path)
    assert [f["fingerprint"] for f in json.loads(out(three))[0]["findings"]] == fingerprints


# ---------------------------------------------------------------- audit: series


def _series(tmp_path: Path, carried_over: list[int]) -> tuple[Path, Path]:
    """2023 (text) and 2024 (HTML) of one agency; 2024 reconciles by itself."""
    y2023 = SampleReport(year=2023, published="2024-01-18")  # carried_forward 4,1,0,0,0,0 = 5
    y2024 = SampleReport(year=2024)
    y2024.table3["carried_over"] = carried_over
    # Keep 2024's own 一 + 二 = 三（七） + 四 (48 + 5 = 53), so YR-001 is its only error.
    over = carried_over[6]
    y2024.table3["new_received"] = [40 + 3 - carried_over[0], 5 + 1 - carried_over[1], 0, 1, 2, 1, 0]
    y2024.table3["new_received"][6] = sum(y2024.table3["new_received"][:6])
    assert y2024.table3["new_received"][6] + over == 53
    return write(tmp_path, "y2023.txt", y2023), write(tmp_path, "y2024.html", y2024)


def test_audit_series_flags_carried_over_against_last_years_carried_forward(tmp_path):
    p2023, p2024 = _series(tmp_path, [2, 1, 0, 0, 0, 0, 3])
    for order in ((p2023, p2024), (p2024, p2023)):
        status, data = audit_json(*SERIES, *order, cwd=tmp_path)
        assert status == 1
        by_year = {entry["year"]: entry for entry in data}
        assert "YR-001" not in rules_of(by_year[2023])
        errors = {f["rule"] for f in by_year[2024]["findings"] if f["severity"] == "error"}
        assert errors == {"YR-001"}
        yr = {f["location"]["column"]: f for f in by_year[2024]["findings"] if f["rule"] == "YR-001"}
        assert set(yr) == {"natural_person", "total"}
        assert all(f["location"]["row"] == "carried_over" and f["location"]["table"] == "table3" for f in yr.values())
        assert (yr["natural_person"]["evidence"]["this_year"], yr["natural_person"]["evidence"]["previous_year"]) == (2, 4)
        assert (yr["total"]["evidence"]["this_year"], yr["total"]["evidence"]["previous_year"]) == (3, 5)


def test_audit_series_with_matching_carry_over_has_no_yr001(tmp_path):
    p2023, p2024 = _series(tmp_path, [4, 1, 0, 0, 0, 0, 5])
    status, data = audit_json(*SERIES, p2023, p2024, cwd=tmp_path)
    assert status == 0
    assert all("YR-001" not in rules_of(entry) for entry in data)


def test_audit_alone_the_2024_report_has_no_history(tmp_path):
    _, p2024 = _series(tmp_path, [2, 1, 0, 0, 0, 0, 3])
    status, data = audit_json(*SERIES, p2024, cwd=tmp_path)
    assert status == 0
    assert "YR-001" not in rules_of(data[0])


# ---------------------------------------------------------------- audit: csv and text


def test_audit_csv_has_bom_chinese_headers_and_parses_back(tmp_path):
    sample = SampleReport()
    sample.table3["granted"][6] = 24
    path = write(tmp_path, "r.txt", sample)
    args = ["--published", "2025-03-01", "--agency-type", "department", path]
    result = nianbao("audit", "--format", "csv", *args, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert "规则" in header
    assert all(re.search(r"[\u4e00-\u9fff]", h) and not re.search(r"[A-Za-z]", h) for h in header), header
    assert all(len(row) == len(header) for row in body)
    # Same findings, same order, same fingerprints as the JSON output.
    _, data = audit_json(*args, cwd=tmp_path)
    findings = data[0]["findings"]
    rule_col = [row[header.index("规则")] for row in body]
    assert rule_col == [f["rule"] for f in findings]
    fingerprints = {f["fingerprint"] for f in findings}
    assert all(any(cell in fingerprints for cell in row) for row in body)
    assert any("逾期29天" in cell for row in body for cell in row)


def test_audit_csv_neutralises_formula_cells(tmp_path):
    path = write(tmp_path, "=HYPERLINK(1).txt", SampleReport())
    result = nianbao("audit", "--format", "csv", "--published", "2025-03-01", "--agency-type", "department", path.name, cwd=tmp_path)
    assert result.returncode == 1
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"), newline="")))
    assert len(rows) >= 2
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells), cells
    assert any("HYPERLINK" in cell for cell in cells)


def test_audit_text_is_chinese_and_names_the_rule(tmp_path):
    path = write(tmp_path, "r.txt", SampleReport())
    result = nianbao("audit", "--published", "2025-03-01", "--agency-type", "department", path, cwd=tmp_path)
    assert result.returncode == 1
    text = out(result)
    assert "PUB-002" in text and "逾期29天" in text and "示例市生态环境局" in text


# ---------------------------------------------------------------- rules


def test_rules_lists_every_spec_code_with_its_severity(tmp_path):
    result = nianbao("rules", cwd=tmp_path)
    assert result.returncode == 0
    listed: dict[str, str] = {}
    for line in out(result).splitlines():
        match = re.match(r"\s*([A-Z]{2,3}-\d{3})\b(.*)", line)
        if match:
            assert match.group(1) not in listed, f"{match.group(1)} listed twice"
            listed[match.group(1)] = match.group(2)
    missing = sorted(set(SPEC_RULES) - set(listed))
    assert not missing, f"rules missing from `nianbao rules`: {missing}"
    for code, severity in SPEC_RULES.items():
        rest = listed[code]
        first = rest.split()[0] if rest.split() else ""  # the field after the code
        assert first in (severity, SEVERITY_ZH[severity]), f"{code}: expected {severity}, line says {rest!r}"


def test_rules_markdown_covers_every_code(tmp_path):
    result = nianbao("rules", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 0
    text = out(result)
    for code, severity in SPEC_RULES.items():
        assert re.search(rf"^\| {code} \| {severity}\b", text, re.M), code


def test_docs_rules_md_is_up_to_date(tmp_path):
    committed = ROOT / "docs" / "rules.md"
    result = nianbao("rules", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 0
    assert committed.exists(), "docs/rules.md is missing: run `nianbao rules --format markdown > docs/rules.md`"
    assert committed.read_bytes() == result.stdout, (
        "docs/rules.md is stale: run `nianbao rules --format markdown > docs/rules.md`"
    )


# ---------------------------------------------------------------- config


TOML = """\
[deadlines]
department = "01-31"
township = "01-31"

[deadlines.regions."某某区"]
township = "02-20"
"""


def _township(tmp_path: Path) -> Path:
    return write(tmp_path, "town.txt", SampleReport(agency="某某镇人民政府", published="2025-02-15"))


def _township_audit(tmp_path: Path, *extra: str) -> tuple[int, list[str]]:
    status, data = audit_json("--published", "2025-02-15", "--agency-type", "township", *extra, _township(tmp_path), cwd=tmp_path)
    return status, rules_of(data[0])


def test_config_region_deadline_applies_with_region(tmp_path):
    config = tmp_path / "conf" / "nianbao.toml"
    config.parent.mkdir()
    config.write_text(TOML, encoding="utf-8")
    status, rules = _township_audit(tmp_path, "--config", str(config), "--region", "某某区")
    assert "PUB-002" not in rules
    assert status == 0


def test_config_region_deadline_not_applied_without_region(tmp_path):
    config = tmp_path / "conf" / "nianbao.toml"
    config.parent.mkdir()
    config.write_text(TOML, encoding="utf-8")
    status, data = audit_json("--config", str(config), "--published", "2025-02-15", "--agency-type", "township", _township(tmp_path), cwd=tmp_path)
    pub = [f for f in data[0]["findings"] if f["rule"] == "PUB-002"]
    assert status == 1 and len(pub) == 1
    assert "逾期15天" in pub[0]["message"]
    # Another region does not get 某某区's deadline either.
    status, rules = _township_audit(tmp_path, "--config", str(config), "--region", "别的区")
    assert status == 1 and "PUB-002" in rules


def test_config_is_read_from_the_working_directory(tmp_path):
    (tmp_path / "nianbao.toml").write_text(TOML, encoding="utf-8")
    status, rules = _township_audit(tmp_path, "--region", "某某区")
    assert status == 0 and "PUB-002" not in rules


def test_config_with_a_bad_deadline_is_a_usage_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[deadlines]\ntownship = "02-30"\n', encoding="utf-8")
    result = nianbao("audit", "--config", config, _township(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    no_traceback(result)
    assert "02-30" in result.stderr.decode("utf-8")
