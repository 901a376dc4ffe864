"""`homeclerk doctor`'s service section: is the always-on job installed, loaded, running; are
its ports on loopback only; is the Mac kept awake; is there disk; how big is the instance; did
every sensor and schedule tick, and did a schedule fail to fire when it should have."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.doctor.findings import Finding, ago, homeclerk_command
from pipeline.service.store_watch import DISK_FULL_BYTES
from pipeline.settings import Settings

if TYPE_CHECKING:
    from dagster import DagsterInstance

# The service's listening ports when no setting says otherwise: the Dagster UI and Fava.
LOOPBACK = ("127.", "::1", "::ffff:127.")
MIN_FREE_BYTES = 1 << 30  # below 1 GiB free, a DuckDB checkpoint or a log rotation can fail
MIN_FREE_FRACTION = 0.05
INSTANCE_WARN_BYTES = 2 << 30
# The daemon evaluates schedules every 30 s or so; a tick later than this after its cron time
# did not happen.
SCHEDULE_GRACE = dt.timedelta(minutes=5)
# pmset assertion types that keep the system (not only the display) awake.
AWAKE_ASSERTIONS = ("PreventUserIdleSystemSleep", "PreventSystemSleep")


def service_findings(
    settings: Settings, now: dt.datetime, platform: str = sys.platform
) -> Iterator[Finding]:
    """Every service finding (the job, its ports, keep-awake, disk, instance, ticks)."""
    yield from service_job(settings, platform)
    yield from loopback_ports(settings, platform)
    if platform == "darwin":
        yield from keep_awake(settings)
    yield from free_disk(settings.data_dir)
    yield from instance_size(settings.dagster_home)
    yield from instigator_ticks(settings, now)


def service_job(settings: Settings, platform: str = sys.platform) -> Iterator[Finding]:
    """Installed / loaded / running / last exit code, from launchctl or systemctl."""

    def cmd(*words: str) -> str:  # pasted as is: this homeclerk, this --config
        return homeclerk_command(settings, *words)

    if platform == "darwin":
        from pipeline.platform import launchd

        plist = launchd.plist_path(settings.service.launch_agents_dir, settings.service.label)
        if not plist.is_file():
            yield _not_installed(
                f"no {plist}", f"{cmd('launchd', 'build-launcher')} && {cmd('launchd', 'install')}"
            )
            return
        try:
            job = launchd.status(
                settings.service.launch_agents_dir, settings.service.label, launchd.current_uid()
            )
        except launchd.LaunchdError as exc:
            yield Finding("service", False, str(exc), cmd("launchd", "status"))
            return
        yield Finding(
            "service",
            job.running,
            "; ".join(" ".join(line.split()) for line in job.lines()[1:]),
            None
            if job.running
            else f"{cmd('launchd', 'install')} (then `{cmd('launchd', 'status')}`; logs in "
            f"{settings.data_dir / 'logs'})",
        )
        return
    yield from _systemd_job(settings, cmd)


def _systemd_job(settings: Settings, cmd: Callable[..., str]) -> Iterator[Finding]:
    """The system unit when one is installed, else the user unit, where a user manager exists;
    where none does, the way forward that works on this machine (not `systemd install`, which
    would fail the same way `systemd status` does)."""
    import getpass

    from pipeline.platform import systemd

    system_unit = systemd.unit_path(settings.service.systemd_system_dir)
    if system_unit.is_file():
        try:
            status = systemd.status(settings.service.systemd_system_dir, scope="system")
        except systemd.SystemdError as exc:
            yield Finding("service", False, str(exc), cmd("systemd", "status", "--system"))
            return
        yield Finding(
            "service",
            status.running,
            "system unit: " + "; ".join(" ".join(line.split()) for line in status.lines()[1:]),
            None
            if status.running
            else "journalctl -u homeclerk; "
            f"sudo {cmd('systemd', 'install', '--system', '--user', getpass.getuser())}",
        )
        return
    unit = systemd.unit_path(settings.service.systemd_user_dir)
    manager = systemd.user_manager()
    if manager.state != "user":
        forward = systemd.way_forward(manager, cmd, getpass.getuser())
        installed = f"{unit} is installed but " if unit.is_file() else "not installed: "
        yield Finding(
            "service",
            False,
            f"{installed}{manager.detail}; {forward.note}",
            forward.command,
            warning=True,
        )
        return
    if not unit.is_file():
        yield _not_installed(f"no {unit}", cmd("systemd", "install"))
        return
    try:
        status = systemd.status(settings.service.systemd_user_dir)
    except systemd.SystemdError as exc:
        yield Finding("service", False, str(exc), cmd("systemd", "status"))
        return
    yield Finding(
        "service",
        status.running,
        "; ".join(" ".join(line.split()) for line in status.lines()[1:]),
        None if status.running else f"{cmd('systemd', 'install')}; journalctl --user -u homeclerk",
    )


def _not_installed(detail: str, fix: str) -> Finding:
    # A warning: `homeclerk ui` in a terminal is a legitimate way to run it, but not unattended.
    return Finding("service", False, f"not installed as a service ({detail})", fix, warning=True)


class Listener(NamedTuple):
    """A listening TCP socket: its local address and port."""

    address: str
    port: int


def _hex_address(text: str) -> str:
    """/proc/net/tcp's address: IPv4 as one little-endian word, IPv6 as four."""
    raw = bytes.fromhex(text)
    if len(raw) == 4:
        return ".".join(str(b) for b in raw[::-1])
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
    joined = b"".join(words)
    if joined[:12] == b"\0" * 10 + b"\xff\xff":
        return "::ffff:" + ".".join(str(b) for b in joined[12:])
    groups = [joined[i : i + 2].hex() for i in range(0, 16, 2)]
    import ipaddress

    return str(ipaddress.IPv6Address(":".join(groups)))


