"""End to end: `homeclerk serve` on a demo folder, with real processes, ports and HTTP requests."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.processes import descendants
from pipeline.runs import pid_alive
from pipeline.service import Supervisor, port_open
from tests.support import free_port, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UP_S = 150  # the code server imports the definitions; three Dagster processes start
SMS_S = 60


class Served:
    def __init__(self, folder: Path, ports: dict[str, int], env: dict[str, str]) -> None:
        self.folder, self.ports, self.env = folder, ports, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / "data" / "logs" / "serve.log"

    def start(self) -> subprocess.Popen[bytes]:
        out = (self.folder / "serve.out").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "serve"],
            cwd=self.folder,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.proc

    def get(self, name: str, path: str, host: str | None = None) -> tuple[int, bytes]:
        port = self.ports[name]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def up(self) -> bool:
        assert self.proc is not None
        assert self.proc.poll() is None, (self.folder / "serve.out").read_text()
        return all(port_open(p) for p in self.ports.values()) and self.get("ui", "/")[0] == 200

    def watching(self) -> bool:
        """The chat.db watcher took its baseline: a bank SMS appended now is news to it."""
        log = self.folder / "data" / "logs" / "sms-watch.log"
        return log.exists() and "watching " in log.read_text()

    def started_pids(self, child: str) -> list[int]:
        text = self.log.read_text() if self.log.exists() else ""
        return [int(p) for p in re.findall(rf"started {child} \(pid (\d+)\)", text)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    folder = tmp_path / "demo"
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--dir", str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    ports = {"ui": free_port(), "fava": free_port(), "feeds": free_port()}
    config = folder / "homeclerk.toml"
    with config.open("a") as f:
        f.write(
            f"\n[service]\nui_port = {ports['ui']}\nfava_port = {ports['fava']}\n"
            f"feeds_port = {ports['feeds']}\n"
        )
    env["HOMECLERK_CONFIG"] = str(config)
    env["PYTHONPATH"] = str(ROOT)
    served = Served(folder, ports, env)
    try:
        yield served
    finally:
        if served.proc is not None and served.proc.poll() is None:
            os.killpg(served.proc.pid, signal.SIGKILL)
            served.proc.wait()
        # Whatever a failed test left of the children (each in its own session).
        Supervisor([], folder / "data" / "logs").stop_leftovers()


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _bank_sms(guid: str) -> NewMessage:
    now = dt.datetime.now(dt.UTC)
    body = (
        f"Rs.4321.17 debited from a/c **1276 on {now:%d-%m-%y} to VPA serve.probe@ybl"
        "(UPI Ref No 600000000123). Not you? Call 18002586161"
    )
    return NewMessage(
        guid=guid, sender="VM-HDFCBK", text=body, attributed_body=None, date=utc_to_apple_ns(now)
    )


def _feed_ids(served: Served) -> set[str]:
    status, body = served.get("feeds", "/expenses.json")
    if status != 200:
        return set()
    return {row["id"] for row in json.loads(body)["recent"]}


def test_serve_without_books_runs_the_rest_and_says_how_to_start(served: Served) -> None:
    main = served.folder / "ledger" / "main.beancount"
    main.unlink()
    served.start()
    wait_for(
        lambda: port_open(served.ports["feeds"]) and served.get("ui", "/")[0] == 200,
        UP_S,
        "the UI and the feed server to answer without books",
    )
    log = served.log.read_text()
    # Said once, with the way to start; Fava is not started (never restarted forever).
    assert log.count(f"Fava not started: no {main}") == 1, log
    assert f"cp {ROOT / 'ledger' / 'main.beancount'} {main}" in log
    assert served.started_pids("fava") == [] and not port_open(served.ports["fava"])
    assert served.started_pids("ui-daemon") and served.proc and served.proc.poll() is None


def test_serve_runs_restarts_and_stops_the_whole_tree(served: Served) -> None:
    proc = served.start()
    wait_for(served.up, UP_S, "the UI, Fava and the feed server to answer")

    # Every server answers only to its loopback name (DNS rebinding).
    for name in ("ui", "fava", "feeds"):
        assert served.get(name, "/", host="evil.example.com")[0] == 421, name
    assert served.get("ui", "/graphql", host="evil.example.com")[0] == 421
    assert served.get("fava", "/", host=f"localhost:{served.ports['fava']}")[0] in (200, 302)

    # The feed server is a thread of the service itself, not a process of its own; it serves
    # the feeds and nothing beside them, and a request that is no HTTP does not stop it.
    assert not [p for p in descendants(proc.pid) if b"feed_server" in _cmdline(p)]
    assert served.get("feeds", "/expenses.json")[0] == 200
    for path in ("/../homeclerk.toml", "/%2e%2e/homeclerk.toml", "/serve.out"):
        assert served.get("feeds", path)[0] == 404, path
    with socket.create_connection(("127.0.0.1", served.ports["feeds"]), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01 not http\r\n\r\n")
    assert served.get("feeds", "/expenses.json")[0] == 200

    # One service per instance.
    second = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "serve"],
        cwd=served.folder,
        env=served.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    assert "already running" in second.stderr

    # A bank SMS reaches the feed: the service's chat.db watcher launches the run through the
    # UI's GraphQL API, exactly one, tagged with the SMS's ROWID; the sensor does not repeat it.
    wait_for(served.watching, 30, "the chat.db watcher to start")
    guid = f"SERVE-{os.getpid()}-1"
    [rowid] = append_messages(served.folder / "chat.db", [_bank_sms(guid)])
    wait_for(lambda: guid in _feed_ids(served), SMS_S, "the new SMS in feeds/expenses.json")
    home = served.folder / "data" / "dagster"
    wait_for(lambda: _idle(home), SMS_S, "the SMS's run to finish")
    assert _rowid_runs(home, rowid) == [("sms-watch", "SUCCESS")]

    # A child that dies is started again, and the service log says why.
    [fava_pid] = served.started_pids("fava")
    os.killpg(fava_pid, signal.SIGKILL)
    wait_for(lambda: len(served.started_pids("fava")) == 2, 30, "Fava to be restarted")
    assert f"fava (pid {fava_pid}) exited: killed by SIGKILL" in served.log.read_text()
    wait_for(lambda: served.get("fava", "/")[0] in (200, 302), 30, "the new Fava to answer")

    # SIGTERM stops every process of the tree, in time, and frees every port.
    tree = descendants(proc.pid)
    commands = b"\n".join(_cmdline(p) for p in tree)
    for child in (b"pipeline.code_server", b"--with-daemon", b"pipeline.fava_server"):
        assert child in commands, child
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    wait_for(lambda: not any(pid_alive(p) for p in tree), 5, "every child to be gone")
    assert not any(port_open(p) for p in served.ports.values())


def _idle(home: Path) -> bool:
    """A bank_sms_job run exists and no run is queued or in progress."""
    from dagster import DagsterInstance, RunsFilter

    from pipeline.runs import unfinished_runs

    with DagsterInstance.from_config(str(home)) as instance:
        ran = instance.get_runs(RunsFilter(job_name="bank_sms_job"), limit=1)
        return bool(ran) and not unfinished_runs(instance)


def _rowid_runs(home: Path, rowid: int) -> list[tuple[str, str]]:
    """(source tag, status) of each bank_sms_job run tagged with `rowid`."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(
            RunsFilter(job_name="bank_sms_job", tags={"homeclerk/newest_rowid": str(rowid)})
        )
        return [(r.tags.get("homeclerk/source", ""), r.status.value) for r in runs]


