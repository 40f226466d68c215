"""``nianbao demo`` (what ``make demo`` runs), twice in the same folder, as a user runs it."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

from audit.demo import PORTS_FILE, _start_portals

ROOT = Path(__file__).resolve().parent.parent


def demo(workdir: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "audit.cli", "demo", "--workdir", str(workdir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def counts(stdout: str) -> tuple[int, int, int, int]:
    """New, changed and unchanged reports, and pages answered 304, from the crawl summary."""
    reports = re.search(r"新增 (\d+) 份，内容变化 (\d+) 份，未变化 (\d+) 份", stdout)
    not_modified = re.search(r"未变化的页面 (\d+) 个（304）", stdout)
    return (*map(int, reports.groups()), int(not_modified.group(1)))


def test_a_second_demo_recrawls_the_same_portals_incrementally(tmp_path):
    first, second = demo(tmp_path), demo(tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert second.returncode == 0, second.stderr[-2000:]
    portal = re.compile(r"示例门户已在 (\S+) 启动")
    assert portal.search(first.stdout).group(1) == portal.search(second.stdout).group(1)

    new, changed, unchanged, not_modified = counts(first.stdout)
    assert new > 0 and changed == unchanged == not_modified == 0
    again = counts(second.stdout)
    assert again[:3] == (0, 0, new)  # every report found again, none taken for a new version
    assert again[3] > 0
    assert "本期无变化" in second.stdout
    assert (tmp_path / "findings.csv").exists() and list((tmp_path / "outbox").glob("*.eml"))


def test_a_busy_remembered_port_gives_other_ports_and_says_so(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        (tmp_path / PORTS_FILE).write_text(json.dumps({"ports": [busy, 0]}), encoding="utf-8")
        portals = _start_portals(tmp_path, 2025)
        try:
            port = int(portals.base_url.rsplit(":", 1)[1])
            assert port != busy
            assert json.loads((tmp_path / PORTS_FILE).read_text(encoding="utf-8"))["ports"][0] == port
        finally:
            portals.stop()
    assert "已被占用" in capsys.readouterr().out
