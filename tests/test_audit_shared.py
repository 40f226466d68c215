"""The audit of the seeds against their hand audit (../shared/seeds/EXPECTED.md)
and of the real reports (../shared/fixtures/real), read in place."""

from __future__ import annotations

import json

import pytest

from audit.auditor import AuditOptions, audit_reports
from audit.interpret import parse_path
from conftest import shared_path

SEEDS = {
    "000": "seeds/000_075fb8c0c28ee6ce.txt",
    "001": "seeds/001_7859ced941c8677a.txt",
    "002": "seeds/002_27644f09ec1ea7ef.txt",
    "003": "seeds/003_0b18766e99314691.txt",
    "004": "seeds/004_e6499531ec3c06f0.txt",
}


def audit_seed(name):
    [result] = audit_reports([parse_path(shared_path(SEEDS[name]))], AuditOptions())
    return result


def found(result, code, **location):
    return [f for f in result.findings if f.rule == code and all(f.location.get(k) == v for k, v in location.items())]


def rules_at(result, severity):
    return sorted({f.rule for f in result.findings if f.severity == severity})


TAB_ARITHMETIC = ["TAB-101", "TAB-102", "TAB-103", "TAB-104"]


def test_seed_000():
    result = audit_seed("000")
    assert found(result, "FEE-001", section=6)
    blank = {f.location.get("row"): f.evidence["columns"] for f in found(result, "TAB-002", table="table3")}
    six = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"]
    assert blank == {"granted": six, "partially_granted": six}  # the 12 empty cells
    assert found(result, "PUB-003")
    for code in ["SEC-001", "TXT-002", "FMT-001", *TAB_ARITHMETIC]:
        assert not found(result, code), code


def test_seed_001_published_in_time_and_clean():
    result = audit_seed("001")
    assert result.context.published.isoformat() == "2023-01-13"
    assert rules_at(result, "error") == [] and rules_at(result, "warning") == []
    assert not found(result, "PUB-002") and not found(result, "PUB-003")
    assert set(rules_at(result, "info")) <= {"TAB-004", "FEE-002"}


def test_seed_002():
    result = audit_seed("002")
    assert found(result, "PUB-003")
    assert rules_at(result, "error") == []
    for code in ["FEE-001", "TAB-002", "TAB-003", "SEC-001", *TAB_ARITHMETIC]:
        assert not found(result, code), code


def test_seed_003():
    result = audit_seed("003")
    assert found(result, "FEE-001")
    rows = {f.location.get("row") for f in found(result, "TAB-002", table="table3")}
    assert rows == {
        "granted",
        "partially_granted",
        "denied.state_secret",
        "denied.prohibited_by_law",
        "denied.security_stability",
        "denied.third_party",
    }
    assert found(result, "PUB-003")
    assert not found(result, "SEC-001")
    for code in TAB_ARITHMETIC:
        assert not found(result, code), code


def test_seed_004():
    result = audit_seed("004")
    [itemised] = found(result, "TXT-002", section=1)
    assert itemised.location["total"] == 16 and sum(itemised.location["parts"]) == 25
    extra = {f.location["row"] for f in found(result, "TAB-003")}
    assert extra == {"other.no_correction", "other.fee_unpaid", "other.other", "processed_total"}
    assert found(result, "PUB-003")
    for code in ["FEE-001", "FEE-002", "SEC-001", "SEC-002", *TAB_ARITHMETIC]:
        assert not found(result, code), code


REAL = ["pingtan-2021.txt", "pingtan-2022.txt", "pingtan-2023.txt", "shanghai-kewei-2024.txt", "shuyang-fgj-2023.html", "hongze-2024.pdf", "huaian-2024.pdf"]

# Every warning each real report gets, each one defended in the closing note.
EXPECTED_WARNINGS = {
    "pingtan-2021.txt": [("TAB-002", "normative_documents")],  # 693665: ten readings, text states none
    "pingtan-2022.txt": [],
    "pingtan-2023.txt": [("TAB-002", "normative_documents")],  # 77132470: 77|132|470 or 77|13|2470
    "shanghai-kewei-2024.txt": [
        ("PUB-003", None),
        ("SEC-002", None),  # renumbered headings
        ("SEC-002", None),  # section 五 has no title
        ("TAB-002", "carried_forward"),  # blank 总计 cell
        ("TXT-002", None),  # 2139 条 but 1744+393+21+2 = 2160
    ],
    "shuyang-fgj-2023.html": [("TAB-002", None)],  # five legal-person columns left blank throughout
    "hongze-2024.pdf": [("PUB-003", None), ("FMT-001", None), ("TXT-001", "new_received")],  # 17 vs 95
    "huaian-2024.pdf": [("PUB-003", None), ("FEE-003", "other.fee_unpaid")],
}


@pytest.mark.parametrize("name", REAL)
def test_real_reports_have_no_error_and_only_defended_warnings(name):
    paths = [shared_path(f"fixtures/real/{name}")]
    [result] = audit_reports([parse_path(p) for p in paths], AuditOptions())
    assert rules_at(result, "error") == [], [f.message for f in result.findings if f.severity == "error"]
    warnings = sorted((f.rule, f.location.get("row")) for f in result.findings if f.severity == "warning")
    assert warnings == sorted(EXPECTED_WARNINGS[name])


def test_pingtan_series_reconciles_year_to_year():
    paths = [shared_path(f"fixtures/real/pingtan-{y}.txt") for y in (2021, 2022, 2023)]
    results = audit_reports([parse_path(p) for p in paths], AuditOptions())
    for result in results:
        assert not [f for f in result.findings if f.rule.startswith("YR-") and f.severity != "info"]
    # 2021 carried 1 application forward; 2022 says 1 was carried over.
    assert results[1].report.table3["carried_over"]["total"] == results[0].report.table3["carried_forward"]["total"] == 1


def test_hongze_text_count_is_flagged_as_a_scope_question_not_an_error():
    [result] = audit_reports([parse_path(shared_path("fixtures/real/hongze-2024.pdf"))], AuditOptions())
    [item] = found(result, "TXT-001")
    assert item.severity == "warning" and item.evidence["stated"] == 17 and item.evidence["table_value"] == 95
    assert "口径" in item.message


@pytest.mark.parametrize("name", REAL + list(SEEDS.values()))
def test_auditing_twice_gives_identical_json(name):
    path = shared_path(name if name.startswith("seeds/") else f"fixtures/real/{name}")

    def run():
        return json.dumps([r.to_dict() for r in audit_reports([parse_path(path)], AuditOptions())], ensure_ascii=False)

    assert run() == run()
