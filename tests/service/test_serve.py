"""End to end: `homeclerk serve` on a demo folder, with real processes, ports and HTTP requests."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.service.processes import descendants
from pipeline.service.runs import pid_alive
from pipeline.service.supervisor import Supervisor, port_open
from tests.support import CHROMIUM_ARGS, chromium_path, free_port, wait_for

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

    def cli(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        """`homeclerk ARGS` on this folder, run to its end."""
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def send(
        self, name: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        port = self.ports[name]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body, {"Host": f"127.0.0.1:{port}", **headers})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def fava_slug(self) -> str:
        """The books' slug in Fava's URLs ("/" redirects to "/<slug>/income_statement/")."""
        port = self.ports["fava"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/", headers={"Host": f"127.0.0.1:{port}"})
            location = conn.getresponse().getheader("Location") or ""
        finally:
            conn.close()
        return urllib.parse.urlsplit(location).path.strip("/").split("/", 1)[0]

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
    # A UPI reference names one payment: each probe SMS its own, or ten of them are one
    # payment alerted ten times (assets/transactions/links.py) and the feed counts it once.
    reference = 600000000000 + zlib.crc32(guid.encode()) % 10**9
    body = (
        f"Rs.4321.17 debited from a/c **1276 on {now:%d-%m-%y} to VPA serve.probe@ybl"
        f"(UPI Ref No {reference}). Not you? Call 18002586161"
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

    # A page the owner visits cannot act through them either (cross-site requests): a GraphQL
    # mutation sent as a GET or as a text/plain POST, the GraphQL websocket, a write to Fava.
    mutation = 'mutation { terminateRun(runId: "no-such-run") { __typename } }'
    as_get = "/graphql?" + urllib.parse.urlencode({"query": mutation})
    as_post = json.dumps({"query": mutation}).encode()
    evil = {"Origin": "http://evil.example.com"}
    plain = {"Content-Type": "text/plain"}
    assert served.send("ui", "GET", as_get, evil)[0] == 403
    assert served.send("ui", "GET", as_get, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert served.send("ui", "POST", "/graphql", {**plain, **evil}, as_post)[0] == 403
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(
            f"ws://127.0.0.1:{served.ports['ui']}/graphql",
            origin="http://evil.example.com",  # type: ignore[arg-type]
            subprotocols=["graphql-ws"],  # type: ignore[list-item]
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403
    fava_write = json.dumps({"source": "2026-01-01 open Assets:Evil\n"}).encode()
    fava_slug = served.fava_slug()
    for path in (f"/{fava_slug}/api/format_source", f"/{fava_slug}/api/add_entries"):
        assert served.send("fava", "PUT", path, evil, fava_write)[0] == 403, path
    # Fava under the service shows homeclerk's Categorize page; a pick from another site is
    # refused (tests/books/test_fava_categorize.py has the page's own checks).
    categorize = f"/{fava_slug}/extension/HomeclerkCategorize/"
    status, body = served.send("fava", "GET", categorize, {})
    assert status == 200 and b"Categorize spending" in body
    form = {"Content-Type": "application/x-www-form-urlencoded", **evil}
    assert served.send("fava", "POST", categorize + "file", form, b"payee=X")[0] == 403
    # The same requests from the UI's own pages still work.
    own = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{served.ports['ui']}"}
    status, body = served.send("ui", "POST", "/graphql", own, as_post)
    assert status == 200 and b"terminateRun" in body, body
    status, body = served.send("ui", "GET", as_get, {"Origin": own["Origin"]})
    assert status == 200 and b"terminateRun" in body, body
    with ws_connect(
        f"ws://127.0.0.1:{served.ports['ui']}/graphql",
        origin=own["Origin"],  # type: ignore[arg-type]
        subprotocols=["graphql-ws"],  # type: ignore[list-item]
        open_timeout=10,
    ) as ws:
        assert ws.subprotocol == "graphql-ws"
    # And the UI's own buttons, in a browser that sends its Origin with every request.
    assert _materialize_from_the_ui(served) == "SUCCESS"

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
    second = served.cli("serve", timeout=60)
    assert second.returncode == 2
    assert "already running" in second.stderr

    # SIGUSR1 prints every thread's stack (what a stop that hangs is doing) and stops nothing.
    stacks = _stacks(served, proc)
    assert "_serve_thread" in stacks and "serve_forever" in stacks, stacks
    assert proc.poll() is None and served.get("ui", "/")[0] == 200

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
    for child in (
        b"pipeline.service.code_server",
        b"--with-daemon",
        b"pipeline.service.fava_server",
    ):
        assert child in commands, child
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    wait_for(lambda: not any(pid_alive(p) for p in tree), 5, "every child to be gone")
    assert not any(port_open(p) for p in served.ports.values())


def _materialize_from_the_ui(served: Served) -> str:
    """Press Materialize on expenses_feed's page in Chromium; the status of the run it launched."""
    from dagster import DagsterInstance, RunsFilter
    from playwright.sync_api import sync_playwright

    with DagsterInstance.from_config(str(served.folder / "data" / "dagster")) as instance:

        def ui_runs() -> list[str]:
            return [r.status.value for r in instance.get_runs(RunsFilter(job_name="__ASSET_JOB"))]

        assert ui_runs() == []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(
                    f"http://127.0.0.1:{served.ports['ui']}/assets/expenses_feed",
                    wait_until="domcontentloaded",
                )
                button = page.locator("button", has_text="Materialize").first
                button.wait_for(timeout=90_000)
                button.click()
                wait_for(ui_runs, 60, "the run the Materialize button launched")
            finally:
                browser.close()

        def finished() -> str | None:
            done = [s for s in ui_runs() if s in ("SUCCESS", "FAILURE", "CANCELED")]
            return done[0] if done else None

        return str(wait_for(finished, SMS_S * 3, "the run launched from the UI"))


