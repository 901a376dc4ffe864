"""`homeclerk doctor`'s service section: the job (through stand-ins), ports read from the real
/proc/net/tcp with real sockets, keep-awake parsed, disk and instance size, and sensor/schedule
ticks from a real Dagster instance in a temp folder."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.remote_origin import (
    InProcessCodeLocationOrigin,
    RemoteInstigatorOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.scheduler.instigation import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    ScheduleInstigatorData,
    TickData,
    TickStatus,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from assets.books.schedules import BOOKS_CRON
from pipeline.cli import main
from pipeline.definitions import build_definitions
from pipeline.doctor import service_checks as sc
from pipeline.service.instance import prepare_instance
from tests.pipeline.service_support import StandIn, service_settings

UTC = dt.UTC
# "now" for the schedule checks: a fixed instant, so the suite passes on any date.
NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=UTC)

PMSET = """Assertion status system-wide:
   PreventUserIdleSystemSleep     1
   PreventSystemSleep             1
Listed by owning process:
   pid 812(caffeinate): [0x0001] 00:10:02 PreventUserIdleSystemSleep named: "caffeinate command-line tool"
   pid 812(caffeinate): [0x0002] 00:10:02 PreventSystemSleep named: "caffeinate command-line tool"
   pid 90(coreaudiod): [0x0003] 00:00:05 PreventUserIdleSystemSleep named: "audio"
