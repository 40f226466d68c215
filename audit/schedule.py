"""``nianbao schedule``: the bot running by itself, in the foreground.

APScheduler 3.x ``BlockingScheduler`` with cron triggers from ``[schedule]``.
Every job is a command run in a child process (the crawl must be: Scrapy's
Twisted reactor cannot be restarted in one process), in its own process
group so a stop reaches the crawler's children too. One worker thread runs
the jobs one at a time: a digest never reads a half-finished crawl, and with
``max_instances=1`` and ``coalesce`` a job that outlasts its interval is
neither run twice at once nor repeated for every run time it missed.

    [schedule]
    timezone = "Asia/Shanghai"
    misfire_grace_time = 3600      # seconds a run may start late and still run
    stop_timeout = 60              # seconds a stopped job gets before SIGKILL

    [schedule.jobs.crawl]          # default command: nianbao crawl (see [run])
    cron = ["0 2 * 1-4 *", "0 2 * 5-12 mon"]

    [schedule.jobs.digest]         # default command: nianbao digest
    cron = ["0 8 * * mon-fri"]
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from audit.config import Config, ConfigError, load_config

log = logging.getLogger("nianbao.schedule")

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_GRACE_SECONDS = 3600
DEFAULT_STOP_TIMEOUT = 60
DEFAULT_CRON = {
    # Reporting season (deadlines 31 January to 31 March, late ones into April): nightly.
    "crawl": ["0 2 * 1-4 *", "0 2 * 5-12 mon"],
    "digest": ["0 8 * * mon-fri"],
}
JOB_LABELS = {"crawl": "抓取并审核", "digest": "发送摘要"}
WEEKDAYS = "一二三四五六日"


@dataclass
class JobSpec:
    name: str
    command: list[str]
    cron: list[str]
    trigger: object
    misfire_grace_time: int
    default_command: bool = False

    @property
    def title(self) -> str:
        """``crawl（抓取并审核）``; a custom job by its name alone."""
        return f"{self.name}（{JOB_LABELS[self.name]}）" if self.name in JOB_LABELS else self.name


# ------------------------------------------------------------ configuration
def run_paths(config: Config) -> tuple[str, str]:
    """The registry and database the scheduled jobs use (``[run]``)."""
    section = config.raw.get("run", {})
    return section.get("agencies", "agencies.csv"), section.get("db", "var/nianbao.db")


def _nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "audit.cli", *args]


def default_command(name: str, config: Config) -> list[str]:
    agencies, db = run_paths(config)
    with_config = ["--config", config.path] if config.path else []
    if name == "crawl":
        return _nianbao("crawl", "--agencies", agencies, "--db", db, *with_config)
    if name == "digest":
        return _nianbao("digest", "--db", db, *with_config)
    raise ConfigError(f"[schedule.jobs.{name}]：自定义任务需要写 command")


def cron_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A crontab line (minute hour day month weekday), or six fields with seconds first."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ConfigError(f"[schedule] cron {expression!r}：应为 5 个字段（分 时 日 月 星期），或 6 个字段（秒在最前）")
    second, minute, hour, day, month, weekday = fields
    if any(ch.isdigit() for ch in weekday):
        # APScheduler 3 numbers weekdays from Monday = 0, crontab from Sunday = 0:
        # a number would silently shift the day, so only names are accepted.
        raise ConfigError(f"[schedule] cron {expression!r}：星期请用英文缩写（mon tue wed thu fri sat sun，如 mon-fri），不要用数字")
    try:
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"[schedule] cron {expression!r}：{exc}") from exc


def timezone_of(config: Config) -> ZoneInfo:
    name = config.raw.get("schedule", {}).get("timezone", DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[schedule] timezone：未知的时区 {name!r}") from exc


def build_jobs(config: Config) -> list[JobSpec]:
    section = config.raw.get("schedule", {})
    zone = timezone_of(config)
    grace = int(section.get("misfire_grace_time", DEFAULT_GRACE_SECONDS))
    tables = {name: {} for name in DEFAULT_CRON} | dict(section.get("jobs", {}))
    jobs = []
    for name, table in tables.items():
        if not table.get("enabled", True):
            continue
        cron = table.get("cron", DEFAULT_CRON.get(name))
        if not cron:
            raise ConfigError(f"[schedule.jobs.{name}]：缺少 cron")
        cron = [cron] if isinstance(cron, str) else list(cron)
        command = table.get("command") or default_command(name, config)
        command = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
        command_is_default = not table.get("command")
        triggers = [cron_trigger(expression, zone) for expression in cron]
        jobs.append(
            JobSpec(
                name=name,
                command=command,
                cron=cron,
                # One job with an OR of its lines, not one job per line, so
                # max_instances covers all of them.
                trigger=triggers[0] if len(triggers) == 1 else OrTrigger(triggers),
                misfire_grace_time=int(table.get("misfire_grace_time", grace)),
                default_command=command_is_default,
            )
        )
    return jobs


def next_run_times(job: JobSpec, now: datetime, count: int = 5) -> list[datetime]:
    times, previous = [], None
    for _ in range(count):
        moment = job.trigger.get_next_fire_time(previous, previous or now)
        if moment is None:
            break
        times.append(moment)
        previous = moment
    return times


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") + f" 周{WEEKDAYS[moment.weekday()]}"


# ------------------------------------------------------------ running
class JobRunner:
    """Runs a job's command in a child process and logs what ran, how long, and how it ended."""

    def __init__(self, stop_timeout: float):
        self.stop_timeout = stop_timeout
        self.stopping = threading.Event()
        self._children: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str, command: list[str]) -> int | None:
        if self.stopping.is_set():
            log.info("任务 %s 未启动：调度正在停止", name)
            return None
        log.info("任务 %s 开始：%s", name, shlex.join(command))
        started = time.monotonic()
        try:
            child = subprocess.Popen(command, start_new_session=True)
        except OSError as exc:
            log.error("任务 %s 无法启动：%s", name, exc)
            return None
        with self._lock:
            self._children[name] = child
        try:
            status = child.wait()
        finally:
            with self._lock:
                self._children.pop(name, None)
        elapsed = time.monotonic() - started
        if status == 0:
            log.info("任务 %s 结束：成功，用时 %.1f 秒", name, elapsed)
        elif self.stopping.is_set():
            log.warning("任务 %s 被中止（调度停止），用时 %.1f 秒，退出码 %s", name, elapsed, status)
        else:
            log.error("任务 %s 结束：失败，退出码 %s，用时 %.1f 秒", name, status, elapsed)
        return status

    def stop(self) -> None:
        """SIGTERM to every running job's process group; SIGKILL after ``stop_timeout``."""
        self.stopping.set()
        with self._lock:
            children = dict(self._children)
        for name, child in children.items():
            log.info("正在停止任务 %s（进程 %s）", name, child.pid)
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("任务 %s 在 %s 秒内未退出，强制结束", name, self.stop_timeout)
                _signal_group(child, signal.SIGKILL)
                child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def make_scheduler(jobs: list[JobSpec], runner: JobRunner, zone: ZoneInfo) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=zone, executors={"default": ThreadPoolExecutor(max_workers=1)})
    for job in jobs:
        scheduler.add_job(
            runner,
            job.trigger,
            args=[job.name, job.command],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=job.misfire_grace_time,
        )
    return scheduler


