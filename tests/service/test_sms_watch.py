"""The chat.db watcher against a real chat.db and a real HTTP server standing in for the UI.

The GraphQL endpoint here records each request and answers as Dagster's UI does; the real UI's
answer is covered end to end in `test_serve.py` (the appended SMS's run is the watcher's).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assets.sms.ingest import ingest_new_messages
from pipeline.service.sms_watch import SmsWatcher, launch_bank_sms_job, runs_in_progress
from pipeline.service.supervisor import Supervisor, ThreadSpec
from tests.sms.helpers import AXIS_DEBIT, UPI_DEBIT, ChatDb
from tests.support import free_port, wait_for

BANK = "VM-HDFCBK"


class FakeUi:
    """A GraphQL endpoint on 127.0.0.1 that records launches and answers LaunchRunSuccess."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.requests: list[tuple[str, dict]] = []
        # (run id, status, ROWID tag) the runs query answers; each query's variables.
        self.runs: list[tuple[str, str, int]] = []
        self.listed: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if "runsOrError" in body["query"]:
                    outer.listed.append(body["variables"])
                    answer = {"data": {"runsOrError": {"__typename": "Runs", "results": [
                        {"runId": run_id, "status": status, "tags": [
                            {"key": "homeclerk/newest_rowid", "value": str(rowid)}]}
                        for run_id, status, rowid in outer.runs
                    ]}}}  # fmt: skip
                else:
                    outer.requests.append((self.headers["Host"], body))
                    answer = {
                        "data": {
                            "launchRun": {
                                "__typename": "LaunchRunSuccess",
                                "run": {"runId": f"run-{len(outer.requests)}"},
                            }
                        }
                    }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def launches(self) -> list[dict[str, str]]:
        return [
            {
                t["key"]: t["value"]
                for t in b["variables"]["executionParams"]["executionMetadata"]["tags"]
            }
            for _host, b in self.requests
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat(tmp_path: Path) -> ChatDb:
    db = ChatDb(tmp_path / "chat.db")
    db.add([db.message(BANK, UPI_DEBIT.format(amount="10.00"))])
    stored(db)
    return db


@pytest.fixture
def ui() -> Iterator[FakeUi]:
    fake = FakeUi(free_port())
    yield fake
    fake.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def watcher(
    chat: ChatDb,
    port: int,
    lines: list[str],
    clock: Clock | None = None,
    *,
    settings: tuple[Path, ...] = (),
    check_settings=lambda: None,  # type: ignore[no-untyped-def]
) -> SmsWatcher:
    return SmsWatcher(
        chat.path,
        ["HDFCBK"],
        lambda rowid: launch_bank_sms_job(port, "homeclerk", rowid),
        lines.append,
        warehouse=chat.path.with_name("warehouse.duckdb"),
        in_progress=lambda: runs_in_progress(port),
        settings=settings,
        check_settings=check_settings,
        clock=clock,
    )


def stored(chat: ChatDb) -> None:
    """What a successful run does: ingest into the warehouse beside chat.db (and its cursor)."""
    ingest_new_messages(chat.path, chat.path.with_name("warehouse.duckdb"), ["HDFCBK"])


def test_a_bank_sms_launches_exactly_one_run_tagged_with_its_rowid(chat, ui) -> None:
    lines: list[str] = []
    w = watcher(chat, ui.port, lines)
    assert w.step() is None  # at start: everything is stored
    assert ui.requests == []

    [rowid] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="20.00"))])
    assert w.step() == "run-1"
    assert w.step() is None  # nothing changed since
    chat.add([chat.message("+919800000000", "see you at 8")])  # changes chat.db, not bank news
    assert w.step() is None

    [(host, body)] = ui.requests
    assert host == f"127.0.0.1:{ui.port}"
    selector = body["variables"]["executionParams"]["selector"]
    assert selector == {
        "repositoryLocationName": "homeclerk",
        "repositoryName": "__repository__",
        "jobName": "bank_sms_job",
    }
    assert "launchRun(" in body["query"]
    assert ui.launches() == [
        {
            "homeclerk/source": "sms-watch",
            "user": "homeclerk serve: chat.db watcher",  # the UI's "Launched by"
            "homeclerk/newest_rowid": str(rowid),
        }
    ]
    assert f"launched bank_sms_job run run-1 for bank SMS up to ROWID {rowid}" in " ".join(lines)


