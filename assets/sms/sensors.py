"""The sensor that replaces "run the expenses script every 60 s": a run only when there is news
(bank SMS in chat.db that the warehouse has not stored)."""

import datetime as dt
import hashlib
import json
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

from assets.common.resources import Warehouse
from assets.sms.chatdb import ChatDbUnreadableError
from assets.sms.news import find_news, read_stored_cursor
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
# A run in these states has not read chat.db yet: it will read whatever arrives meanwhile.
WAITING = (DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING)
# A run that failed on news is asked for again after this long (a settings error fails at once
# and is not worth a run a minute; a fix reloads the code server, which asks at once).
FAILED_RETRY_AFTER = dt.timedelta(minutes=10)


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
    warehouse: Warehouse,
    now: Callable[[], dt.datetime] = _utc_now,
    *,
    watched: bool = False,
) -> SensorDefinition:
    """The sensor on chat.db's bank SMS, starting `job` when the warehouse lacks some.

    News is judged against what the ingest stored (its cursor file, `assets.sms.news`), never
    against this sensor's own cursor: a run that failed took nothing. chat.db and the bank
    senders come from `messages`, the warehouse from `warehouse` (the configured resource
    objects, held by the sensor rather than declared as resource parameters: a sensor with
    resource parameters makes Dagster build a whole instance, SQLite storages and schema checks,
    on every tick, most of the code server's idle CPU); `now` is the clock for the failure
    throttle and the retry delay. The job is the caller's: the domain that owns it wires this
    sensor. `watched` (the service's chat.db watcher launches the job itself) makes it a slow
    safety net: WATCHED_INTERVAL_SECONDS.

    Bursts coalesce: while a run of the job waits to start it will read everything, so news
    waits for it; a run in progress that was launched for the news takes it too. At most one
    run waits and one runs. A run that failed on the news is asked for again after
    FAILED_RETRY_AFTER, or at the first tick of a reloaded code server (a settings fix).
    """
    # The code server keeps one Definitions for its life, so this outlives a tick.
    last_failure: dict[str, dt.datetime] = {}
    loaded_at = now()

    @sensor(
        name="bank_sms_sensor",
        job=job,
        minimum_interval_seconds=(
            WATCHED_INTERVAL_SECONDS if watched else SMS_SENSOR_INTERVAL_SECONDS
        ),
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Starts {job.name} when chat.db has bank SMS the warehouse has not stored.",
    )
    def bank_sms_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        chat_db, headers = Path(messages.chat_db), messages.bank_headers
        skip = missing_chat_db_reason(chat_db)
        if skip is not None:
            return skip
        try:
            news = find_news(chat_db, headers, read_stored_cursor(warehouse.file))
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
        if news is None:
            return SkipReason(f"SKIPPED: every bank SMS in {chat_db} is stored")
        context.update_cursor(str(news.newest))  # shown in the UI: the newest news seen
        reason = news_taken(context, job.name, news.newest, loaded_at, now())
        if reason is not None:
            return SkipReason(f"SKIPPED: {news.describe()}; {reason}")
        return RunRequest(tags={ROWID_TAG: str(news.newest)})

    return bank_sms_sensor


def news_taken(
    context: SensorEvaluationContext,
    job_name: str,
    newest: int,
    loaded_at: dt.datetime,
    moment: dt.datetime,
) -> str | None:
    """Why no run is needed for news up to `newest`, or None when one is.

    Two queries on the runs table (job name and status), only when there is news.
    """
    instance = context.instance
    waiting = instance.get_runs(RunsFilter(job_name=job_name, statuses=list(WAITING)), limit=1)
    if waiting:
        return f"run {waiting[0].run_id} has not started yet and will read it"
    records = instance.get_run_records(RunsFilter(job_name=job_name), limit=1)
    if not records:
        return None
    record = records[0]
    run, tag = record.dagster_run, record.dagster_run.tags.get(ROWID_TAG, "")
    if not tag.isdigit() or int(tag) < newest:
        return None  # launched before this news: a run in progress may have read past it
    if not run.is_finished:
        return f"run {run.run_id} was launched for it"
    if run.status == DagsterRunStatus.SUCCESS:
        return None  # it succeeded and the news is still there: the warehouse is judge
    end = record.end_time or record.update_timestamp.timestamp()
    ended = dt.datetime.fromtimestamp(end, dt.UTC)
    if record.create_timestamp < loaded_at or moment - ended >= FAILED_RETRY_AFTER:
        return None
    retry = ended + FAILED_RETRY_AFTER
    return (
        f"run {run.run_id} on it ended {run.status.value} at {ended:%H:%M} UTC; asked again at "
        f"{retry:%H:%M} UTC, or at once when the code server reloads (after a settings fix)"
    )


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