def parse_proc_net_tcp(text: str) -> list[Listener]:
    """The listening sockets (state 0A) in a /proc/net/tcp or tcp6 table."""
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A":
            continue
        address, _, port = fields[1].partition(":")
        found.append(Listener(_hex_address(address), int(port, 16)))
    return found


def parse_lsof(text: str) -> list[Listener]:
    """Listening sockets from `lsof -nP -iTCP -sTCP:LISTEN` (NAME column `addr:port`)."""
    found = []
    for line in text.splitlines()[1:]:
        match = re.search(r"\s(\S+):(\d+) \(LISTEN\)", line)
        if match:
            found.append(Listener(match.group(1).strip("[]"), int(match.group(2))))
    return found


def listeners(platform: str = sys.platform, proc: Path = Path("/proc/net")) -> list[Listener]:
    """Every listening TCP socket on this machine (empty when it cannot be read)."""
    if platform.startswith("linux"):
        found = []
        for name in ("tcp", "tcp6"):
            try:
                found += parse_proc_net_tcp((proc / name).read_text())
            except OSError:
                continue
        return found
    lsof = shutil.which("lsof")
    if lsof is None:
        return []
    done = subprocess.run(
        [lsof, "-nP", "-iTCP", "-sTCP:LISTEN"], capture_output=True, text=True, check=False
    )
    return parse_lsof(done.stdout)


def service_ports(settings: Settings) -> dict[int, str]:
    """The ports the service listens on (`[service] *_port`), each with what listens there."""
    service = settings.service
    return {service.ui_port: "ui", service.fava_port: "fava", service.feeds_port: "feeds"}


def exposed(found: Iterable[Listener], ports: dict[int, str]) -> list[Listener]:
    """The listeners on the service's ports that are not bound to loopback."""
    return [s for s in found if s.port in ports and not s.address.startswith(LOOPBACK)]


