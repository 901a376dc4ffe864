"""The sensor that replaces "run the expenses script every 60 s": a run only when there is news."""

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from assets.sms.chatdb import ChatDbUnreadableError, newest_bank_rowid
from assets.sms.resources import MessagesSource

# The sensor daemon loops every 5 s; asking for ≥ 4 s makes every loop tick (asking for 5 s
# skips every other loop whose evaluation ran a little late, i.e. 10 s). One tick is a single
# indexed SQLite query. Budget for 10 s: tick ≤ 5 s, dequeue ≤ 2 s, run start ~2.5 s, run ~2 s.
SMS_SENSOR_INTERVAL_SECONDS = 4
# Under `homeclerk serve`, its chat.db watcher launches the job within ~1 s (set in this
# environment variable for the code server); the sensor is then a safety net, and ticking every
# 4 s was most of the idle service's CPU.
SMS_WATCH_ENV = "HOMECLERK_SMS_WATCH"
WATCHED_INTERVAL_SECONDS = 60
ROWID_TAG = "homeclerk/newest_rowid"
# A run in these states took nothing (or gave up): the sensor asks again.
_DEAD = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


def sms_watch_on(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the service's chat.db watcher runs (`homeclerk serve` sets SMS_WATCH_ENV=1)."""
    return environ.get(SMS_WATCH_ENV) == "1"


# A chat.db that is there but unreadable (no Full Disk Access) fails a tick, red in the UI, with
# the fix; the same failure again within this long is a skip that points at it, so the daemon's
# log carries one stack trace per interval instead of one every 5 s (~40 lines each).
UNREADABLE_REPEAT = dt.timedelta(minutes=10)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build_bank_sms_sensor(
    job: Any,
    messages: MessagesSource,
    now: Callable[[], dt.datetime] = _utc_now,
    *,
    watched: bool = False,
) -> SensorDefinition:
    """The sensor on chat.db's newest bank ROWID, starting `job` on news.

    chat.db and the bank senders come from `messages` (the configured resource object, held by
    the sensor rather than declared as a resource parameter: a sensor with resource parameters
    makes Dagster build a whole instance, SQLite storages and schema checks, on every tick, most
    of the code server's idle CPU); `now` is the clock for the failure throttle. The job is the
    caller's: the domain that owns it wires this sensor. `watched` (the service's chat.db
    watcher launches the job itself) makes it a slow safety net: WATCHED_INTERVAL_SECONDS.

    It never asks for a run the newest live run of the job (not failed or canceled; started
    by the watcher or by hand) already took: that run's ROWID tag is at least the news.
    """
    # The code server keeps one Definitions for its life, so this outlives a tick.
    last_failure: dict[str, dt.datetime] = {}

    @sensor(
        name="bank_sms_sensor",
        job=job,
        minimum_interval_seconds=(
            WATCHED_INTERVAL_SECONDS if watched else SMS_SENSOR_INTERVAL_SECONDS
        ),
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Starts {job.name} when chat.db has a bank SMS newer than the last run's.",
    )
    def bank_sms_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        chat_db, headers = Path(messages.chat_db), messages.bank_headers
        skip = missing_chat_db_reason(chat_db)
        if skip is not None:
            return skip
        try:
            newest = newest_bank_rowid(chat_db, headers)
        except ChatDbUnreadableError as exc:
            message, moment = str(exc), now()
            since = last_failure.get(message)
            if since is not None and moment - since < UNREADABLE_REPEAT:
                return SkipReason(
                    f"SKIPPED: chat.db still unreadable; the failed tick at "
                    f"{since:%Y-%m-%d %H:%M} UTC has the fix: {message}"
                )
            last_failure.clear()
            last_failure[message] = moment
            # Unchained: the tick's error is our message, not a second SQLite/OS stack.
            raise ChatDbUnreadableError(message) from None
        last_failure.clear()
        seen = int(context.cursor or 0)
        if newest <= seen:
            return SkipReason(f"SKIPPED: no bank SMS newer than ROWID {seen} in {chat_db}")
        context.update_cursor(str(newest))
        taken = _rowid_taken(context, job.name)
        if taken is not None and taken[1] >= newest:
            return SkipReason(f"SKIPPED: the run on news {taken[0]} already took ROWID {newest}")
        return RunRequest(run_key=f"bank-sms-{newest}", tags={ROWID_TAG: str(newest)})

    return bank_sms_sensor


def _rowid_taken(context: SensorEvaluationContext, job_name: str) -> tuple[str, int] | None:
    """(run id, ROWID tag) of the job's newest run that is not failed or canceled, if tagged."""
    # One query on the runs table (job name and status), newest first; only on news.
    statuses = [s for s in DagsterRunStatus if s not in _DEAD]
    runs = context.instance.get_runs(RunsFilter(job_name=job_name, statuses=statuses), limit=1)
    if not runs:
        return None
    tag = runs[0].tags.get(ROWID_TAG, "")
    return (runs[0].run_id, int(tag)) if tag.isdigit() else None


def missing_chat_db_reason(chat_db: Path) -> SkipReason | None:
    """A skip, with the fix, when chat.db is not there at all (not configured on this machine).

    Not being there is a setup state, not an outage: a calm skip every tick instead of a failed
    tick with a traceback every 5 s. A file that is there but unreadable is not covered here.
    """
    try:
        os.stat(chat_db)
    except FileNotFoundError:
        return SkipReason(
            f"SKIPPED: chat.db not found at {chat_db} (fix: set `[messages] chat_db` in "
            "homeclerk.toml to the Messages database; on a Mac it is ~/Library/Messages/chat.db)"
        )
    except OSError:
        return None  # there, but not ours to read: the reader raises the Full Disk Access fix
    return None
