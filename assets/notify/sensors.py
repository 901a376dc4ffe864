"""Dagster sensors that feed and empty the notification outbox.

Every domain describes its own incidents as an `IncidentSource` (`incident_source`: the power
domain for an outage, backup for a missing snapshot…; `announcement_source`: the Sunday review):
a plain function lists what is wrong now, the source opens and clears the incidents under its
prefix. One sensor, `notify_incidents`, looks at every source that is due in one tick and then
sends what waits (quiet hours over, a retry due, an incident the service wrote) and the
reminders. Here too: the failed-run sensors. The `notifier` is held by each sensor rather than
declared as a resource parameter (which would build a Dagster instance on every tick).
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from assets.notify.incidents import (
    Problem,
    State,
    announce,
    clear_incident,
    open_incident,
    sync_incidents,
)
from assets.notify.resources import Notifier

# The sensor daemon loops every 5 s; a failed run is noticed within this plus one loop, and its
# message sent in the same tick (the target: within 60 s of the failure).
RUN_SENSOR_INTERVAL_SECONDS = 30
DELIVERY_INTERVAL_SECONDS = 60  # notify_incidents: delivery, and the pace of its fastest source
SOURCE_INTERVAL_SECONDS = 120
# With no channel configured every tick only skips: once an hour keeps the idle service cheap
# (each tick is a call into the code server). Configuring a channel edits homeclerk.toml, which
# reloads the code server and these definitions with the short intervals.
UNCONFIGURED_INTERVAL_SECONDS = 3600

Now = Callable[[], dt.datetime]


def every(notifier: Notifier, seconds: int) -> int:
    """A sensor's interval: `seconds` when a channel is configured, else once an hour."""
    return seconds if notifier.ntfy_url or notifier.smtp_host else UNCONFIGURED_INTERVAL_SECONDS


def _logger(context: Any) -> Callable[[str], None]:
    """Delivery lines into the sensor's log: a sent message as info, anything else a warning."""

    def log(line: str) -> None:
        (context.log.info if line.startswith("sent ") else context.log.warning)(line)

    return log


def _skip(notifier: Notifier, lines: list[str], idle: str) -> SkipReason:
    return SkipReason("; ".join(lines) if lines else idle)


def _unconfigured(notifier: Notifier) -> SkipReason | None:
    if notifier.ntfy_url or notifier.smtp_host:
        return None
    return SkipReason(
        "SKIPPED: no channel in [notify] (ntfy_url or smtp_host): run `homeclerk notify test` "
        "for the lines to paste"
    )


Changes = Callable[[dt.datetime, SensorEvaluationContext], tuple[Callable[[State], list[str]], str]]
# The daemon's sensor loop runs every 5 s, so a tick comes up to that late: a source is due
# this much before its interval has passed, or it would skip a whole tick.
DUE_SLACK = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class IncidentSource:
    """One thing `notify_incidents` looks at every `interval` seconds: `changes(now, context)`
    gives the update to the notify state and the text to show when it changed nothing."""

    name: str
    interval: int
    changes: Changes


def incident_source(
    name: str,
    prefix: str,
    problems: Callable[[dt.datetime, SensorEvaluationContext], Mapping[str, Problem]],
    interval: int = SOURCE_INTERVAL_SECONDS,
) -> IncidentSource:
    """A source making the open incidents under `prefix` those `problems(now, context)` lists."""

    def changes(
        moment: dt.datetime, context: SensorEvaluationContext
    ) -> tuple[Callable[[State], list[str]], str]:
        found = problems(moment, context)
        return (
            lambda state: sync_incidents(state, prefix, found, moment),
            f"no change: {len(found)} open under {prefix}",
        )

    return IncidentSource(name, interval, changes)


def announcement_source(
    name: str,
    announcements: Callable[[dt.datetime], Mapping[str, Problem]],
    interval: int = SOURCE_INTERVAL_SECONDS,
) -> IncidentSource:
    """A source sending each message `announcements(now)` lists once per key, ever."""

    def changes(
        moment: dt.datetime, context: SensorEvaluationContext
    ) -> tuple[Callable[[State], list[str]], str]:
        found = announcements(moment)
        return (
            lambda state: [
                f"announced {key}"
                for key, note in found.items()
                if announce(state, key, note, moment)
            ],
            f"nothing new to announce ({len(found)} already sent)",
        )

    return IncidentSource(name, interval, changes)


def due_sources(
    sources: Sequence[IncidentSource], last: Mapping[str, dt.datetime], moment: dt.datetime
) -> list[IncidentSource]:
    """The sources whose interval has passed since `last` looked at them (never: due)."""
    return [
        source
        for source in sources
        if source.name not in last
        or moment - last[source.name] + DUE_SLACK >= dt.timedelta(seconds=source.interval)
    ]


class IncidentSourceError(Exception):
    """An incident source failed in a `notify_incidents` tick (the others and delivery ran)."""