def test_a_non_bank_message_launches_nothing(chat, ui) -> None:
    w = watcher(chat, ui.port, [])
    w.step()
    chat.add([chat.message("+919800000000", AXIS_DEBIT)])  # a bank's words from a phone number
    chat.add([chat.message(BANK, UPI_DEBIT.format(amount="1.00"), is_from_me=1)])
    assert w.step() is None
    assert ui.requests == []


def test_ui_down_is_logged_once_and_a_later_try_launches(chat) -> None:
    port = free_port()  # nothing listens yet
    lines: list[str] = []
    clock = Clock()
    w = watcher(chat, port, lines, clock)
    w.step()
    [first] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="30.00"))])
    for _ in range(3):
        assert w.step() is None
        clock.now += 10
    [second] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="40.00"))])
    assert w.step() is None
    down = [line for line in lines if "not reachable" in line]
    assert len(down) == 1, lines

    ui = FakeUi(port)
    try:
        clock.now += 10
        assert w.step() == "run-1"
        assert [launch["homeclerk/newest_rowid"] for launch in ui.launches()] == [str(second)]
        assert second > first
    finally:
        ui.close()


def test_an_unreadable_chat_db_is_logged_once_and_never_ends_the_loop(tmp_path, ui) -> None:
    lines: list[str] = []
    missing = ChatDb.__new__(ChatDb)
    missing.path = tmp_path / "nowhere" / "chat.db"
    w = watcher(missing, ui.port, lines)
    assert w.step() is None
    assert w.step() is None
    assert len([line for line in lines if "cannot read" in line]) == 1, lines

    # chat.db appears: its bank SMS are not stored, so they are news at once.
    db = ChatDb(missing.path)
    [rowid] = db.add([db.message(BANK, UPI_DEBIT.format(amount="5.00"))])
    assert w.step() == "run-1"
    assert ui.launches()[0]["homeclerk/newest_rowid"] == str(rowid)


def test_the_supervisor_runs_the_watcher_restarts_it_and_stops_it(chat, ui, tmp_path) -> None:
    lines: list[str] = []
    made: list[SmsWatcher] = []

    def make() -> SmsWatcher:
        made.append(watcher(chat, ui.port, lines))
        return made[-1]

    supervisor = Supervisor(
        [ThreadSpec("sms-watch", make)], tmp_path / "logs", backoff_first=0.1, stable_after=60
    )
    runner = threading.Thread(target=supervisor.run, kwargs={"interval": 0.1}, daemon=True)
    runner.start()
    try:
        wait_for(lambda: any("watching" in line for line in lines), 30, "the watcher to start")
        [rowid] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="50.00"))])
        wait_for(lambda: len(ui.requests) == 1, 30, "the launch")
        assert ui.launches()[0]["homeclerk/newest_rowid"] == str(rowid)

        # Its thread ends (as if it died): the supervisor starts a new watcher.
        made[0].shutdown()
        wait_for(lambda: len(made) == 2, 30, "the watcher to be restarted")
        assert "sms-watch (thread) stopped" in (tmp_path / "logs" / "serve.log").read_text()
    finally:
        supervisor.stopping.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert made[-1]._done.is_set()  # stopped with everything else