def run_once_for(
    context: SensorEvaluationContext,
    job_name: str,
    tag: str,
    fingerprint: str,
    moment: dt.datetime,
    reads: str,
    failed_on: str,
) -> RunRequest | SkipReason:
    """A run of `job_name` tagged `tag=fingerprint` (what the news is), unless one waits or runs
    (it will read it) or one on the same news failed less than FAILED_RETRY_AFTER ago."""
    instance = context.instance
    busy = instance.get_runs(
        RunsFilter(job_name=job_name, statuses=[*WAITING, DagsterRunStatus.STARTED]), limit=1
    )
    if busy:
        return SkipReason(f"SKIPPED: run {busy[0].run_id} will read {reads}")
    records = instance.get_run_records(
        RunsFilter(job_name=job_name, tags={tag: fingerprint}), limit=1
    )
    if records and records[0].dagster_run.status == DagsterRunStatus.FAILURE:
        end = records[0].end_time or records[0].update_timestamp.timestamp()
        if moment - dt.datetime.fromtimestamp(end, dt.UTC) < FAILED_RETRY_AFTER:
            return SkipReason(
                f"SKIPPED: run {records[0].dagster_run.run_id} on {failed_on} failed; "
                f"asked again {FAILED_RETRY_AFTER.seconds // 60} min after it"
            )
    return RunRequest(tags={tag: fingerprint})


ANDROID_SENSOR_INTERVAL_SECONDS = 60  # backup apps write hourly or daily: a minute is prompt
ANDROID_TAG = "homeclerk/android_inbox"


def build_android_sms_sensor(
    job: Any,
    messages: MessagesSource,
    warehouse: Warehouse,
    now: Callable[[], dt.datetime] = _utc_now,
) -> SensorDefinition:
    """The sensor on `[sources.android] inbox`, starting `job` when a backup there is new or
    changed since the ingest last read it (judged against the list the ingest writes beside
    the warehouse, so a run that failed took nothing). One run at a time; a run that failed on
    the same files is asked for again after FAILED_RETRY_AFTER."""

    @sensor(
        name="android_sms_sensor",
        job=job,
        # Not configured: an hourly skip (a new inbox setting reloads the code server).
        minimum_interval_seconds=(
            ANDROID_SENSOR_INTERVAL_SECONDS if messages.android_inbox else 3600
        ),
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            f"Starts {job.name} when [sources.android] inbox holds an Android SMS backup that "
            "is new or changed."
        ),
    )
    def android_sms_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        from assets.sms.android_ingest import inbox_listing, read_seen

        if not messages.android_inbox:
            return SkipReason("SKIPPED: no [sources.android] inbox configured")
        inbox = Path(messages.android_inbox)
        if not inbox.is_dir():
            return SkipReason(
                f"SKIPPED: {inbox} ([sources.android] inbox) is not a folder yet (fix: create "
                "it and point SMS Backup & Restore's backup folder or sync there)"
            )
        listing, seen = inbox_listing(inbox), read_seen(warehouse.file)
        waiting = sorted(name for name, stamp in listing.items() if seen.get(name) != stamp)
        if not waiting:
            return SkipReason(f"SKIPPED: every backup in {inbox} is read")
        stamp = json.dumps({name: listing[name] for name in waiting}, sort_keys=True)
        fingerprint = hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()
        return run_once_for(
            context, job.name, ANDROID_TAG, fingerprint, now(), f"{waiting[0]} …", "these backups"
        )

    return android_sms_sensor


# The webhook answers a forwarder app at once; the run that stores the SMS follows within this.
WEBHOOK_SENSOR_INTERVAL_SECONDS = 10
# Without `[sources.webhook]` there is nothing to look at: a tick now and then says so.
WEBHOOK_UNCONFIGURED_INTERVAL_SECONDS = 600
WEBHOOK_TAG = "homeclerk/webhook_spool"


def build_webhook_sms_sensor(
    job: Any,
    messages: MessagesSource,
    now: Callable[[], dt.datetime] = _utc_now,
) -> SensorDefinition:
    """The sensor on the SMS webhook's spool, starting `job` when it holds messages (the ingest
    empties it after each run, so a spool with lines is news: one `stat`). One run at a time;
    a run that failed on the same spool is asked for again after FAILED_RETRY_AFTER, or at once
    when a new message arrives."""

    @sensor(
        name="webhook_sms_sensor",
        job=job,
        minimum_interval_seconds=(
            WEBHOOK_SENSOR_INTERVAL_SECONDS
            if messages.webhook_spool
            else WEBHOOK_UNCONFIGURED_INTERVAL_SECONDS
        ),
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            f"Starts {job.name} when the SMS webhook ([sources.webhook]) has spooled messages "
            f"(every {WEBHOOK_SENSOR_INTERVAL_SECONDS} s once configured)."
        ),
    )
    def webhook_sms_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        if not messages.webhook_spool:
            return SkipReason("SKIPPED: no [sources.webhook] configured")
        spool = Path(messages.webhook_spool) / "spool.jsonl"
        try:
            info = spool.stat()
        except OSError:
            return SkipReason("SKIPPED: nothing spooled yet")
        if not info.st_size:
            return SkipReason("SKIPPED: every spooled SMS is stored")
        fingerprint = f"{info.st_ino}-{info.st_size}-{info.st_mtime_ns}"
        return run_once_for(
            context, job.name, WEBHOOK_TAG, fingerprint, now(), "the spool", "this spool"
        )

    return webhook_sms_sensor
