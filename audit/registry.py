"""The agency registry: the CSV that says which portals to crawl.

    id,name,type,region,url,supervisor_email
    shengtai,示例市生态环境局,department,示例市,https://sthjj.example.gov.cn/,a@example.org;b@example.org

``type`` is one of ``audit.config.AGENCY_TYPES``; ``url`` is the agency's
annual-report column or its portal home page; ``supervisor_email`` may hold
several addresses separated by ``;``. The whole file is checked before
anything is crawled, and every bad row is reported at once (with its line
number, in Chinese), so a supervisor fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from audit.config import AGENCY_TYPES, AGENCY_TYPE_LABELS

COLUMNS = ("id", "name", "type", "region", "url", "supervisor_email")
REQUIRED = ("id", "name", "type", "url")
COLUMN_LABELS = {
    "id": "编号 id",
    "name": "机关名称 name",
    "type": "机关类型 type",
    "region": "地区 region",
    "url": "网址 url",
    "supervisor_email": "监督人邮箱 supervisor_email",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")


class RegistryError(ValueError):
    """The registry cannot be used; ``problems`` lists every bad row."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"机关登记表 {path} 有 {len(problems)} 处错误：\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    type: str
    region: str
    url: str
    supervisor_email: str  # "a@x.cn;b@y.cn" as written (normalised spacing)

    @property
    def emails(self) -> list[str]:
        return split_emails(self.supervisor_email)

    def as_dict(self) -> dict:
        return {column: getattr(self, column) for column in COLUMNS}


def split_emails(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[;；]", value or "") if part.strip()]


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be crawled, or None when it is a usable http(s) URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "不是有效的网址"
    if parts.scheme not in ("http", "https"):
        return "网址必须以 http:// 或 https:// 开头"
    if not parts.hostname or " " in url:
        return "网址缺少主机名或含有空格"
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "网址端口号无效"
    return None


def parse_registry(text: str, source: str = "<registry>") -> list[Agency]:
    """Parse and validate registry text; raise RegistryError listing every problem."""
    text = text.lstrip("\ufeff")  # Excel saves CSV with a BOM
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing_columns = [c for c in COLUMNS if c not in header]
    if missing_columns:
        wanted = ",".join(COLUMNS)
        raise RegistryError(source, [f"表头缺少列 {', '.join(missing_columns)}；表头应为 {wanted}"])
    reader.fieldnames = header
    problems: list[str] = []
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        row = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS}
        if not any(row.values()):
            continue  # blank line
        where = f"第 {line} 行"
        row_problems = []
        for column in REQUIRED:
            if not row.get(column):
                row_problems.append(f"{where}：缺少{COLUMN_LABELS[column]}")
        agency_id = row.get("id", "")
        if agency_id and not _ID.match(agency_id):
            row_problems.append(f"{where}：编号 {agency_id!r} 只能由字母、数字、“_”“-”“.”组成，且不超过 64 个字符")
        if agency_id in seen:
            row_problems.append(f"{where}：编号 {agency_id!r} 重复（第 {seen[agency_id]} 行已使用）")
        elif agency_id:
            seen[agency_id] = line
        agency_type = row.get("type", "")
        if agency_type and agency_type not in AGENCY_TYPES:
            known = "、".join(f"{t}（{AGENCY_TYPE_LABELS[t]}）" for t in AGENCY_TYPES)
            row_problems.append(f"{where}：未知的机关类型 {agency_type!r}，应为 {known} 之一")
        url = row.get("url", "")
        if url:
            reason = check_url(url)
            if reason:
                row_problems.append(f"{where}：网址 {url!r} 无效：{reason}")
        emails = split_emails(row.get("supervisor_email"))
        for email in emails:
            if not _EMAIL.match(email):
                row_problems.append(f"{where}：监督人邮箱 {email!r} 格式不正确（多个邮箱用“;”分隔）")
        if row_problems:
            problems.extend(row_problems)
            continue
        agencies.append(
            Agency(
                id=agency_id,
                name=row["name"],
                type=agency_type,
                region=row.get("region", ""),
                url=url,
                supervisor_email=";".join(emails),
            )
        )
    if problems:
        raise RegistryError(source, problems)
    if not agencies:
        raise RegistryError(source, ["登记表中没有任何机关"])
    return agencies


def load_registry(path: str | Path) -> list[Agency]:
    """Read the registry CSV (UTF-8, with or without BOM; GBK as saved by older Excel)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError(str(path), [f"无法读取文件：{exc.strerror or exc}"]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise RegistryError(str(path), ["文件编码无法识别，请另存为 UTF-8 编码的 CSV"]) from None
    return parse_registry(text, str(path))


def write_registry(path: str | Path, agencies: list[Agency | dict]) -> Path:
    """Write agencies as a registry CSV (UTF-8 with BOM, so Excel/WPS open it correctly)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for agency in agencies:
            row = agency.as_dict() if isinstance(agency, Agency) else agency
            writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return path
