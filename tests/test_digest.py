"""Supervisors' digests, delivered to a real SMTP server (aiosmtpd on
127.0.0.1) and parsed back with the ``email`` package; the outbox; retries.

The stores are filled here: agencies with supervisors, findings recorded
through ``Store.record_findings`` at chosen times (so periods are exact), and
one real report audited through the pipeline.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from audit.config import Config, ConfigError, load_config
from audit.digest import DigestSettings, recipients, run_digests, split_addresses
from audit.engine import Finding, fingerprint
from audit.export import FINDING_COLUMNS
from audit.store import Store

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = '<script>alert(1)</script>=HYPERLINK("http://evil.example/","点此")'
FORMULA_MESSAGE = '=HYPERLINK("http://evil.example/","点此")表三数字不衔接'
T0, T1, T2, T3 = "2025-02-10T00:00:00+00:00", "2025-02-10T01:00:00+00:00", "2025-02-11T00:00:00+00:00", "2025-02-12T00:00:00+00:00"

AGENCIES = [
    # One agency, two supervisors (';' with a space); li@ also supervises shengtai (written in capitals).
    {"id": "jiaotong", "name": "示例县交通运输局", "type": "department", "region": "示例县",
     "url": "http://127.0.0.1:9/jt/", "supervisor_email": "li@example.org; wang@example.org"},
    {"id": "shengtai", "name": "示例市生态环境局", "type": "department", "region": "示例市",
     "url": "http://127.0.0.1:9/st/", "supervisor_email": "LI@example.org"},
    {"id": "zhen", "name": "示例镇人民政府", "type": "township", "region": "示例县",
     "url": "http://127.0.0.1:9/z/", "supervisor_email": "wang@example.org;zhao@example.org"},
    {"id": "nobody", "name": "无人负责局", "type": "department", "region": "示例县",
     "url": "http://127.0.0.1:9/n/", "supervisor_email": ""},
]


def make(rule: str, severity: str, message: str, agency: str, location: dict | None = None, year: int = 2024) -> Finding:
    item = Finding(rule, severity, message, location or {})
    item.fingerprint = fingerprint(rule, agency, year, location or {})
    return item


def jiaotong_findings(include_fixed: bool = True) -> list[Finding]:
    found = [
        make("PUB-002", "error", "逾期发布：政府部门的2024年度年报应于2025-01-31前发布，实际发布日期为2025-02-18，逾期18天", "jiaotong"),
        make("FMT-001", "warning", "表二 格式与模板不一致", "jiaotong", {"table": "table2"}),
        make("TAB-102", "error", FORMULA_MESSAGE, "jiaotong", {"table": "table3", "column": "total"}),
    ]
    if include_fixed:
        found.append(make("TAB-101", "error", "表三 自然人 列：各项之和为 41，但总计为 39", "jiaotong", {"table": "table3", "column": "natural"}))
    return found


def fill(store: Store, now: str = T0) -> None:
    """The scenario: jiaotong late with table errors and a hostile title, shengtai
    one warning, zhen not published, nobody with findings but no supervisor."""
    store.upsert_agencies(AGENCIES, now=now)
    document = store.store_document(agency_id="jiaotong", url="http://127.0.0.1:9/jt/2024.html", content=b"<html>2024</html>", now=now)
    report_id = store.set_report(
        agency_id="jiaotong", year=2024, document_id=document.id, title=HOSTILE_TITLE,
        url="javascript:alert(1)", published="2025-02-18", published_source="page", text=None, now=now,
    )
    store.record_findings(agency_id="jiaotong", year=2024, findings=jiaotong_findings(), report_id=report_id,
                          source_url="http://127.0.0.1:9/jt/2024.html", run_id=None, now=now)
    store.record_findings(agency_id="shengtai", year=2024, findings=[make("TXT-001", "warning", "第五部分过于简略", "shengtai")], now=now)
    store.record_findings(agency_id="zhen", year=2024, findings=[make("PUB-001", "error", "截至2025-02-10，未找到示例镇人民政府2024年度年报", "zhen")], now=now)
    store.record_findings(agency_id="nobody", year=2024, findings=[make("PUB-001", "error", "未找到", "nobody")], now=now)


# ------------------------------------------------------------ SMTP server
class Recorder:
    """An aiosmtpd handler that keeps what it accepts, or rejects on demand."""

    def __init__(self):
        self.envelopes = []
        self.reject = False

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return "554 5.3.0 mailbox unavailable (test rejects)"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> dict[str, email.message.EmailMessage]:
        out = {}
        for envelope in self.envelopes:
            (address,) = envelope.rcpt_tos
            assert address not in out, f"{address} got two messages"
            out[address] = email.message_from_bytes(envelope.content, policy=email.policy.default)
        return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    if controller.loop.is_running():  # unless a test stopped it
        controller.stop()


def smtp_config(port: int, **extra) -> Config:
    config = Config()
    config.raw = {"smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
                           "from": "年报审核 <audit@example.org>", **extra}}
    return config


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "nianbao.db")
    fill(store)
    yield store
    store.close()


# ------------------------------------------------------------ tests
def test_addresses_split_and_recipients_group_agencies(store):
    assert split_addresses("a@x.org; b@y.org；c@z.org,d@w.org") == ["a@x.org", "b@y.org", "c@z.org", "d@w.org"]
    people = recipients(store)
    assert {k: [a["id"] for a in v] for k, v in people.items()} == {
        "li@example.org": ["jiaotong", "shengtai"],
        "wang@example.org": ["jiaotong", "zhen"],
        "zhao@example.org": ["zhen"],
    }


def test_digests_delivered_over_smtp_parse_back(store, smtp, tmp_path):
    result = run_digests(store, smtp_config(smtp.port), outbox=tmp_path / "outbox", now=T1)
    assert [o.status for o in result.outcomes] == ["sent"] * 3
    messages = smtp.handler.messages()
    assert set(messages) == {"li@example.org", "wang@example.org", "zhao@example.org"}
    assert {e.mail_from for e in smtp.handler.envelopes} == {"audit@example.org"}

    subjects = {address: m["Subject"] for address, m in messages.items()}
    assert subjects == {
        "li@example.org": "政府信息公开年报审核摘要：1个单位逾期发布，新增2项错误、2项警告",
        "wang@example.org": "政府信息公开年报审核摘要：1个单位未按期发布，1个单位逾期发布，新增2项错误、1项警告",
        "zhao@example.org": "政府信息公开年报审核摘要：1个单位未按期发布",
    }

    li = messages["li@example.org"]
    assert li["To"] == "li@example.org"
    assert li.get_content_type() == "multipart/mixed"
    text = li.get_body(("plain",)).get_content()
    html = li.get_body(("html",)).get_content()
    for part in (text, html):
        assert "示例县交通运输局" in part and "示例市生态环境局" in part
        assert "示例镇人民政府" not in part and "无人负责局" not in part  # not li's agencies
        assert "http://127.0.0.1:9/jt/2024.html" in part
    # Grouped by agency, errors before warnings inside the group.
    jiaotong = text[text.index("二、本期新发现"):text.index("【示例市生态环境局】")]
    assert jiaotong.index("TAB-101 错误") < jiaotong.index("FMT-001 警告")
    assert jiaotong.index("TAB-102 错误") < jiaotong.index("FMT-001 警告")
    # The standing list carries the late report; the first digest has nothing "fixed".
    standing = text[text.index("一、"):text.index("二、")]
    assert "PUB-002" in standing and "（本期新增）" in standing
    assert text[text.index("三、"):].splitlines()[1].strip() == "无。"

    # A hostile title is text, never markup; a javascript: URL is never a link.
    assert HOSTILE_TITLE in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert "href=\"http://127.0.0.1:9/jt/2024.html\"" in html

    (attachment,) = list(li.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename().endswith(".csv")
    data = attachment.get_payload(decode=True)
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [title for title, _, _ in FINDING_COLUMNS]
    assert {row[0] for row in rows[1:]} == {"示例县交通运输局", "示例市生态环境局"}
    assert len(rows) == 1 + 5  # jiaotong's four, shengtai's one
    messages_column = [row[6] for row in rows[1:]]
    assert "'" + FORMULA_MESSAGE in messages_column  # neutralised, not a formula
    assert not any(cell.startswith("=") for row in rows for cell in row)

    records = store.digests()
    assert [(r["recipient"], r["status"], r["attempts"], r["period_start"], r["period_end"]) for r in records] == [
        (address, "sent", 1, None, T1) for address in ("li@example.org", "wang@example.org", "zhao@example.org")
    ]
    assert all(Path(r["message_path"]).exists() for r in records)


def test_later_digest_has_only_changes_resolved_and_reopened(store, smtp, tmp_path):
    config = smtp_config(smtp.port)
    run_digests(store, config, outbox=tmp_path / "outbox", now=T1)
    smtp.handler.envelopes.clear()

    # A re-crawl on day two: TAB-101 fixed.
    store.record_findings(agency_id="jiaotong", year=2024, findings=jiaotong_findings(include_fixed=False), now="2025-02-10T12:00:00+00:00")
    run_digests(store, config, outbox=tmp_path / "outbox", now=T2)
    messages = smtp.handler.messages()
    assert set(messages) == {"li@example.org", "wang@example.org"}  # zhao's agency did not change
    li = messages["li@example.org"]
    assert li["Subject"] == "政府信息公开年报审核摘要：1个单位逾期发布，1项已解决"
    text = li.get_body(("plain",)).get_content()
    assert "TAB-101" in text[text.index("三、本期已解决"):]
    assert "TAB-102" not in text[text.index("二、"):]  # already reported last time
    assert "PUB-002" in text[text.index("一、"):text.index("二、")] and "（本期新增）" not in text

    # Day three: it is back.
    smtp.handler.envelopes.clear()
    store.record_findings(agency_id="jiaotong", year=2024, findings=jiaotong_findings(), now="2025-02-11T12:00:00+00:00")
    run_digests(store, config, outbox=tmp_path / "outbox", now=T3)
    li = smtp.handler.messages()["li@example.org"]
    assert li["Subject"] == "政府信息公开年报审核摘要：1个单位逾期发布，新增1项错误"
    text = li.get_body(("plain",)).get_content()
    assert "[TAB-101 错误]（整改后再次出现）" in text
    periods = [(r["period_start"], r["period_end"]) for r in store.digests(recipient="li@example.org")]
    assert periods == [(None, T1), (T1, T2), (T2, T3)]


def test_dismissed_findings_and_no_change(store, smtp, tmp_path):
    store.review(fingerprint("TXT-001", "shengtai", 2024, {}), "dismissed", "第五部分篇幅符合要求", "审核员甲")
    result = run_digests(store, smtp_config(smtp.port), outbox=tmp_path / "outbox", now=T1)
    li = smtp.handler.messages()["li@example.org"]
    assert "TXT-001" not in li.get_body(("plain",)).get_content()
    assert li["Subject"].endswith("新增2项错误、1项警告")
    assert result.unchanged == []

    smtp.handler.envelopes.clear()
    result = run_digests(store, smtp_config(smtp.port), outbox=tmp_path / "outbox", now=T2)
    assert result.outcomes == [] and len(result.unchanged) == 3

    config = smtp_config(smtp.port)
    config.raw["digest"] = {"send_no_change": True}
    run_digests(store, config, outbox=tmp_path / "outbox", now=T3)
    subjects = {a: m["Subject"] for a, m in smtp.handler.messages().items()}
    assert subjects["zhao@example.org"] == "政府信息公开年报审核摘要：本期无变化，1个单位未按期发布"
    assert "本期没有新发现或已解决的问题" in smtp.handler.messages()["zhao@example.org"].get_body(("plain",)).get_content()


@pytest.mark.parametrize("failure", ["rejected", "server down"])
def test_failed_send_is_retried_and_delivered_once(store, smtp, tmp_path, failure):
    config = smtp_config(smtp.port)
    if failure == "rejected":
        smtp.handler.reject = True
    else:
        smtp.stop()
    result = run_digests(store, config, outbox=tmp_path / "outbox", now=T1)
    assert [o.status for o in result.outcomes] == ["failed"] * 3
    assert all(o.error for o in result.outcomes)
    assert [(r["status"], r["attempts"]) for r in store.digests()] == [("failed", 1)] * 3
    assert smtp.handler.envelopes == []

    # While the first is undelivered, no newer digest is built for the recipient.
    result = run_digests(store, config, outbox=tmp_path / "outbox", now=T2) if failure == "rejected" else None
    if result is not None:
        assert [o.status for o in result.outcomes] == ["failed"] * 3 and len(result.blocked) == 3
        assert len(store.digests()) == 3

    smtp.handler.reject = False
    if failure == "server down":
        smtp = Controller(smtp.handler, hostname="127.0.0.1", port=smtp.port)  # back up, on the same port
        smtp.start()
    try:
        result = run_digests(store, config, outbox=tmp_path / "outbox", now=T3)
    finally:
        if failure == "server down":
            smtp.stop()
    assert sorted(o.status for o in result.outcomes) == ["sent"] * 3
    messages = smtp.handler.messages()  # raises if anyone got two
    assert len(smtp.handler.envelopes) == 3
    for record in store.digests():
        assert record["status"] == "sent" and record["period_end"] == T1  # the original period, not a new one
        assert record["attempts"] == (3 if failure == "rejected" else 2)
        assert messages[record["recipient"]]["Subject"] == record["subject"]

    result = run_digests(store, config, outbox=tmp_path / "outbox")
    assert result.outcomes == [] and len(smtp.handler.envelopes) == 3


def test_login_with_password_from_environment(store, tmp_path, monkeypatch):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)  # the server answers 535

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        config = smtp_config(controller.port, username="audit", password_env="NIANBAO_TEST_SMTP_PASSWORD")
        monkeypatch.setenv("NIANBAO_TEST_SMTP_PASSWORD", "wrong")
        result = run_digests(store, config, outbox=tmp_path / "outbox", now=T1)
        assert {o.status for o in result.outcomes} == {"failed"}
        assert "Authentication" in result.outcomes[0].error
        monkeypatch.setenv("NIANBAO_TEST_SMTP_PASSWORD", "s3cret")
        result = run_digests(store, config, outbox=tmp_path / "outbox", now=T2)
        assert {o.status for o in result.outcomes} == {"sent"} and len(recorder.envelopes) == 3
        assert (b"audit", b"s3cret") in seen
    finally:
        controller.stop()
    assert all("s3cret" not in str(value) for row in store.digests() for value in row.values())


def test_password_never_in_config():
    config = Config()
    config.raw = {"smtp": {"host": "127.0.0.1", "password": "s3cret"}}
    with pytest.raises(ConfigError, match="password_env"):
        DigestSettings.from_config(config)


def test_outbox_without_smtp(store, tmp_path):
    outbox = tmp_path / "outbox"
    result = run_digests(store, Config(), outbox=outbox, now=T1)
    assert [o.status for o in result.outcomes] == ["written"] * 3
    files = sorted(outbox.glob("*.eml"))
    assert [f.name for f in files] == [
        "20250210T010000Z-li@example.org.eml", "20250210T010000Z-wang@example.org.eml", "20250210T010000Z-zhao@example.org.eml",
    ]
    message = email.message_from_bytes(files[2].read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "政府信息公开年报审核摘要：1个单位未按期发布"
    assert [r["status"] for r in store.digests()] == ["written"] * 3
    assert run_digests(store, Config(), outbox=outbox).outcomes == []
    assert len(list(outbox.glob("*.eml"))) == 3


def test_dry_run_records_and_writes_nothing(store, tmp_path):
    result = run_digests(store, Config(), outbox=tmp_path / "outbox", dry_run=True, only=["ZHAO@example.org"])
    assert [(o.recipient, o.status) for o in result.outcomes] == [("zhao@example.org", "planned")]
    assert store.digests() == [] and not (tmp_path / "outbox").exists()


def test_a_real_audited_report_in_a_digest(tmp_path):
    """The pipeline's own findings (sample report, late, tables off) reach the digest."""
    from audit.pipeline import audit_missing_report, audit_stored_report
    from audit.sample import SampleReport, to_html

    store = Store(tmp_path / "nianbao.db")
    store.upsert_agencies(AGENCIES[:1])
    late = SampleReport(agency="示例县交通运输局", published="2025-02-18")
    late.table3["granted"][0] += 2
    late.table3["granted"][6] += 2
    document = store.store_document(agency_id="jiaotong", url="http://127.0.0.1:9/jt/2024.html", content=to_html(late).encode("utf-8"))
    store.set_report(agency_id="jiaotong", year=2024, document_id=document.id, title=HOSTILE_TITLE,
                     url="http://127.0.0.1:9/jt/2024.html", published="2025-02-18", published_source="page", text=None)
    agency = store.agency("jiaotong")
    findings, _ = audit_stored_report(store, agency, 2024, config=Config(), as_of=date(2025, 3, 1))
    result = run_digests(store, Config(), outbox=tmp_path / "outbox")
    errors = sum(1 for f in findings if f.severity == "error" and f.rule not in ("PUB-001", "PUB-002"))
    assert errors >= 1
    assert {o.subject for o in result.outcomes} == {f"政府信息公开年报审核摘要：1个单位逾期发布，新增{errors}项错误"}
    assert audit_missing_report  # imported for symmetry with the crawl's use


