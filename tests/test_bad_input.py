"""Inputs that are not (readable) reports: empty, whitespace, a truncated PDF,
binary garbage, a legacy .doc, a GBK text, an HTML page without a report, and
a file too large to read.

Each goes through ``audit.interpret.parse_bytes`` (or ``read_path``) and
through ``nianbao audit`` in a subprocess. An unreadable file gives
``readable=False`` with an "unreadable" problem in Chinese, and the audit
exits 1 with a PUB-005 finding naming the file, never a traceback. Every
input is made here, in tmp_path; nothing reads ../shared.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer

import audit.readers
from audit.interpret import parse_bytes
from audit.readers import MAX_BYTES, read_path
from audit.sample import SampleReport, to_text

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_SCRIPT = Path(sys.executable).with_name("nianbao")
NIANBAO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "audit.cli"]

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CJK = re.compile(r"[\u4e00-\u9fff]")

NO_REPORT_HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>示例市人民政府门户网站</title></head><body>"
    "<div class='nav'>首页 &gt; 政务公开</div><p>欢迎访问示例市人民政府门户网站。</p>"
    "<ul><li><a href='/a.html'>关于开展安全生产检查的通知</a></li><li><a href='/b.html'>2024年工作要点</a></li></ul>"
    "<div class='footer'>主办单位：示例市人民政府办公室</div></body></html>"
)


def report_pdf(tmp_path: Path) -> bytes:
    """A real multi-page PDF of the sample report's text, drawn with reportlab."""
    style = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=16)
    story = []
    for line in to_text(SampleReport()).splitlines():
        story.append(RLParagraph(line.replace("\t", " ") or " ", style))
        story.append(Spacer(1, 2))
    path = tmp_path / "whole.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path.read_bytes()


def unreadable_inputs(tmp_path: Path) -> dict[str, bytes]:
    pdf = report_pdf(tmp_path)
    return {
        "empty.txt": b"",
        "blank.txt": b"  \n\t\r\n   \n",
        "truncated.pdf": pdf[: len(pdf) // 2],
        "garbage.bin": random.Random(20240131).randbytes(16384),
        "legacy.doc": OLE_HEADER + b"\x00" * 4088 + random.Random(7).randbytes(4096),
    }


UNREADABLE = ["empty.txt", "blank.txt", "truncated.pdf", "garbage.bin", "legacy.doc"]


def assert_unreadable(report) -> None:
    assert report.readable is False
    kinds = [p.kind for p in report.problems]
    assert "unreadable" in kinds, kinds
    problem = next(p for p in report.problems if p.kind == "unreadable")
    assert problem.message.strip() and CJK.search(problem.message), problem.message


def nianbao_audit(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*NIANBAO, "audit", "--agency-type", "department", *map(str, args)],
        cwd=cwd, capture_output=True, timeout=60,
    )


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in result.stdout + result.stderr, result.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------- in process


def test_the_pdf_made_here_is_readable_whole(tmp_path):
    """Control for the truncated case: the same PDF, whole, reads as the report."""
    report = parse_bytes(report_pdf(tmp_path), "whole.pdf", "whole.pdf")
    assert report.readable is True
    assert report.agency == "示例市生态环境局" and report.year == 2024


@pytest.mark.parametrize("name", UNREADABLE)
def test_parse_bytes_of_unreadable_input(tmp_path, name):
    data = unreadable_inputs(tmp_path)[name]
    report = parse_bytes(data, f"https://example.gov.cn/{name}", name)
    assert_unreadable(report)
    assert report.source == f"https://example.gov.cn/{name}"
    # Nothing was made up from the bytes.
    assert report.agency is None and report.year is None
    assert all(v is None for row in report.table3.values() for v in row.values())


def test_empty_and_whitespace_messages_say_empty():
    for data in (b"", b" \n\t \r\n"):
        report = parse_bytes(data, "x.txt", "x.txt")
        assert_unreadable(report)
        assert "空" in report.problems[0].message


def test_legacy_doc_is_named_as_such():
    report = parse_bytes(OLE_HEADER + b"\x00" * 1024, "a.doc", "a.doc")
    assert_unreadable(report)
    assert ".doc" in report.problems[0].message or "Word" in report.problems[0].message


def test_garbage_named_as_text_is_still_unreadable():
    """The reader sniffs bytes, not names: garbage called .txt is not read as text."""
    data = random.Random(99).randbytes(8192)
    for name in ("report.txt", "report.pdf", "report.docx"):
        assert_unreadable(parse_bytes(data, name, name))


def test_gbk_text_parses_to_the_same_report_as_utf8():
    sample = SampleReport(agency="示例县自然资源和规划局")
    sample.table3["new_received"] = [33, 4, 1, 0, 2, 1, 41]
    sample.table3["denied.third_party"] = [None, 0, 0, 0, 0, 0, 0]
    text = to_text(sample)
    utf8 = parse_bytes(text.encode("utf-8"), "u.txt", "u.txt")
    gbk = parse_bytes(text.encode("gbk"), "g.txt", "g.txt")
    assert gbk.readable is True
    assert gbk.agency == "示例县自然资源和规划局" and gbk.year == 2024
    assert (gbk.title, gbk.published, gbk.format_version) == (utf8.title, utf8.published, utf8.format_version)
    assert [s.to_dict() for s in gbk.sections] == [s.to_dict() for s in utf8.sections]
    assert gbk.table2 == utf8.table2
    assert gbk.table3 == utf8.table3
    assert gbk.table4 == utf8.table4
    assert gbk.table3["new_received"]["total"] == 41
    assert gbk.table3["denied.third_party"]["natural_person"] is None
    assert all(s.found for s in gbk.sections)