def _started_run(home: Path) -> tuple[str, int] | None:
    """A bank_sms_job run in progress whose worker recorded its PID."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    from pipeline.runs import worker_pid

    with DagsterInstance.from_config(str(home)) as instance:
        for run in instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED])):
            pid = worker_pid(instance, run.run_id)
            if pid is not None and pid_alive(pid):
                return run.run_id, pid
    return None


def _retried(home: Path, run_id: str) -> tuple[str, str] | None:
    """(status of the interrupted run, status of its automatic retry) once the retry finished."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        original = instance.get_run_by_id(run_id)
        retries = instance.get_runs(RunsFilter(tags={"dagster/parent_run_id": run_id}))
        if original is None or not retries or not retries[0].is_finished:
            return None
        return original.status.value, retries[0].status.value


def test_a_service_killed_mid_run_fails_and_retries_the_run_once(served: Served) -> None:
    import duckdb

    home = served.folder / "data" / "dagster"
    proc = served.start()
    wait_for(served.up, UP_S, "the service to answer")
    wait_for(served.watching, 30, "the chat.db watcher to start")
    # The sensor's first run (the demo's backlog) done first, so the one killed is the SMS's.
    wait_for(lambda: _idle(home), SMS_S, "the sensor's first run to finish")
    guid = f"SERVE-{os.getpid()}-2"
    append_messages(served.folder / "chat.db", [_bank_sms(guid)])
    run_id, worker = wait_for(lambda: _started_run(home), SMS_S, "a run to start")

    # The service and the run's worker die at once (a crash; the OOM killer); the other children
    # are orphaned, as under launchd, which only stops the job's own process group.
    orphans = descendants(proc.pid) - {worker}
    os.kill(worker, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert any(pid_alive(p) for p in orphans)

    proc = served.start()
    wait_for(
        lambda: "stopped what a killed service left running" in served.log.read_text(),
        30,
        "the new service to stop what the killed one left",
    )
    assert not any(pid_alive(p) for p in orphans), "the killed service's children were left"
    wait_for(served.up, UP_S, "the restarted service to answer")
    assert wait_for(lambda: _retried(home, run_id), 240, "the run's retry") == (
        "FAILURE",
        "SUCCESS",
    )
    wait_for(lambda: guid in _feed_ids(served), SMS_S, "the SMS in the feed")
    _status, body = served.get("feeds", "/expenses.json")
    assert [row["id"] for row in json.loads(body)["recent"]].count(guid) == 1

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    with duckdb.connect(str(served.folder / "data" / "warehouse.duckdb"), read_only=True) as db:
        count = db.execute(
            "SELECT count(*) FROM transactions WHERE message_guid = ?", [guid]
        ).fetchone()
    assert count == (1,)