# ------------------------------------------------------------ command line
def nianbao(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_digest_command_twice_sends_nothing_the_second_time(store, smtp, tmp_path):
    config = tmp_path / "nianbao.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\ntimeout = 5\nfrom = "audit@example.org"\n',
        encoding="utf-8",
    )
    assert load_config(config).raw["smtp"]["port"] == smtp.port
    db = str(store.path)
    dry = nianbao("digest", "--db", db, "--config", str(config), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("将生成") == 3 and smtp.handler.envelopes == [] and store.digests() == []

    first = nianbao("digest", "--db", db, "--config", str(config), "--to", "wang@example.org", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("已发送") == 1 and [e.rcpt_tos for e in smtp.handler.envelopes] == [["wang@example.org"]]

    second = nianbao("digest", "--db", db, "--config", str(config), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("已发送") == 2 and len(smtp.handler.envelopes) == 3

    third = nianbao("digest", "--db", db, "--config", str(config), cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert "已发送" not in third.stdout and "本期无变化，未生成摘要：3 位收件人" in third.stdout
    assert len(smtp.handler.envelopes) == 3
    smtp.handler.messages()  # nobody got two


def test_digest_command_fails_with_status_1_and_default_outbox(store, tmp_path):
    config = tmp_path / "nianbao.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\ntimeout = 2\n', encoding="utf-8")
    failed = nianbao("digest", "--db", str(store.path), "--config", str(config), cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stdout.count("发送失败（第1次）") == 3 and "下次运行时自动重试" in failed.stdout
    assert len(list((store.path.parent / "outbox").glob("*.eml"))) == 3  # kept for the retry

    missing = nianbao("digest", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert missing.returncode == 2 and "不存在" in missing.stderr
