"""The chat.db watcher: a thread of `homeclerk serve` that launches `bank_sms_job` within a second.

The sensor alone waits for the Dagster daemon's sensor loop (5 s, fixed in Dagster), and ticking
it every 4-5 s was most of the service's idle CPU (a gRPC call and tick rows each time). This
loop costs a few `stat` calls a second: only when chat.db, its WAL, the ingest's cursor file or
the settings changed does it look for news, judged against what the warehouse stored
(`assets.sms.news`: bank SMS above the ingest's cursor, or a replaced chat.db), never against
what it launched before: a run that failed took nothing. It does so at start too, so SMS that
arrived while the service was stopped (or a chat.db restored meanwhile) are read at once.

Bursts coalesce: before launching it asks the Dagster UI's GraphQL API for the job's runs in
progress; while one waits to start (queued, starting) it will read everything, so the news waits
for it, and one in progress that was launched for this news takes it. At most one run waits and
one runs. News that a run failed on is launched again only after a new SMS or a settings change
(the sensor, a slow safety net, asks again after a while): a broken homeclerk.toml must not give
a failed run a second. While the settings do not load it launches nothing and says so once.

Plain stdlib (no Dagster import): it runs inside the supervisor, whose memory is in the idle
budget. Errors (the UI not up yet, chat.db unreadable) are logged once per kind and never end
the loop.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import NamedTuple

from assets.sms.news import News, cursor_file, find_news, read_stored_cursor
from pipeline.service.launch import LaunchError, graphql, launch_job

JOB_NAME = "bank_sms_job"
SOURCE_TAG = ("homeclerk/source", "sms-watch")
# The UI's "Launched by" shows a `user` tag's value (a sensor's or schedule's name otherwise, and
# "Manually launched" for a run with neither).
LAUNCHED_BY_TAG = ("user", "homeclerk serve: chat.db watcher")
ROWID_TAG = "homeclerk/newest_rowid"
# After a failed launch, the next attempt (for the same news) waits this long.
RETRY_SECONDS = 5.0

RUNS_IN_PROGRESS = """
query HomeclerkSmsWatchRuns($filter: RunsFilter!) {
  runsOrError(filter: $filter, limit: 10) {
    __typename
    ... on Runs { results { runId status tags { key value } } }
    ... on PythonError { message }
  }
}
"""
# Runs that have not read chat.db yet (they read whatever arrives meanwhile), and runs reading.
WAITING = ("QUEUED", "NOT_STARTED", "STARTING")
IN_PROGRESS = (*WAITING, "STARTED")

FileStat = tuple[int, int] | None
Signature = tuple[FileStat, ...]


# How often chat.db and its WAL are looked at.
WATCH_SECONDS = 1.0


def file_stat(path: Path) -> FileStat:
    """(mtime_ns, size) of a file, None where missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def file_signature(chat_db: Path) -> Signature:
    """(mtime_ns, size) of chat.db and of its WAL (None where missing): what a new SMS changes."""
    return file_stat(chat_db), file_stat(chat_db.with_name(chat_db.name + "-wal"))


def launch_bank_sms_job(
    ui_port: int, location: str, newest_rowid: int, *, timeout: float = 10.0
) -> str:
    """Launch `bank_sms_job` through the Dagster UI's GraphQL API; returns the run id.

    Raises LaunchError when the UI is not reachable or answers with an error.
    """
    tags = {
        SOURCE_TAG[0]: SOURCE_TAG[1],
        LAUNCHED_BY_TAG[0]: LAUNCHED_BY_TAG[1],
        ROWID_TAG: str(newest_rowid),
    }
    return launch_job(ui_port, location, JOB_NAME, tags, timeout=timeout)


class RunInProgress(NamedTuple):
    """A `bank_sms_job` run not finished yet, as the UI lists it."""

    run_id: str
    status: str  # a Dagster run status name: QUEUED, NOT_STARTED, STARTING, STARTED
    rowid: int | None  # its ROWID tag: the newest bank SMS when it was launched


def runs_in_progress(ui_port: int, *, timeout: float = 10.0) -> list[RunInProgress]:
    """The job's runs queued, starting or started, through the UI's GraphQL API."""
    variables = {"filter": {"pipelineName": JOB_NAME, "statuses": list(IN_PROGRESS)}}
    answer = graphql(ui_port, RUNS_IN_PROGRESS, variables, timeout)
    result = (answer.get("data") or {}).get("runsOrError") or {}
    if result.get("__typename") != "Runs":
        kind = str(result.get("__typename") or "graphql")
        message = result.get("message") or json.dumps(answer.get("errors") or answer)[:300]
        raise LaunchError(kind, f"the Dagster UI did not list the runs: {kind}: {message}")
    runs = []
    for run in result.get("results") or []:
        tags = {t["key"]: t["value"] for t in run.get("tags") or []}
        tag = tags.get(ROWID_TAG, "")
        runs.append(
            RunInProgress(
                str(run["runId"]), str(run["status"]), int(tag) if tag.isdigit() else None
            )
        )
    return runs


def taken_by(runs: list[RunInProgress], news: News) -> RunInProgress | None:
    """The run in progress that will take `news`, if one will: one that has not started yet
    (it reads whatever is there when it does), or one launched for this news or later."""
    for run in runs:
        if run.status in WAITING:
            return run
    for run in runs:
        if run.rowid is not None and run.rowid >= news.newest:
            return run
    return None