def _idle(home: Path, *, ran: bool = True) -> bool:
    """No run is queued or in progress (and, with `ran`, a bank_sms_job run exists)."""
    from dagster import DagsterInstance, RunsFilter

    from pipeline.service.runs import unfinished_runs

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(RunsFilter(job_name="bank_sms_job"), limit=1)
        return (bool(runs) or not ran) and not unfinished_runs(instance)


def _job_runs(home: Path) -> list[tuple[str, str, str]]:
    """(status, launched by, ROWID tag) of every bank_sms_job run the service launched, oldest
    first (the demo's own, which shows the gaps before it imports its statements, left out)."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(RunsFilter(job_name="bank_sms_job"))
        return [
            (r.status.value, r.tags.get("user", ""), r.tags.get("homeclerk/newest_rowid", ""))
            for r in reversed(runs)
            if r.tags.get("homeclerk/demo") != "true"
        ]


LOCATION_STATUS = """
{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message causes { message } } } } } } }
"""


def _location(served: Served) -> tuple[str, str]:
    """(typename, error message) of the code location as the UI shows it (Deployment page)."""
    port = served.ports["ui"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"query": LOCATION_STATUS}).encode()
        conn.request(
            "POST",
            "/graphql",
            body=body,
            headers={"Host": f"127.0.0.1:{port}", "Content-Type": "application/json"},
        )
        answer = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    [entry] = answer["data"]["workspaceOrError"]["locationEntries"]
    if entry["loadStatus"] != "LOADED" or entry["locationOrLoadError"] is None:
        return ("LOADING", "")
    found = entry["locationOrLoadError"]
    # The error and its causes, as *View error* shows them.
    chain = [found.get("message", "")] + [c["message"] for c in found.get("causes") or []]
    return found["__typename"], "\n".join(chain)


def _watch_log(served: Served) -> str:
    log = served.folder / "data" / "logs" / "sms-watch.log"
    return log.read_text() if log.exists() else ""


def test_a_typo_while_serving_holds_the_sms_until_the_fix_then_it_reaches_the_feed(
    served: Served,
) -> None:
    home = served.folder / "data" / "dagster"
    config = served.folder / "homeclerk.toml"
    good = config.read_text()
    assert 'timezone = "Asia/Kolkata"' in good
    served.start()
    wait_for(served.up, UP_S, "the service to answer")
    wait_for(served.watching, 30, "the chat.db watcher to start")
    # The demo read every SMS already: the first serve launches nothing for them.
    assert "every bank SMS in it is stored" in _watch_log(served)
    wait_for(lambda: _location(served)[0] == "RepositoryLocation", 60, "the code location loaded")
    assert _job_runs(home) == []

    config.write_text(good.replace('"Asia/Kolkata"', '"Asia/Kolkatta"'))
    # The code server reads the file again: the Deployment page shows the location Failed,
    # with the settings message.
    _kind, message = wait_for(
        lambda: (found := _location(served))[0] == "PythonError" and found,
        90,
        "the code location shown Failed",
    )
    assert "HomeclerkConfigError: configuration error" in message and "Asia/Kolkatta" in message
    doctor = served.cli("doctor", timeout=120)
    assert doctor.stderr.startswith("homeclerk: configuration error:"), doctor.stderr
    assert "Asia/Kolkatta" in doctor.stderr and doctor.returncode == 2

    guid = f"SERVE-{os.getpid()}-typo"
    [rowid] = append_messages(served.folder / "chat.db", [_bank_sms(guid)])
    wait_for(
        lambda: "settings do not load" in _watch_log(served), 30, "the watcher to hold the SMS"
    )
    assert _job_runs(home) == []  # no run that could only fail

    config.write_text(good)  # fixed: no further SMS
    wait_for(lambda: guid in _feed_ids(served), UP_S, "the held SMS in the feed after the fix")
    wait_for(lambda: _idle(home), SMS_S, "its run to finish")
    assert _job_runs(home) == [("SUCCESS", "homeclerk serve: chat.db watcher", str(rowid))]


def test_a_chat_db_replaced_while_stopped_is_read_when_the_service_starts(
    served: Served,
) -> None:
    import sqlite3
    from contextlib import closing

    from assets.sms.news import read_stored_cursor

    chat_db = served.folder / "chat.db"
    stored = read_stored_cursor(served.folder / "data" / "warehouse.duckdb")
    assert stored is not None and stored.rowid > 40
    # An older copy of chat.db (a restore, a new Mac): its newest 40 messages are not in it,
    # so the 10 bank SMS that arrive next take ROWIDs below the stored cursor.
    with closing(sqlite3.connect(chat_db)) as con, con:
        # Their chat joins too (an older copy has neither): the ROWIDs are taken again below,
        # and a join left over clashes with the new one whenever the newest 40 include a message
        # of the probe's sender (which ones they are depends on the day).
        con.execute("DELETE FROM chat_message_join WHERE message_id > ?", [stored.rowid - 40])
        con.execute("DELETE FROM message WHERE ROWID > ?", [stored.rowid - 40])
        con.execute(
            "UPDATE sqlite_sequence SET seq = ? WHERE name = 'message'", [stored.rowid - 40]
        )
    guids = [f"SERVE-{os.getpid()}-restored-{i}" for i in range(10)]
    rowids = append_messages(chat_db, [_bank_sms(g) for g in guids])
    assert max(rowids) < stored.rowid

    served.start()
    wait_for(served.up, UP_S, "the service to answer")
    wait_for(
        lambda: set(guids) <= _feed_ids(served),
        SMS_S,
        "the 10 SMS of the older chat.db in the feed",
    )
    assert "chat.db was replaced" in _watch_log(served)


def _rowid_runs(home: Path, rowid: int) -> list[tuple[str, str]]:
    """(source tag, status) of each bank_sms_job run tagged with `rowid`."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(
            RunsFilter(job_name="bank_sms_job", tags={"homeclerk/newest_rowid": str(rowid)})
        )
        return [(r.tags.get("homeclerk/source", ""), r.status.value) for r in runs]


