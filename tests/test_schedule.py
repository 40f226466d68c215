"""The schedule: default triggers computed from fixed instants, config checks,
``--list``, and the real scheduler in a subprocess running every-second cron
triggers whose jobs are tiny commands appending to a file, stopped by SIGTERM.

Times are only ever bounded waits: a test polls for what it needs and gives
up after a generous limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from audit.config import Config, ConfigError
from audit.schedule import build_jobs, next_run_times

SHANGHAI = ZoneInfo("Asia/Shanghai")
TICK = """\
import os, sys, time
log, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
def note(what):
    with open(log, "a") as handle:
        handle.write(f"{what} {name} {os.getpid()}\\n")
note("start")
time.sleep(seconds)
note("end")
sys.exit(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
"""


def config_with(raw: dict) -> Config:
    config = Config()
    config.raw = raw
    return config


def jobs_by_name(config: Config) -> dict:
    return {job.name: job for job in build_jobs(config)}


# ------------------------------------------------------------ triggers
def test_default_crawl_nightly_in_season_weekly_otherwise():
    crawl = jobs_by_name(Config())["crawl"]
    season = next_run_times(crawl, datetime(2026, 1, 5, 3, 0, tzinfo=SHANGHAI), 3)
    assert season == [datetime(2026, 1, d, 2, 0, tzinfo=SHANGHAI) for d in (6, 7, 8)]
    assert all(t.tzinfo.key == "Asia/Shanghai" for t in season)
    april_end = next_run_times(crawl, datetime(2026, 4, 29, 3, 0, tzinfo=SHANGHAI), 3)
    assert april_end[0] == datetime(2026, 4, 30, 2, 0, tzinfo=SHANGHAI)
    # From May: Mondays only.
    assert april_end[1:] == [datetime(2026, 5, 4, 2, 0, tzinfo=SHANGHAI), datetime(2026, 5, 11, 2, 0, tzinfo=SHANGHAI)]
    december = next_run_times(crawl, datetime(2026, 12, 28, 3, 0, tzinfo=SHANGHAI), 2)
    assert december == [datetime(2027, 1, 1, 2, 0, tzinfo=SHANGHAI), datetime(2027, 1, 2, 2, 0, tzinfo=SHANGHAI)]


def test_default_digest_weekday_mornings():
    digest = jobs_by_name(Config())["digest"]
    friday = datetime(2026, 1, 9, 9, 0, tzinfo=SHANGHAI)
    upcoming = next_run_times(digest, friday, 6)
    assert upcoming[0] == datetime(2026, 1, 12, 8, 0, tzinfo=SHANGHAI)  # Monday
    assert [t.weekday() for t in upcoming] == [0, 1, 2, 3, 4, 0]
    assert {(t.hour, t.minute) for t in upcoming} == {(8, 0)}


def test_default_commands_run_nianbao_in_a_child_process():
    config = config_with({"run": {"agencies": "registry.csv", "db": "data/n.db"}})
    config.path = "nianbao.toml"
    jobs = jobs_by_name(config)
    assert jobs["crawl"].command == [sys.executable, "-m", "audit.cli", "crawl", "--agencies", "registry.csv",
                                     "--db", "data/n.db", "--config", "nianbao.toml"]
    assert jobs["digest"].command == [sys.executable, "-m", "audit.cli", "digest", "--db", "data/n.db", "--config", "nianbao.toml"]
    assert jobs["crawl"].misfire_grace_time == 3600


def test_configured_jobs_and_checks():
    jobs = jobs_by_name(config_with({"schedule": {
        "timezone": "UTC",
        "misfire_grace_time": 120,
        "jobs": {
            "digest": {"enabled": False},
            "crawl": {"cron": "30 1 * * sat,sun", "command": "echo crawl", "misfire_grace_time": 7},
            "export": {"cron": ["0 3 * * *"], "command": ["nianbao", "export", "--out", "x.csv"]},
        },
    }}))
    assert set(jobs) == {"crawl", "export"}
    assert jobs["crawl"].command == ["echo", "crawl"] and jobs["crawl"].misfire_grace_time == 7
    assert jobs["export"].misfire_grace_time == 120
    saturday = next_run_times(jobs["crawl"], datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC")), 2)
    assert [(t.weekday(), t.hour, t.minute) for t in saturday] == [(5, 1, 30), (6, 1, 30)]

    with pytest.raises(ConfigError, match="星期请用英文缩写"):
        build_jobs(config_with({"schedule": {"jobs": {"digest": {"cron": "0 8 * * 1-5"}}}}))
    with pytest.raises(ConfigError, match="5 个字段"):
        build_jobs(config_with({"schedule": {"jobs": {"digest": {"cron": "0 8 *"}}}}))
    with pytest.raises(ConfigError, match="时区"):
        build_jobs(config_with({"schedule": {"timezone": "Mars/Olympus"}}))
    with pytest.raises(ConfigError, match="command"):
        build_jobs(config_with({"schedule": {"jobs": {"backup": {"cron": "0 3 * * *"}}}}))


def test_list_prints_next_run_times(tmp_path):
    (tmp_path / "nianbao.toml").write_text('[run]\nagencies = "registry.csv"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "audit.cli", "schedule", "--list", "--config", "nianbao.toml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "任务 crawl（抓取并审核）" in result.stdout and "--agencies registry.csv" in result.stdout
    assert "任务 digest（发送摘要）" in result.stdout and "（Asia/Shanghai）" in result.stdout
    digest_times = result.stdout.split("任务 digest")[1].count("下次运行：")
    assert digest_times == 5 and " 08:00:00 周" in result.stdout and " 02:00:00 周" in result.stdout
    assert "周六" not in result.stdout.split("任务 digest")[1] and "周日" not in result.stdout.split("任务 digest")[1]


# ------------------------------------------------------------ the real scheduler
def start_scheduler(tmp_path: Path, jobs: dict[str, tuple[float, int]], stop_timeout: int = 10):
    """Every job: a cron trigger every second running TICK for ``seconds``, exiting ``status``."""
    script = tmp_path / "tick.py"
    script.write_text(TICK, encoding="utf-8")
    log = tmp_path / "runs.log"
    lines = ['[schedule]', 'timezone = "UTC"', 'misfire_grace_time = 30', f"stop_timeout = {stop_timeout}",
             "[schedule.jobs.crawl]", "enabled = false", "[schedule.jobs.digest]", "enabled = false"]
    for name, (seconds, status) in jobs.items():
        command = [sys.executable, str(script), str(log), name, str(seconds), str(status)]
        lines += [f"[schedule.jobs.{name}]", 'cron = "* * * * * *"', "command = [" + ", ".join(f'"{c}"' for c in command) + "]"]
    config = tmp_path / "nianbao.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stderr = open(tmp_path / "scheduler.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "audit.cli", "schedule", "--config", str(config)],
                               cwd=tmp_path, stdout=stderr, stderr=subprocess.STDOUT)
    return process, log, tmp_path / "scheduler.log"


def runs(log: Path) -> list[tuple[str, str, int]]:
    if not log.exists():
        return []
    return [(what, name, int(pid)) for what, name, pid in (line.split() for line in log.read_text().splitlines())]


def wait_for(predicate, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def assert_never_overlapping(events: list[tuple[str, str, int]]) -> None:
    running = None
    for what, name, pid in events:
        if what == "start":
            assert running is None, f"{name} started while {running} was running"
            running = (name, pid)
        else:
            assert running == (name, pid)
            running = None


def test_scheduler_runs_jobs_and_stops_cleanly_on_sigterm(tmp_path):
    process, log, output = start_scheduler(tmp_path, {"tick": (0, 0), "broken": (0, 3)})
    try:
        wait_for(lambda: sum(1 for e in runs(log) if e[:2] == ("end", "tick")) >= 3
                 and any(e[:2] == ("end", "broken") for e in runs(log)))
    finally:
        status = stop(process)
    assert status == 0
    text = output.read_text()
    assert "已计划任务 tick" in text and "调度已启动" in text
    assert "任务 tick 开始：" in text and "任务 tick 结束：成功，用时" in text
    assert "任务 broken 结束：失败，退出码 3" in text
    assert "收到 SIGTERM，正在停止调度" in text and text.rstrip().endswith("调度已停止")


def test_sigterm_stops_a_running_job_and_its_process(tmp_path):
    process, log, output = start_scheduler(tmp_path, {"long": (600, 0)}, stop_timeout=5)
    try:
        wait_for(lambda: any(e[0] == "start" for e in runs(log)))
    finally:
        status = stop(process)
    assert status == 0
    (pid,) = [pid for what, _, pid in runs(log) if what == "start"]

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, 10)
    text = output.read_text()
    assert "正在停止任务 long" in text and "任务 long 被中止（调度停止）" in text and "调度已停止" in text


def test_no_overlapping_runs_when_a_run_outlasts_its_interval(tmp_path):
    # Both due every second; "slow" takes 2.5 s. Nothing may ever run alongside anything.
    process, log, output = start_scheduler(tmp_path, {"slow": (2.5, 0), "fast": (0, 0)})
    try:
        wait_for(lambda: sum(1 for e in runs(log) if e[:2] == ("end", "slow")) >= 3
                 and sum(1 for e in runs(log) if e[:2] == ("end", "fast")) >= 2, limit=90)
    finally:
        assert stop(process) == 0
    assert_never_overlapping(runs(log))
    assert "maximum number of running instances reached" in output.read_text()  # APScheduler said so, and skipped