def loopback_ports(
    settings: Settings, platform: str = sys.platform, found: Sequence[Listener] | None = None
) -> Iterator[Finding]:
    """The service's ports that listen beyond 127.0.0.1, as findings."""
    ports = service_ports(settings)
    found = listeners(platform) if found is None else found
    bad = exposed(found, ports)
    ours = sorted({(s.port, s.address) for s in found if s.port in ports})
    detail = ", ".join(f"{ports[p]} {a}:{p}" for p, a in ours) or (
        "nothing listening on " + ", ".join(str(p) for p in sorted(ports))
    )
    yield Finding(
        "ports on loopback",
        not bad,
        detail,
        None
        if not bad
        else "something listens on all interfaces: stop it, and bind 127.0.0.1 (the service "
        "always does; reach it from elsewhere through `tailscale serve` or a reverse proxy)",
    )


def held_awake(pmset_output: str) -> list[str]:
    """The processes holding a system-awake assertion in `pmset -g assertions` output."""
    holders = []
    for line in pmset_output.splitlines():
        if any(kind in line for kind in AWAKE_ASSERTIONS) and "pid" in line:
            match = re.search(r"pid\s+\d+\(([^)]+)\)", line)
            holders.append(match.group(1) if match else line.strip())
    return holders


def keep_awake(settings: Settings, pmset_output: str | None = None) -> Iterator[Finding]:
    """Whether caffeinate (or anything) holds the Mac awake, and whether the settings ask for it."""
    wanted = settings.service.keep_awake
    if pmset_output is None:
        pmset = shutil.which("pmset")
        if pmset is None:
            return
        pmset_output = subprocess.run(
            [pmset, "-g", "assertions"], capture_output=True, text=True, check=False
        ).stdout
    holders = held_awake(pmset_output)
    held = "caffeinate" in holders
    yield Finding(
        "keep-awake",
        held or not wanted,
        ("held by " + ", ".join(sorted(set(holders))) if holders else "no assertion held")
        + ("" if wanted else " ([service] keep_awake is off)"),
        None
        if held or not wanted
        else "is the service running? it runs caffeinate when [service] keep_awake = true "
        "(a closed lid on battery sleeps anyway: launchd/README.md)",
    )


def free_disk(
    folder: Path, usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage
) -> Iterator[Finding]:
    """Free space where the data lives (`usage`: total, used, free bytes of a folder's disk)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    total, _used, free = usage(probe)
    ok = free >= MIN_FREE_BYTES and free >= total * MIN_FREE_FRACTION
    full = free < DISK_FULL_BYTES
    yield Finding(
        "free disk",
        ok,
        ("disk full: " if full else "") + f"{_size(free)} free of {_size(total)} at {probe}",
        None
        if ok
        else (
            "free some space now: runs, logs and feeds cannot be written (the service resumes "
            "by itself once there is space); "
            if full
            else "free some space: "
        )
        + "old Dagster runs and logs are the usual growth",
    )


def directory_size(folder: Path) -> int:
    """Bytes of the files under `folder` (files that vanish meanwhile count 0)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue  # removed while walking (a run finishing)
    return total


def instance_size(home: Path) -> Iterator[Finding]:
    """The Dagster instance's size; a warning past 2 GiB (old runs pile up)."""
    if not home.is_dir():
        return
    size = directory_size(home)
    yield Finding(
        "instance size",
        size < INSTANCE_WARN_BYTES,
        f"{_size(size)} in {home}",
        None if size < INSTANCE_WARN_BYTES else "old runs pile up: lower the run retention",
        warning=size >= INSTANCE_WARN_BYTES,
    )


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def missed_fire(
    cron: str | Sequence[str],
    timezone: str,
    now: dt.datetime,
    last_tick: dt.datetime | None,
    running_since: dt.datetime | None,
    grace: dt.timedelta = SCHEDULE_GRACE,
) -> dt.datetime | None:
    """The cron time a running schedule should have fired at and did not (no tick at or after
    it), or None. Only the latest due time counts, and only if the schedule was on by then."""
    from dagster._utils.schedules import reverse_cron_string_iterator

    crons = [cron] if isinstance(cron, str) else list(cron)
    cutoff = (now - grace).timestamp()
    due = max(next(reverse_cron_string_iterator(cutoff, c, timezone)) for c in crons)
    if running_since is not None and running_since > due:
        return None
    if last_tick is not None and last_tick >= due - dt.timedelta(seconds=60):
        return None
    return due


