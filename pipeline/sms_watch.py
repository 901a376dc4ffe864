"""The chat.db watcher: a thread of `homeclerk serve` that launches `bank_sms_job` within a second.

The sensor alone waits for the Dagster daemon's sensor loop (5 s, fixed in Dagster), and ticking
it every 4-5 s was most of the service's idle CPU (a gRPC call and tick rows each time). This
loop costs two `stat` calls a second: only when chat.db or its WAL changed does it read the
newest bank ROWID (the sensor's own query), and only when that is above the last one it launched
for does it ask the Dagster UI's GraphQL API for a run (`launchRun`), tagged with the ROWID so
the sensor, kept as a slow safety net, does not start the same run again.

Plain stdlib (no Dagster import): it runs inside the supervisor, whose memory is in the idle
budget. Errors (the UI not up yet, chat.db unreadable) are logged once per kind and never end
the loop.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection
from pathlib import Path

from assets.sms.chatdb import newest_bank_rowid

JOB_NAME = "bank_sms_job"
REPOSITORY_NAME = "__repository__"  # what Dagster names a module's single Definitions
SOURCE_TAG = ("homeclerk/source", "sms-watch")
ROWID_TAG = "homeclerk/newest_rowid"
# After a failed launch, the next attempt (for the same news) waits this long.
RETRY_SECONDS = 5.0

LAUNCH_RUN = """
mutation HomeclerkSmsWatchLaunch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}
"""

Signature = tuple[tuple[int, int] | None, tuple[int, int] | None]


class LaunchError(Exception):
    """The UI did not start the run; `kind` groups repeats of one cause for the log."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# How often chat.db and its WAL are looked at.
WATCH_SECONDS = 1.0


def file_signature(chat_db: Path) -> Signature:
    """(mtime_ns, size) of chat.db and of its WAL (None where missing): what a new SMS changes."""

    def one(path: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    return one(chat_db), one(chat_db.with_name(chat_db.name + "-wal"))


def launch_bank_sms_job(
    ui_port: int, location: str, newest_rowid: int, *, timeout: float = 10.0
) -> str:
    """Launch `bank_sms_job` through the Dagster UI's GraphQL API; returns the run id.

    Raises LaunchError when the UI is not reachable or answers with an error.
    """
    variables = {
        "executionParams": {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": REPOSITORY_NAME,
                "jobName": JOB_NAME,
            },
            "runConfigData": {},
            "executionMetadata": {
                "tags": [
                    {"key": SOURCE_TAG[0], "value": SOURCE_TAG[1]},
                    {"key": ROWID_TAG, "value": str(newest_rowid)},
                ]
            },
        }
    }
    body = json.dumps({"query": LAUNCH_RUN, "variables": variables}).encode()
    # urllib sends `Host: 127.0.0.1:<port>`, the name the UI's Host check accepts.
    request = urllib.request.Request(
        f"http://127.0.0.1:{ui_port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise LaunchError("http", f"the Dagster UI answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LaunchError(
            "unreachable", f"the Dagster UI on 127.0.0.1:{ui_port} is not reachable ({reason})"
        ) from None
    except ValueError:
        raise LaunchError("answer", "the Dagster UI answered something that is not JSON") from None
    result = (answer.get("data") or {}).get("launchRun") or {}
    if result.get("__typename") == "LaunchRunSuccess":
        return str(result["run"]["runId"])
    kind = str(result.get("__typename") or "graphql")
    message = result.get("message") or json.dumps(answer.get("errors") or answer)[:300]
    raise LaunchError(kind, f"the Dagster UI did not launch {JOB_NAME}: {kind}: {message}")


class SmsWatcher:
    """The loop; shaped like a `socketserver` server so the supervisor runs it on a thread.

    `launch(rowid) -> run id` starts the job; `log` gets one line per launch and one per new
    kind of error; `clock` is the monotonic clock of the retry delay.
    """

    def __init__(
        self,
        chat_db: Path,
        headers: Collection[str],
        launch: Callable[[int], str],
        log: Callable[[str], None],
        *,
        clock: Callable[[], float] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.chat_db, self.headers = Path(chat_db), list(headers)
        self.launch, self.log = launch, log
        self.clock = clock or time.monotonic
        self.on_close = on_close
        self.signature: Signature | None = None
        self.launched: int | None = None  # the ROWID last launched for (or seen at start)
        self.retry_at = 0.0
        self.reported: set[str] = set()
        self._stop = threading.Event()
        self._done = threading.Event()

    def _error(self, kind: str, message: str) -> None:
        if kind not in self.reported:
            self.reported.add(kind)
            self.log(f"{message} (logged once until it works again; the sensor is the safety net)")

    def step(self) -> str | None:
        """One look at chat.db: returns the run id when it launched one."""
        if self.clock() < self.retry_at:
            return None
        signature = file_signature(self.chat_db)
        if signature == self.signature:
            return None
        try:
            newest = newest_bank_rowid(self.chat_db, self.headers)
        except Exception as exc:  # chat.db missing, unreadable, mid-write: never end the loop
            self._error(f"chat.db:{type(exc).__name__}", f"cannot read {self.chat_db}: {exc}")
            self.signature = signature  # the next change tries again
            return None
        self.reported = {k for k in self.reported if not k.startswith("chat.db:")}
        if self.launched is None:
            # At start: what is there is the sensor's backlog, not news.
            self.launched, self.signature = newest, signature
            self.log(f"watching {self.chat_db}: newest bank SMS ROWID {newest}")
            return None
        if newest <= self.launched:
            self.signature = signature
            return None
        try:
            run_id = self.launch(newest)
        except LaunchError as exc:
            self._error(f"launch:{exc.kind}", str(exc))
            self.retry_at = self.clock() + RETRY_SECONDS  # signature kept stale: retried then
            return None
        self.reported = {k for k in self.reported if not k.startswith("launch:")}
        self.launched, self.signature = newest, signature
        self.log(f"launched {JOB_NAME} run {run_id} for bank SMS ROWID {newest}")
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
    chat_db: Path, headers: Collection[str], ui_port: int, location: str, log_file: Path
) -> SmsWatcher:
    """The service's watcher, logging to `log_file` (rotated) and launching through the UI."""
    from .service import rotating_logger

    logger = rotating_logger("sms-watch", log_file, "%(asctime)s %(message)s")

    def close() -> None:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)

    def launch(rowid: int) -> str:
        return launch_bank_sms_job(ui_port, location, rowid)

    return SmsWatcher(chat_db, headers, launch, logger.info, on_close=close)
