"""``nianbao run`` end to end in a subprocess, with a stand-in crawler.

The real crawler is another module's; ``[run] crawl_command`` points the run
at a small script that takes the same arguments as ``nianbao crawl``, stores
sample reports for the registry's agencies and audits them through the
pipeline, exactly as the crawl will. Everything else is real: the digests in
the outbox, the CSV export, the closing summary.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from audit.config import Config
from audit.export import FINDING_COLUMNS
from audit.jobs import crawl_command
from audit.store import Store

FAKE_CRAWL = r'''
import argparse, csv, json, sys
from datetime import date
from audit.config import load_config
from audit.pipeline import audit_missing_report, audit_stored_report
from audit.sample import SampleReport, to_html
from audit.store import Store

parser = argparse.ArgumentParser()
for option in ("--agencies", "--db", "--year", "--as-of", "--config"):
    parser.add_argument(option)
args = parser.parse_args()
with open(sys.argv[0] + ".calls", "a") as handle:
    handle.write(json.dumps(sys.argv[1:]) + "\n")
if "--fail" in open(args.agencies, encoding="utf-8").read():
    print("portal unreachable", file=sys.stderr)
    sys.exit(1)
store = Store(args.db)
with open(args.agencies, encoding="utf-8") as handle:
    agencies = list(csv.DictReader(handle))
store.upsert_agencies(agencies)
config, as_of, year = load_config(args.config), date.fromisoformat(args.as_of), int(args.year or 2024)
reports = {
    "jiaotong": SampleReport(agency="示例县交通运输局", published="2025-02-18"),
    "shengtai": SampleReport(),
}
reports["jiaotong"].table3["granted"][0] += 2
reports["jiaotong"].table3["granted"][6] += 2
for agency in store.agencies():
    sample = reports.get(agency["id"])
    if sample is None:
        audit_missing_report(store, agency, year, config=config, as_of=as_of)
        continue
    url = agency["url"] + "2024.html"
    document = store.store_document(agency_id=agency["id"], url=url, content=to_html(sample).encode("utf-8"))
    store.set_report(agency_id=agency["id"], year=year, document_id=document.id, title=f"{sample.agency}{year}年政府信息公开工作年度报告",
                     url=url, published=sample.published, published_source="page", text=None)
    audit_stored_report(store, agency, year, config=config, as_of=as_of)
print(f"抓取完成：{len(agencies)} 个机关")
'''

REGISTRY = """id,name,type,region,url,supervisor_email
jiaotong,示例县交通运输局,department,示例县,http://127.0.0.1:9/jt/,li@example.org;wang@example.org
shengtai,示例市生态环境局,department,示例市,http://127.0.0.1:9/st/,li@example.org
zhen,示例镇人民政府,township,示例县,http://127.0.0.1:9/z/,wang@example.org
"""


def setup(tmp_path: Path, registry: str = REGISTRY) -> Path:
    script = tmp_path / "fake_crawl.py"
    script.write_text(FAKE_CRAWL, encoding="utf-8")
    (tmp_path / "agencies.csv").write_text(registry, encoding="utf-8")
    config = tmp_path / "nianbao.toml"
    config.write_text(f'[run]\ncrawl_command = ["{sys.executable}", "{script}"]\n', encoding="utf-8")
    return script


def nianbao_run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "audit.cli", "run", "--agencies", "agencies.csv", "--db", "data/nianbao.db",
               "--config", "nianbao.toml", "--as-of", "2025-03-01", *extra]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_crawl_command_is_nianbao_crawl_in_a_child_process():
    config = Config(path="n.toml")
    assert crawl_command(config, agencies="a.csv", db="x.db", year=2024, as_of=date(2025, 3, 1)) == [
        sys.executable, "-m", "audit.cli", "crawl", "--agencies", "a.csv", "--db", "x.db",
        "--year", "2024", "--as-of", "2025-03-01", "--config", "n.toml",
    ]
    assert crawl_command(Config(), agencies="a.csv", db="x.db", year=None, as_of=None)[-4:] == ["--agencies", "a.csv", "--db", "x.db"]


def test_run_crawls_digests_exports_and_says_where(tmp_path):
    script = setup(tmp_path)
    result = nianbao_run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = [json.loads(line) for line in Path(str(script) + ".calls").read_text().splitlines()]
    assert calls == [["--agencies", "agencies.csv", "--db", "data/nianbao.db", "--as-of", "2025-03-01", "--config", "nianbao.toml"]]

    out = result.stdout
    assert "抓取完成：3 个机关" in out  # the crawl's own output passes through
    store = Store(tmp_path / "data/nianbao.db")
    findings = store.findings()
    assert findings

    outbox = tmp_path / "data/outbox"
    files = sorted(outbox.glob("*.eml"))
    assert [f.name.split("-", 1)[1] for f in files] == ["li@example.org.eml", "wang@example.org.eml"]
    wang = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert wang["Subject"].startswith("政府信息公开年报审核摘要：1个单位未按期发布，1个单位逾期发布，新增")

    export = tmp_path / "data/findings.csv"
    data = export.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [title for title, _, _ in FINDING_COLUMNS] and len(rows) == 1 + len(findings)

    # The closing summary names every output and the web view.
    tail = out[out.index("== 完成"):]
    assert "数据库：data/nianbao.db（机关 3 个，年报 2 份；" in tail
    assert f"2 封已写入 {Path('data/outbox')}/" in tail
    assert f"问题清单：{Path('data/findings.csv')}（{len(findings)} 项" in tail
    assert "nianbao serve --db data/nianbao.db" in tail

    again = nianbao_run(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list(outbox.glob("*.eml"))) == 2  # nothing changed, nothing sent twice
    assert "本期无变化，未生成摘要：2 位收件人" in again.stdout and "本次没有新摘要" in again.stdout
    assert len(Path(str(script) + ".calls").read_text().splitlines()) == 2


def test_run_goes_on_after_a_failed_crawl_and_exits_1(tmp_path):
    setup(tmp_path)
    assert nianbao_run(tmp_path).returncode == 0
    (tmp_path / "agencies.csv").write_text(REGISTRY + "broken,--fail,department,示例县,http://127.0.0.1:9/b/,\n", encoding="utf-8")
    result = nianbao_run(tmp_path, "--export", "out/all.csv", "--outbox", "mail")
    assert result.returncode == 1
    assert "抓取未正常结束（退出码 1）" in result.stderr and "portal unreachable" in result.stderr
    assert (tmp_path / "out/all.csv").exists() and "== 完成（有步骤未成功，见上文）" in result.stdout


def test_run_without_registry_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "audit.cli", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "机关登记表 agencies.csv 不存在" in result.stderr