def build_incidents_sensor(
    notifier: Notifier, now: Now, sources: Sequence[IncidentSource]
) -> SensorDefinition:
    """`notify_incidents`: in one tick, every source that is due (each at its own interval)
    applied to the notify state in one locked change, then what waits delivered (quiet hours
    over, a retry due, an incident the service wrote, reminders). One sensor instead of one per
    source: the daemon evaluates fewer sensors and the state file is locked once a tick."""
    names = [source.name for source in sources]
    if len(set(names)) != len(names):
        raise ValueError(f"notify incident sources named twice: {sorted(names)} (rename one)")
    # When each source was last looked at; the code server keeps its Definitions for its life
    # (a restarted one looks at every source at its first tick, which changes nothing twice).
    last: dict[str, dt.datetime] = {}

    @sensor(
        name="notify_incidents",
        minimum_interval_seconds=every(notifier, DELIVERY_INTERVAL_SECONDS),
        default_status=DefaultSensorStatus.RUNNING,
        description="Opens and clears the incidents of every source (stale feeds, power outage, "
        "missing backup, balance gap, the Sunday review), each at its own interval, and sends "
        "what waits: messages held by quiet hours, failed deliveries due a retry, incidents "
        "the service wrote, and reminders of what is still wrong.",
    )
    def notify_incidents(context: SensorEvaluationContext) -> SkipReason:
        unconfigured = _unconfigured(notifier)
        if unconfigured is not None:
            return unconfigured
        moment = now()
        updates: list[Callable[[State], list[str]]] = []
        idle: list[str] = []
        failed: list[str] = []
        for source in due_sources(sources, last, moment):
            try:
                update, quiet = source.changes(moment, context)
            except Exception as exc:  # one broken source must not stop the others or delivery
                context.log.exception(f"incident source {source.name} failed")
                failed.append(f"{source.name}: {type(exc).__name__}: {exc}")
                continue
            last[source.name] = moment
            updates.append(update)
            idle.append(f"{source.name}: {quiet}")
        sent: list[str] = []

        def log(line: str) -> None:
            (context.log.info if line.startswith("sent ") else context.log.warning)(line)
            if line.startswith("sent "):
                sent.append(line)

        lines = notifier.change(
            lambda state: [line for update in updates for line in update(state)], moment, log
        )
        for line in lines:
            context.log.info(line)
        if failed:
            # Red in the UI, after the other sources and the delivery have run.
            raise IncidentSourceError(
                "incident source(s) failed (the others ran): " + "; ".join(failed)
            )
        return _skip(notifier, lines + sent, "; ".join(idle) or "nothing to send")

    return notify_incidents


def build_notify_sensors(notifier: Notifier, now: Now, ui_url: str) -> list:
    """The notify domain's run sensors: a failed run opens its job's incident, a success of the
    job clears it (Dagster's run status sensors, which read the run events themselves)."""

    @run_failure_sensor(
        name="notify_run_failure",
        minimum_interval_seconds=every(notifier, RUN_SENSOR_INTERVAL_SECONDS),
        default_status=DefaultSensorStatus.RUNNING,
        # A run from `homeclerk materialize` has no code location origin: Dagster would skip
        # it here without this (homeclerk has one location, so "all" is this one).
        monitor_all_code_locations=True,
        description="A message when a run fails (one per job until a run of it succeeds).",
    )
    def notify_run_failure(context: RunFailureSensorContext) -> None:
        if _unconfigured(notifier) is not None:
            return
        run = context.dagster_run
        job = run_label(run, context.instance)
        problem = failed_run_problem(job, run.run_id, _failure_text(context), ui_url)
        moment = now()

        def update(state: State) -> list[str]:
            return (
                [f"opened run:{job}"] if open_incident(state, f"run:{job}", problem, moment) else []
            )

        notifier.change(update, moment, _logger(context))

    @run_status_sensor(
        name="notify_run_success",
        run_status=DagsterRunStatus.SUCCESS,
        minimum_interval_seconds=every(notifier, RUN_SENSOR_INTERVAL_SECONDS),
        default_status=DefaultSensorStatus.RUNNING,
        # A run from `homeclerk materialize` has no code location origin: Dagster would skip
        # it here without this (homeclerk has one location, so "all" is this one).
        monitor_all_code_locations=True,
        description="Clears a job's failed-run incident when a run of it succeeds.",
    )
    def notify_run_success(context: RunStatusSensorContext) -> None:
        if _unconfigured(notifier) is not None:
            return
        run, moment = context.dagster_run, now()
        label = run_label(run, context.instance)

        def update(state: State) -> list[str]:
            key = f"run:{label}"
            done = clear_incident(state, key, moment, f"Run {run.run_id[:8]} of {label} succeeded.")
            return [f"cleared {key}"] if done else []

        notifier.change(update, moment, _logger(context))

    return [notify_run_failure, notify_run_success]


def run_label(run: Any, instance: Any = None) -> str:
    """The job's name; for a run of chosen assets (`homeclerk materialize`, the UI), whose job is
    one of Dagster's hidden ones (`__ASSET_JOB`, `__ephemeral_asset_job__`), the assets it ran
    (its asset selection, else the steps of its plan)."""
    if not run.job_name.startswith("__"):
        return run.job_name
    keys = sorted(key.to_user_string() for key in (run.asset_selection or ()))
    if not keys and instance is not None and run.execution_plan_snapshot_id:
        plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
        keys = sorted(step.key for step in plan.steps)
    if not keys:
        return "assets"
    return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


def failed_run_problem(job: str, run_id: str, error: str, ui_url: str) -> Problem:
    """The message for a failed run of `job`: the error's first line and the run's page."""
    return Problem(
        f"Run failed: {job}",
        f"Run {run_id[:8]} of {job} failed: {error}",
        f"{ui_url.rstrip('/')}/runs/{run_id}" if ui_url else "",
        urgent=True,
    )


def _failure_text(context: RunFailureSensorContext) -> str:
    """The first step error's first line (else the run's failure message), at most 300 chars."""
    text = context.failure_event.message or "the run failed"
    for event in context.get_step_failure_events():
        error = getattr(event.event_specific_data, "error", None)
        # Dagster wraps the op's exception ("Error occurred while executing op"): its cause
        # is what the owner needs to read.
        while error is not None and error.cause is not None:
            error = error.cause
        if error is not None and error.message:
            text = f"step {event.step_key}: {error.message}"
            break
    first = text.strip().splitlines()[0] if text.strip() else "the run failed"
    return first[:300]