def _stacks(served: Served, proc: subprocess.Popen[bytes]) -> str:
    """The service's threads' stacks (it prints them on SIGUSR1), for a stop that hangs."""
    out = served.folder / "serve.out"
    before = out.stat().st_size
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGUSR1)
    try:
        wait_for(lambda: b"most recent call first" in out.read_bytes()[before:], 10, "stacks")
    except TimeoutError:
        return "(no stacks printed)"
    return out.read_bytes()[before:].decode(errors="replace")


def _started_run(home: Path) -> tuple[str, int] | None:
    """A bank_sms_job run in progress whose worker recorded its PID (a schedule's run of
    another job may be in progress beside it)."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    from pipeline.service.runs import worker_pid

    started = RunsFilter(job_name="bank_sms_job", statuses=[DagsterRunStatus.STARTED])
    with DagsterInstance.from_config(str(home)) as instance:
        for run in instance.get_runs(started):
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
    # The demo stored every SMS: nothing runs until one arrives, so the one killed is the SMS's.
    wait_for(lambda: _idle(home, ran=False), SMS_S, "no run in progress")
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


def test_a_damaged_run_storage_holds_the_ui_not_the_rest_until_the_printed_restore(
    served: Served,
) -> None:
    assert served.cli("backup", timeout=300).returncode == 0  # the snapshot to restore from
    runs = served.folder / "data" / "dagster" / "storage" / "history" / "runs.db"
    with runs.open("r+b") as f:
        f.write(b"garbage " * 512)
    served.start()
    said = "not starting code-server until the file changes: "
    wait_for(lambda: said in served.log.read_text(), UP_S, "the service to say what is wrong")
    [line] = [x for x in served.log.read_text().splitlines() if said in x]
    problem = line.split(said, 1)[1]
    assert problem.startswith(f"the Dagster run storage {runs} is damaged (file is not a database)")
    # Fava and the feed server are up, and every feed says why it is stale.
    wait_for(lambda: served.get("fava", "/")[0] in (200, 302), UP_S, "Fava to answer")
    for name in ("expenses.json", "portfolio.json", "power.json"):
        status, body = served.get("feeds", f"/{name}")
        assert status == 200 and json.loads(body)["status"] == "stale", name
        assert json.loads(body)["message"] == problem, name
    doctor = served.cli("doctor", "--json", timeout=300)
    assert "Traceback" not in doctor.stderr, doctor.stderr
    found = {f["check"]: f for f in json.loads(doctor.stdout)}
    assert "is damaged" in found["dagster instance"]["detail"]
    # Held, not restarted in a loop; said once.
    assert served.started_pids("code-server") == served.started_pids("ui-daemon") == []
    assert not port_open(served.ports["ui"])

    fix = problem.split("wait until it is restored: ", 1)[1]
    done = subprocess.run(
        ["sh", "-c", fix], cwd=served.folder, env=served.env, capture_output=True, text=True
    )
    assert done.returncode == 0, (fix, done.stderr)
    wait_for(served.up, UP_S, "the UI to answer after the restore")
    status, body = served.get("feeds", "/expenses.json")
    assert json.loads(body)["status"] == "ok"
    assert "store_fault" not in json.loads(body)
    log = served.log.read_text()
    assert log.count(said) == 1, log
    assert len(served.started_pids("code-server")) == 1


def test_a_stop_lets_the_run_in_flight_finish_and_it_is_no_failure(served: Served) -> None:
    import duckdb

    home = served.folder / "data" / "dagster"
    proc = served.start()
    wait_for(served.up, UP_S, "the service to answer")
    wait_for(served.watching, 30, "the chat.db watcher to start")
    wait_for(lambda: _idle(home, ran=False), SMS_S, "no run in progress")
    guid = f"SERVE-{os.getpid()}-stop"
    append_messages(served.folder / "chat.db", [_bank_sms(guid)])
    run_id, worker = wait_for(lambda: _started_run(home), SMS_S, "a run to start")
    # The run is held where it is (a run that takes longer than a stop's first moments),
    # then let go once the service says it waits for it.
    os.kill(worker, signal.SIGSTOP)
    try:
        proc.send_signal(signal.SIGTERM)
        # The run named, or (a worker stopped mid-write can keep the run storage from answering)
        # the code server's work unnamed: the stop waits for it either way.
        work = rf"(?:run {run_id} \(bank_sms_job\)|the work of code-server \(not named: [^)]*\))"
        waiting = rf"waiting up to \d+ s for {work} to finish"
        try:
            wait_for(lambda: re.search(waiting, served.log.read_text()), 60, "the wait")
        except TimeoutError:
            raise AssertionError(
                f"no {waiting!r} in the log:\n{served.log.read_text()}\n{_stacks(served, proc)}"
            ) from None
        assert pid_alive(worker), "the run's worker was stopped with the service"
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone: the assertion above says why
            os.kill(worker, signal.SIGCONT)
    assert proc.wait(timeout=90) == 0
    log = served.log.read_text()
    assert re.search(rf"{work}: finished", log), log
    assert log.index(": finished") < log.index("stopping code-server")

    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(run_id).status.value == "SUCCESS"
    with duckdb.connect(str(served.folder / "data" / "warehouse.duckdb"), read_only=True) as db:
        count = db.execute(
            "SELECT count(*) FROM transactions WHERE message_guid = ?", [guid]
        ).fetchone()
    assert count == (1,)
    doctor = served.cli("doctor", "--json", timeout=120)
    failed = {f["check"]: f for f in json.loads(doctor.stdout)}["failed runs (24 h)"]
    assert failed["ok"], failed