def test_html_without_a_report_is_readable_and_has_no_tables():
    report = parse_bytes(NO_REPORT_HTML.encode("utf-8"), "https://example.gov.cn/index.html", "index.html")
    assert report.readable is True
    assert "unreadable" not in [p.kind for p in report.problems]
    assert report.tables_found == {"table2": False, "table3": False, "table4": False}
    assert not any(s.found for s in report.sections)
    assert all(v is None for table in (report.table2, report.table3, report.table4) for row in table.values() for v in row.values())


class _CountingReader:
    """Wraps a binary file and counts the bytes read from it."""

    def __init__(self, handle, counter: list[int]):
        self._handle, self._counter = handle, counter

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._counter[0] += len(data)
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def test_oversized_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(70 * 1024 * 1024)  # sparse: no disk, no time
    size = big.stat().st_size
    assert size > MAX_BYTES

    read = [0]
    original_open = Path.open

    def counting_open(self, mode="r", *args, **kwargs):
        handle = original_open(self, mode, *args, **kwargs)
        return _CountingReader(handle, read) if "b" in mode and self == big else handle

    monkeypatch.setattr(Path, "open", counting_open)
    # A reader must never be handed the oversized bytes.
    for reader in ("pdf", "text", "html"):
        module = __import__(f"audit.readers.{reader}", fromlist=["read"])
        monkeypatch.setattr(module, "read", lambda *a, **k: pytest.fail("an oversized file reached a reader"))

    document = read_path(big)
    assert document.readable is False
    problem = next(p for p in document.problems if p.kind == "unreadable")
    assert CJK.search(problem.message)
    assert "64" in problem.message  # states the limit
    assert 0 < read[0] <= audit.readers.MAX_BYTES + 1 < size


def test_oversized_bytes_in_memory_are_refused():
    data = b"a" * (MAX_BYTES + 1)
    report = parse_bytes(data, "big.txt", "big.txt")
    assert_unreadable(report)


# ---------------------------------------------------------------- nianbao audit


def _pub005(result: subprocess.CompletedProcess, name: str) -> dict:
    data = json.loads(result.stdout.decode("utf-8"))
    assert len(data) == 1 and data[0]["source"].endswith(name)
    found = [f for f in data[0]["findings"] if f["rule"] == "PUB-005"]
    assert len(found) == 1, data
    assert found[0]["severity"] == "error" and CJK.search(found[0]["message"])
    return found[0]


@pytest.mark.parametrize("name", UNREADABLE)
def test_audit_of_unreadable_file_exits_1_with_pub005(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(unreadable_inputs(tmp_path)[name])

    result = nianbao_audit("--format", "json", path, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    finding = _pub005(result, name)
    assert finding["evidence"]["source"].endswith(name)
    # An unreadable file is PUB-005's alone: no section/table findings made up from nothing.
    assert [f["rule"] for f in json.loads(result.stdout)[0]["findings"]] == ["PUB-005"]

    text = nianbao_audit(path, cwd=tmp_path)
    no_traceback(text)
    assert text.returncode == 1
    output = text.stdout.decode("utf-8")
    assert name in output and "PUB-005" in output


def test_audit_of_an_unreadable_file_beside_a_good_one(tmp_path):
    """One bad file does not stop the others from being audited."""
    good = tmp_path / "good.txt"
    good.write_text(to_text(SampleReport()), encoding="utf-8")
    bad = tmp_path / "bad.doc"
    bad.write_bytes(OLE_HEADER + b"\x00" * 2048)
    result = nianbao_audit("--format", "json", "--published", "2025-01-20", good, bad, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    data = json.loads(result.stdout.decode("utf-8"))
    assert [entry["source"].rsplit("/", 1)[-1] for entry in data] == ["good.txt", "bad.doc"]
    assert data[0]["findings"] == []
    assert [f["rule"] for f in data[1]["findings"]] == ["PUB-005"]


def test_audit_of_oversized_file_exits_1_with_pub005(tmp_path):
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.truncate(70 * 1024 * 1024)
    result = nianbao_audit("--format", "json", big, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    finding = _pub005(result, "huge.pdf")
    assert "64" in finding["message"]


def test_audit_of_gbk_text_is_as_clean_as_utf8(tmp_path):
    text = to_text(SampleReport())
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    result = nianbao_audit("--format", "json", "--published", "2025-01-20", tmp_path / "gbk.txt", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0
    assert json.loads(result.stdout.decode("utf-8"))[0]["findings"] == []


def test_audit_of_html_without_a_report(tmp_path):
    path = tmp_path / "index.html"
    path.write_text(NO_REPORT_HTML, encoding="utf-8")
    result = nianbao_audit("--format", "json", "--published", "2025-01-20", path, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    findings = json.loads(result.stdout.decode("utf-8"))[0]["findings"]
    tab001 = sorted(f["location"]["table"] for f in findings if f["rule"] == "TAB-001")
    sec001 = sorted(f["location"]["section"] for f in findings if f["rule"] == "SEC-001")
    assert tab001 == ["table2", "table3", "table4"]
    assert sec001 == [1, 2, 3, 4, 5, 6]
    assert "PUB-005" not in [f["rule"] for f in findings]  # it was read; it just holds no report