"""  # noqa: E501


def test_ports_bound_to_all_interfaces_are_found_in_proc_net_tcp(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    with socket.socket() as loop, socket.socket() as wide:
        loop.bind(("127.0.0.1", 0))
        loop.listen()
        wide.bind(("0.0.0.0", 0))
        wide.listen()
        found = sc.listeners("linux")
        loop_port, wide_port = loop.getsockname()[1], wide.getsockname()[1]
        assert sc.Listener("127.0.0.1", loop_port) in found
        assert sc.Listener("0.0.0.0", wide_port) in found
        ports = {loop_port: "ui", wide_port: "fava"}
        assert sc.exposed(found, ports) == [sc.Listener("0.0.0.0", wide_port)]
        only_loop = {loop_port: "ui"}
        assert sc.exposed(found, only_loop) == []
    findings = list(sc.loopback_ports(settings, found=[sc.Listener("0.0.0.0", 3000), *found]))
    assert not findings[0].ok and "0.0.0.0:3000" in findings[0].detail
    assert "127.0.0.1" in findings[0].fix


def test_ipv6_addresses_in_proc_net_tcp6() -> None:
    text = (
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A\n"
        "   1: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 0A\n"
        "   2: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A\n"
        "   3: 00000000000000000000000001000000:0BB9 00000000000000000000000000000000:0000 01\n"
    )
    assert sc.parse_proc_net_tcp(text) == [
        sc.Listener("::1", 3000),
        sc.Listener("::", 5000),
        sc.Listener("::ffff:127.0.0.1", 80),
    ]


def test_lsof_output_is_parsed() -> None:
    text = (
        "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\n"
        "python3 501 me 7u IPv4 0x1 0t0 TCP 127.0.0.1:3000 (LISTEN)\n"
        "python3 502 me 8u IPv6 0x2 0t0 TCP [::1]:5000 (LISTEN)\n"
        "nginx 77 me 6u IPv4 0x3 0t0 TCP *:5000 (LISTEN)\n"
    )
    found = sc.parse_lsof(text)
    assert found == [
        sc.Listener("127.0.0.1", 3000),
        sc.Listener("::1", 5000),
        sc.Listener("*", 5000),
    ]
    assert sc.exposed(found, {3000: "ui", 5000: "fava"}) == [sc.Listener("*", 5000)]


def test_keep_awake_assertion_held_by_caffeinate(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    assert sc.held_awake(PMSET) == ["caffeinate", "caffeinate", "coreaudiod"]
    (finding,) = sc.keep_awake(settings, PMSET)
    assert finding.ok and "caffeinate" in finding.detail
    without = "\n".join(line for line in PMSET.splitlines() if "caffeinate" not in line)
    (finding,) = sc.keep_awake(settings, without)
    assert finding.ok and "keep_awake is off" in finding.detail  # not asked for: no alarm


def test_service_job_through_the_systemctl_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "systemctl", monkeypatch)  # a user manager that answers
    (finding,) = sc.service_job(settings, "linux")
    assert finding.warning and "not installed" in finding.detail
    # The command pasted as is installs this folder's service: it carries the --config.
    assert finding.fix is not None
    assert finding.fix.endswith(f"--config {settings.config_file} systemd install")
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "homeclerk.service").write_text("[Service]\n")
    standin.canned(
        "show",
        out="ActiveState=activating\nSubState=auto-restart\nMainPID=0\n"
        "NRestarts=7\nExecMainStatus=1\n",
    )
    (finding,) = sc.service_job(settings, "linux")
    assert not finding.ok and "restarts: 7" in finding.detail and "last exit: 1" in finding.detail


def test_service_job_through_the_launchctl_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "io.homeclerk.test.plist").write_bytes(b"x")
    standin.canned(
        "print",
        out="gui/1/io.homeclerk.test = {\n\tstate = running\n\tpid = 55\n\truns = 2\n"
        "\tlast exit code = -15\n}\n",
    )
    (finding,) = sc.service_job(settings, "darwin")
    assert finding.ok
    assert "pid 55" in finding.detail and "killed by signal 15" in finding.detail


def test_free_disk_and_instance_size(tmp_path: Path) -> None:
    (finding,) = sc.free_disk(tmp_path / "not" / "yet")
    assert str(tmp_path) in finding.detail and " free of " in finding.detail
    # A full disk (statvfs's "available to you": 0 bytes) is called what it is.
    (full,) = sc.free_disk(tmp_path, usage=lambda _p: (100 << 30, 100 << 30, 0))
    assert not full.ok and full.detail == f"disk full: 0 B free of 100.0 GB at {tmp_path}"
    assert full.fix and full.fix.startswith("free some space now")
    (low,) = sc.free_disk(tmp_path, usage=lambda _p: (100 << 30, 99 << 30, 512 << 20))
    assert not low.ok and not low.detail.startswith("disk full")
    home = tmp_path / "dagster"
    (home / "logs").mkdir(parents=True)
    (home / "logs" / "a").write_bytes(b"x" * 3000)
    (home / "runs.db").write_bytes(b"x" * 2000)
    assert sc.directory_size(home) == 5000
    (finding,) = sc.instance_size(home)
    assert finding.ok and finding.detail.startswith("4.9 KB")


@pytest.mark.parametrize(
    ("last_tick", "since", "missed"),
    [
        (None, dt.datetime(2027, 3, 1, tzinfo=UTC), True),  # on for days, never ticked
        (dt.datetime(2027, 3, 9, 2, 0, tzinfo=UTC), None, True),  # yesterday's, not today's
        (dt.datetime(2027, 3, 10, 2, 0, 5, tzinfo=UTC), None, False),  # today's fired
        (None, dt.datetime(2027, 3, 10, 3, 0, tzinfo=UTC), False),  # switched on after 02:00
    ],
)
def test_missed_fire(
    last_tick: dt.datetime | None, since: dt.datetime | None, missed: bool
) -> None:
    due = sc.missed_fire("0 2 * * *", "UTC", NOW, last_tick, since)
    assert (due is not None) == missed
    if missed:
        assert due == dt.datetime(2027, 3, 10, 2, 0, tzinfo=UTC)


def test_missed_fire_waits_for_the_grace_period() -> None:
    # At 02:03 the 02:00 tick may still be on its way: the due time is the day before.
    now = dt.datetime(2027, 3, 10, 2, 3, tzinfo=UTC)
    due = sc.missed_fire("0 2 * * *", "UTC", now, dt.datetime(2027, 3, 9, 2, 0, tzinfo=UTC), None)
    assert due is None


def _state(name: str, kind: InstigatorType, data: object = None) -> InstigatorState:
    location = InProcessCodeLocationOrigin(LoadableTargetOrigin(module_name="pipeline.definitions"))
    origin = RemoteInstigatorOrigin(RemoteRepositoryOrigin(location, "__repository__"), name)
    return InstigatorState(origin, kind, InstigatorStatus.RUNNING, data)


def test_doctor_reports_ticks_and_a_schedule_that_did_not_fire(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = service_settings(tmp_path)
    defs = build_definitions(settings)
    schedule = next(s for s in defs.schedules if s.cron_schedule == BOOKS_CRON)
    sensor = sorted(defs.sensors, key=lambda s: s.name)[0]
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        week_ago = (NOW - dt.timedelta(days=7)).timestamp()
        schedule_state = _state(
            schedule.name,
            InstigatorType.SCHEDULE,
            ScheduleInstigatorData(BOOKS_CRON, start_timestamp=week_ago),
        )
        sensor_state = _state(sensor.name, InstigatorType.SENSOR)
        for state in (schedule_state, sensor_state):
            instance.add_instigator_state(state)
        instance.create_tick(
            TickData(
                instigator_origin_id=sensor_state.instigator_origin_id,
                instigator_name=sensor.name,
                instigator_type=InstigatorType.SENSOR,
                status=TickStatus.SKIPPED,
                timestamp=(NOW - dt.timedelta(seconds=30)).timestamp(),
                selector_id=sensor_state.selector_id,
                skip_reason="SKIPPED: no new bank SMS",
            )
        )
    findings = {f.check: f for f in sc.instigator_ticks(settings, NOW)}
    sensor_finding = findings[f"sensor {sensor.name}"]
    assert sensor_finding.ok
    assert sensor_finding.detail == (
        "last tick 30 s ago (skipped: SKIPPED: no new bank SMS); no run yet"
    )
    # The last run comes from run storage: the tick that started it may be long purged.
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        run = instance.add_run(
            DagsterRun(
                job_name=sensor.job_name,
                status=DagsterRunStatus.SUCCESS,
                tags={"dagster/sensor_name": sensor.name},
            )
        )
    findings = {f.check: f for f in sc.instigator_ticks(settings, NOW)}
    detail = findings[f"sensor {sensor.name}"].detail
    assert f"; last run {run.run_id[:8]} success " in detail  # its age: the wall clock's
    missed = findings[f"schedule {schedule.name}"]
    assert not missed.ok and missed.detail.startswith("did not fire at ")
    assert "on, never ticked" in missed.detail
    others = [f for name, f in findings.items() if name.startswith("schedule ")]
    assert all(f.ok for f in others if f is not missed)  # stopped or never ticked: no alarm

    # And through the command (on the wall clock, so only the shape), as JSON.
    assert main(["--config", str(tmp_path / "homeclerk.toml"), "doctor", "--json"]) == 1
    listed = json.loads(capsys.readouterr().out)
    by_check = {item["check"]: item for item in listed}
    assert by_check[f"sensor {sensor.name}"]["ok"] is True
    assert by_check["service"]["warning"] is True  # not installed in this temp folder
    assert set(by_check["free disk"]) == {"check", "ok", "detail", "fix", "warning"}


def test_service_settings_are_read_and_checked(tmp_path: Path) -> None:
    from pipeline.settings import SettingsError, load_settings

    settings = service_settings(tmp_path)
    assert settings.service.label == "io.homeclerk.test"
    assert settings.service.launch_agents_dir == tmp_path / "agents"
    assert settings.service.systemd_user_dir == tmp_path / "units"
    config = tmp_path / "bad.toml"
    config.write_text('[service]\nlabel = "io.homeclerk serve"\n')
    with pytest.raises(SettingsError, match=r"service\.label"):
        load_settings(config)
    config.write_text('[service]\nlaunch_agent_dir = "x"\n')
    with pytest.raises(SettingsError, match="launch_agents_dir"):
        load_settings(config)
