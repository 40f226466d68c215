"""FMT: the edition of the national format the report follows."""

from __future__ import annotations

from audit.engine import AuditContext, finding, rule


@rule("FMT-001", "warning", "2021年及以后的年报仍使用2019年旧格式")
def fmt_001(context: AuditContext):
    """A report on 2021 or later uses the 2019 format (国办公开办函〔2019〕60号):
    old table 2 columns, the （九）项 row, or the single-row （六）其他处理.

    Basis: 国办公开办函〔2021〕30号 sets the format for reports on 2021 onwards.
    """
    report = context.report
    if not report.readable or context.year is None or context.year < 2021:
        return
    features = []
    if report.format_version == "2019":
        features.append("表二使用旧版栏目")
    features += [p.message for p in report.problems if p.kind == "old_format"]
    if features:
        yield finding(
            "FMT-001",
            f"{context.year}年度年报应使用2021年新版格式（国办公开办函〔2021〕30号），但{'；'.join(features)}",
            {},
            features=features,
        )