class SmsWatcher:
    """The loop; shaped like a `socketserver` server so the supervisor runs it on a thread.

    `launch(rowid) -> run id` starts the job; `in_progress()` lists the job's runs not finished;
    `warehouse` is the warehouse file (the ingest's cursor file lies beside it); `settings`
    are the files the settings are read from and `check_settings()` returns their error, or
    None when they load; `log` gets one line per launch and one per new kind of error; `clock`
    is the monotonic clock of the retry delay.
    """

    def __init__(
        self,
        chat_db: Path,
        headers: Collection[str],
        launch: Callable[[int], str],
        log: Callable[[str], None],
        *,
        warehouse: Path,
        in_progress: Callable[[], list[RunInProgress]] = list,
        settings: Sequence[Path] = (),
        check_settings: Callable[[], str | None] = lambda: None,
        clock: Callable[[], float] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.chat_db, self.headers = Path(chat_db), list(headers)
        self.warehouse = Path(warehouse)
        self.launch, self.in_progress, self.log = launch, in_progress, log
        self.settings, self.check_settings = [Path(p) for p in settings], check_settings
        self.clock = clock or time.monotonic
        self.on_close = on_close
        self.signature: Signature | None = None
        self.settings_signature: Signature | None = None
        self.settings_error: str | None = None
        # The news (and settings) a run was launched for, or found already taking: nothing more
        # is launched for it, even if that run fails, until something changes.
        self.handled: tuple[News, Signature] | None = None
        self.started = False
        self.retry_at = 0.0
        self.reported: set[str] = set()
        self._stop = threading.Event()
        self._done = threading.Event()

    def _error(self, kind: str, message: str) -> None:
        if kind not in self.reported:
            self.reported.add(kind)
            self.log(f"{message} (logged once until it works again; the sensor is the safety net)")

    def _clear(self, prefix: str) -> None:
        self.reported = {k for k in self.reported if not k.startswith(prefix)}

    def _signature(self) -> tuple[Signature, Signature]:
        files = (
            *file_signature(self.chat_db),
            file_stat(cursor_file(self.warehouse)),
        )
        return files, tuple(file_stat(p) for p in self.settings)

    def _look_at_settings(self, signature: Signature) -> None:
        if signature == self.settings_signature:
            return
        first = self.settings_signature is None
        self.settings_signature = signature
        error, self.settings_error = self.settings_error, self.check_settings()
        if self.settings_error is not None:
            self._clear("settings")  # a new error is said again
            self._error(
                "settings",
                f"the settings do not load, so no {JOB_NAME} run is launched until they do: "
                f"{self.settings_error}",
            )
        elif error is not None or (not first and "settings" in self.reported):
            self._clear("settings")
            self.log("the settings load again: looking for bank SMS news")

    def step(self) -> str | None:
        """One look: returns the run id when it launched one."""
        if self.clock() < self.retry_at:
            return None
        files, settings = self._signature()
        if (files, settings) == self.signature:
            return None
        self._look_at_settings(settings)
        try:
            news = find_news(self.chat_db, self.headers, read_stored_cursor(self.warehouse))
        except Exception as exc:  # chat.db missing, unreadable, mid-write: never end the loop
            self._error(f"chat.db:{type(exc).__name__}", f"cannot read {self.chat_db}: {exc}")
            self.signature = (files, settings)  # the next change tries again
            return None
        self._clear("chat.db:")
        if not self.started:
            self.started = True
            self.log(
                f"watching {self.chat_db}: "
                + (news.describe() if news else "every bank SMS in it is stored")
            )
        if news is None or self.settings_error is not None or self.handled == (news, settings):
            self.signature = (files, settings)
            return None
        try:
            taker = taken_by(self.in_progress(), news)
            if taker is None:
                run_id = self.launch(news.newest)
        except LaunchError as exc:
            self._error(f"launch:{exc.kind}", str(exc))
            self.retry_at = self.clock() + RETRY_SECONDS  # signature kept stale: retried then
            return None
        self._clear("launch:")
        self.handled, self.signature = (news, settings), (files, settings)
        if taker is not None:
            return None  # no log line: in a burst this is most SMS
        self.log(f"launched {JOB_NAME} run {run_id} for {news.describe()}")
        return run_id

    def serve_forever(self, poll_interval: float = 1.0) -> None:
        """Look every second until `shutdown`.

        `poll_interval` (the supervisor's, for servers) is ignored: a look a second is what keeps
        a new SMS's way to the feed short, and it costs two `stat` calls.
        """
        del poll_interval
        self._done.clear()
        try:
            while not self._stop.is_set():
                try:
                    self.step()
                except Exception as exc:  # a bug here must not cost the service its watcher
                    self._error(f"bug:{type(exc).__name__}", f"sms-watch step failed: {exc!r}")
                self._stop.wait(WATCH_SECONDS)
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop the loop and wait for it to end (≤ one step)."""
        self._stop.set()
        self._done.wait(timeout=15)

    def server_close(self) -> None:
        """Release the log file."""
        if self.on_close is not None:
            self.on_close()


def make_sms_watcher(
    chat_db: Path,
    headers: Collection[str],
    ui_port: int,
    location: str,
    log_file: Path,
    warehouse: Path,
    settings: Sequence[Path] = (),
    check_settings: Callable[[], str | None] = lambda: None,
) -> SmsWatcher:
    """The service's watcher, logging to `log_file` (rotated) and launching through the UI."""
    from pipeline.service.supervisor import rotating_logger

    logger = rotating_logger("sms-watch", log_file, "%(asctime)s %(message)s")

    def close() -> None:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)

    def launch(rowid: int) -> str:
        return launch_bank_sms_job(ui_port, location, rowid)

    return SmsWatcher(
        chat_db,
        headers,
        launch,
        logger.info,
        warehouse=warehouse,
        in_progress=lambda: runs_in_progress(ui_port),
        settings=settings,
        check_settings=check_settings,
        on_close=close,
    )
