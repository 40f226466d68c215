"""Report files for the test portals: PDF (reportlab) and DOCX (python-docx) with
real tables, built from the project's own sample reports (``audit.sample``).

The tab-separated layout of ``audit.sample.to_text`` is the source: runs of
lines with tabs become ruled tables, other lines paragraphs, so the files
carry exactly the sample's figures.
"""

from __future__ import annotations

import io

from audit.sample import SampleReport, to_text


def _blocks(sample: SampleReport) -> list[tuple[str, object]]:
    """("title"|"para", text) and ("table", rows) in reading order."""
    lines = to_text(sample).splitlines()
    blocks: list[tuple[str, object]] = [("title", lines[0])]
    rows: list[list[str]] = []
    for line in lines[1:]:
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            width = max(len(r) for r in rows)
            blocks.append(("table", [r + [""] * (width - len(r)) for r in rows]))
            rows = []
        if line.strip():
            blocks.append(("para", line.strip()))
    if rows:
        width = max(len(r) for r in rows)
        blocks.append(("table", [r + [""] * (width - len(r)) for r in rows]))
    return blocks


def report_pdf(sample: SampleReport) -> bytes:
    """A PDF with ruled tables; text in the standard Adobe-GB1 font so any reader maps it to Unicode."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22, alignment=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=6.5, leading=8)
    story = []
    for kind, content in _blocks(sample):
        if kind == "title":
            story += [Paragraph(str(content), title), Spacer(1, 8)]
        elif kind == "para":
            story.append(Paragraph(str(content), body))
        else:
            data = [[Paragraph(c, cell) for c in row] for row in content]  # type: ignore[union-attr]
            table = Table(data, repeatRows=0)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            story += [Spacer(1, 4), table, Spacer(1, 6)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), title=sample.agency, invariant=1).build(story)
    return buffer.getvalue()


def report_docx(sample: SampleReport) -> bytes:
    from docx import Document

    document = Document()
    for kind, content in _blocks(sample):
        if kind == "title":
            document.add_heading(str(content), level=1)
        elif kind == "para":
            document.add_paragraph(str(content))
        else:
            rows = content  # type: ignore[assignment]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """python-docx stamps the current time into the zip and core properties; fix both,
    so the same sample gives the same bytes (an unchanged report must look unchanged)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2020-01-01T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


def broken_pdf() -> bytes:
    """A file that starts like a PDF and is not one (a truncated upload)."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00\x17garbage" * 200
