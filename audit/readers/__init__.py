"""Readers: one module per file format, each returning a ``Document``.

``read_document`` sniffs the bytes (not the file name, which portals get
wrong) and hands them to the right reader. A reader never raises on bad
input: it returns a Document with ``readable=False`` and a problem saying why.
"""

from __future__ import annotations

from pathlib import Path

from audit.document import Document, Problem

# Larger files are refused rather than read: no real annual report comes
# near this, and reading one must never exhaust the machine.
MAX_BYTES = 64 * 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .wps / .xls


def sniff(data: bytes, name: str = "") -> str:
    """Return "pdf", "docx", "ole", "html", "text" or "binary"."""
    head = data[:4096]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    lowered = head.lower()
    if any(tag in lowered for tag in (b"<html", b"<!doctype html", b"<body", b"<table", b"<div", b"<p>", b"<meta")):
        return "html"
    if name.lower().endswith((".html", ".htm", ".shtml")):
        return "html"
    # Text has few control bytes; binary garbage has many.
    sample = head[:2048]
    if sample:
        control = sum(1 for b in sample if b < 9 or 13 < b < 32)
        if b"\x00" in sample or control / len(sample) > 0.05:
            return "binary"
    return "text"


def unreadable(source: str, message: str, **evidence) -> Document:
    return Document(
        source=source,
        readable=False,
        problems=[Problem("unreadable", message, evidence=evidence)],
    )


def read_bytes(data: bytes, source: str, name: str = "") -> Document:
    """Read one document held in memory; ``source`` is its URL or path."""
    if not data or not data.strip():
        return unreadable(source, "文件为空，无法读取年报内容")
    if len(data) > MAX_BYTES:
        return unreadable(
            source, f"文件过大（{len(data) // (1024 * 1024)} MB），超过 {MAX_BYTES // (1024 * 1024)} MB 上限，未读取", size=len(data)
        )
    kind = sniff(data, name or source)
    if kind == "pdf":
        from audit.readers import pdf

        return pdf.read(data, source)
    if kind == "docx":
        from audit.readers import docx

        return docx.read(data, source)
    if kind == "html":
        from audit.readers import html

        return html.read(data, source)
    if kind == "text":
        from audit.readers import text

        return text.read(data, source)
    if kind == "ole":
        return unreadable(source, "文件为旧版 Word/WPS 二进制格式（.doc/.wps），暂不能读取，请人工核对", format="ole")
    return unreadable(source, "文件不是可识别的文本、HTML、PDF 或 DOCX 格式", format="binary")


def read_path(path: str | Path) -> Document:
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return read_bytes(data, str(path), path.name)