def instigator_ticks(settings: Settings, now: dt.datetime) -> Iterator[Finding]:
    """Each sensor's and schedule's last tick (and its run, or why it skipped), and a schedule
    that did not fire when it should have."""
    home = settings.dagster_home
    if not (home / "dagster.yaml").exists():
        return
    from dagster import DagsterInstance

    from pipeline.definitions import build_definitions

    defs = build_definitions(settings)
    with DagsterInstance.from_config(str(home)) as instance:
        states = {s.instigator_name: s for s in instance.all_instigator_state()}
        if not states and not instance.get_daemon_heartbeats():
            # No daemon ever ran here (a fresh demo): one line, not "never ticked" for each.
            yield Finding(
                "daemon",
                False,
                "the daemon has never run on this folder: no sensor or schedule has ticked",
                f"start it: `{homeclerk_command(settings, 'serve')}` (or install the service)",
                warning=True,
            )
            return
        for sensor in sorted(defs.sensors or [], key=lambda s: s.name):
            yield _tick_finding(instance, "sensor", sensor.name, states.get(sensor.name), now)
        for schedule in sorted(defs.schedules or [], key=lambda s: s.name):
            state = states.get(schedule.name)
            yield _tick_finding(instance, "schedule", schedule.name, state, now, schedule)


def _last_run(instance: DagsterInstance, kind: str, name: str, now: dt.datetime) -> str:
    """The newest run the sensor/schedule started, from run storage (its tick may be purged)."""
    from dagster import RunsFilter

    tag = "dagster/sensor_name" if kind == "sensor" else "dagster/schedule_name"
    records = instance.get_run_records(RunsFilter(tags={tag: name}), limit=1)
    if not records:
        return "no run yet"
    run = records[0].dagster_run
    created = records[0].create_timestamp
    return f"last run {run.run_id[:8]} {run.status.value.lower()} {ago(now - created)}"


def _tick_finding(
    instance: DagsterInstance,
    kind: str,
    name: str,
    state: Any,
    now: dt.datetime,
    schedule: Any = None,
) -> Finding:
    from dagster._core.scheduler.instigation import InstigatorStatus

    check = f"{kind} {name}"
    if state is None or state.status == InstigatorStatus.STOPPED:
        # Off (by default or by hand) is the owner's choice: say so, no alarm.
        return Finding(check, True, "off" if state else "never ticked (is the daemon running?)")
    ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1)
    tick = ticks[0] if ticks else None
    last = dt.datetime.fromtimestamp(tick.timestamp, dt.UTC) if tick else None
    if tick is None:
        detail = "on, never ticked"
    else:
        what = tick.status.value.lower()
        if tick.run_ids:
            what += f", run {tick.run_ids[-1][:8]}"
        elif tick.skip_reason:
            what += f": {tick.skip_reason}"
        detail = f"last tick {ago(now - last)} ({what})"
    detail += f"; {_last_run(instance, kind, name, now)}"
    if schedule is not None:
        data = state.instigator_data
        since = (
            dt.datetime.fromtimestamp(data.start_timestamp, dt.UTC)
            if data is not None and getattr(data, "start_timestamp", None)
            else None
        )
        due = missed_fire(
            schedule.cron_schedule,
            schedule.execution_timezone or "UTC",
            now,
            last,
            since,
        )
        if due is not None:
            return Finding(
                check,
                False,
                f"did not fire at {due.isoformat(timespec='minutes')}; {detail}",
                "is the daemon running? (`homeclerk launchd status` / `homeclerk systemd status`)",
            )
    failed = tick is not None and tick.status.value == "FAILURE"
    return Finding(
        check,
        not failed,
        detail,
        "open Automation in the Dagster UI for the tick's error" if failed else None,
    )