def test_a_run_that_failed_took_nothing_a_settings_fix_launches_again(chat, ui, tmp_path) -> None:
    toml = tmp_path / "homeclerk.toml"
    toml.write_text('timezone = "Asia/Kolkata"\n')
    error: list[str | None] = [None]
    lines: list[str] = []
    w = watcher(chat, ui.port, lines, settings=(toml,), check_settings=lambda: error[0])
    assert w.step() is None

    # The file is broken: news launches nothing (its run could only fail), said once.
    toml.write_text('timezone = "Asia/Kolkatta"\n')
    error[0] = "configuration error: timezone is 'Asia/Kolkatta'"
    [rowid] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="60.00"))])
    assert w.step() is None
    [extra] = chat.add([chat.message("+919800000000", "more")])
    assert extra and w.step() is None
    assert ui.requests == []
    assert len([line for line in lines if "Asia/Kolkatta" in line]) == 1, lines

    # Fixed: the SMS the warehouse lacks is launched at once, with no further SMS.
    toml.write_text('timezone = "Asia/Kolkata"  # fixed\n')
    error[0] = None
    assert w.step() == "run-1"
    assert ui.launches()[0]["homeclerk/newest_rowid"] == str(rowid)

    # That run fails (stores nothing): nothing more until something changes, not a run a second.
    assert w.step() is None
    chat.add([chat.message("+919800000000", "unrelated")])
    assert w.step() is None
    assert len(ui.requests) == 1
    # A settings change (or a new SMS) is worth another try; the news is still not stored.
    toml.write_text('timezone = "Asia/Kolkata"  # touched\n')
    assert w.step() == "run-2"
    stored(chat)
    [newer] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="61.00"))])
    assert w.step() == "run-3"
    assert ui.launches()[-1]["homeclerk/newest_rowid"] == str(newer)


def test_news_waits_for_a_run_not_started_yet_one_waits_and_one_runs(chat, ui) -> None:
    w = watcher(chat, ui.port, [])
    assert w.step() is None
    ui.runs = [("queued", "QUEUED", 1)]
    for amount in ("1.00", "2.00", "3.00"):
        chat.add([chat.message(BANK, UPI_DEBIT.format(amount=amount))])
        assert w.step() is None  # the queued run reads them when it starts
    assert ui.requests == []
    assert ui.listed[0] == {
        "filter": {
            "pipelineName": "bank_sms_job",
            "statuses": ["QUEUED", "NOT_STARTED", "STARTING", "STARTED"],
        }
    }

    # It started (and may have read already): news after that gets one run, which then waits.
    ui.runs = [("reading", "STARTED", 1)]
    [rowid] = chat.add([chat.message(BANK, UPI_DEBIT.format(amount="4.00"))])
    assert w.step() == "run-1"
    ui.runs = [("reading", "STARTED", 1), ("run-1", "QUEUED", rowid)]
    for amount in ("5.00", "6.00"):
        chat.add([chat.message(BANK, UPI_DEBIT.format(amount=amount))])
        assert w.step() is None
    assert len(ui.requests) == 1

    # A run in progress launched for this very news takes it too.
    ui.runs = [("run-1", "STARTED", rowid + 2)]
    w.handled = None
    w.signature = None
    assert w.step() is None
    assert len(ui.requests) == 1


def test_on_start_a_replaced_chat_db_is_news_and_a_stored_one_is_not(chat, ui, tmp_path) -> None:
    import shutil

    older = tmp_path / "older.db"
    shutil.copy(chat.path, older)
    chat.add([chat.message("+919800000000", f"chat {i}") for i in range(20)])
    stored(chat)
    lines: list[str] = []
    assert watcher(chat, ui.port, lines).step() is None  # everything stored: no run
    assert "every bank SMS in it is stored" in lines[-1]

    # Stopped; an older copy comes back with new bank SMS at ROWIDs below the stored cursor.
    older.replace(chat.path)
    new = [chat.message(BANK, UPI_DEBIT.format(amount=f"{i}.00")) for i in range(1, 4)]
    rowids = chat.add(new)
    assert max(rowids) < 21
    lines.clear()
    assert watcher(chat, ui.port, lines).step() == "run-1"
    assert ui.launches()[0]["homeclerk/newest_rowid"] == str(max(rowids))
    assert "chat.db was replaced" in lines[0]