def run_scheduler(config: Config) -> int:
    jobs = build_jobs(config)
    zone = timezone_of(config)
    runner = JobRunner(float(config.raw.get("schedule", {}).get("stop_timeout", DEFAULT_STOP_TIMEOUT)))
    scheduler = make_scheduler(jobs, runner, zone)
    agencies, _ = run_paths(config)
    if any(job.name == "crawl" and job.default_command for job in jobs) and not Path(agencies).exists():
        log.warning("登记表 %s 不存在：抓取任务将会失败（在 [run] agencies 中指定登记表）", agencies)
    now = datetime.now(zone)
    for job in jobs:
        upcoming = next_run_times(job, now, 1)
        log.info("已计划任务 %s：%s，下次运行 %s", job.title, "；".join(job.cron), _when(upcoming[0]) if upcoming else "无")

    def request_stop(signum, frame):
        runner.stopping.set()
        # Shut the scheduler down from a helper thread: the signal handler runs
        # on the main thread, which may be inside the scheduler's own locks.
        threading.Thread(target=_shutdown, args=(scheduler, signal.Signals(signum).name), daemon=True).start()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("调度已启动（时区 %s，进程 %s）；发送 SIGTERM 或按 Ctrl+C 停止", zone.key, os.getpid())
    scheduler.start()  # blocks until _shutdown
    runner.stop()
    log.info("调度已停止")
    return 0


def _shutdown(scheduler: BlockingScheduler, reason: str) -> None:
    log.info("收到 %s，正在停止调度", reason)
    while not scheduler.running:  # a signal that came before start()
        time.sleep(0.05)
    scheduler.shutdown(wait=False)


# ------------------------------------------------------------ command
@click.command()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="配置文件 nianbao.toml")
@click.option("--list", "list_only", is_flag=True, help="只列出各任务接下来的运行时间，不启动")
def schedule(config_path, list_only) -> None:
    """Run crawl+audit and digests on their schedule, in the foreground (stop with SIGTERM)."""
    try:
        config = load_config(config_path)
        jobs = build_jobs(config)
        zone = timezone_of(config)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if list_only:
        now = datetime.now(zone)
        for job in jobs:
            click.echo(f"任务 {job.title}：{shlex.join(job.command)}")
            click.echo(f"  触发：{'；'.join(job.cron)}（{zone.key}），误点宽限 {job.misfire_grace_time} 秒")
            for moment in next_run_times(job, now):
                click.echo(f"  下次运行：{_when(moment)}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # keeps its misfire and max-instances warnings
    sys.exit(run_scheduler(config))
