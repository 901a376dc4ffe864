"""Runs a stop interrupts: named in the service log, marked so they are no failure.

On a stop, `serve` lets the code server's run workers finish (up to `RUN_STOP_GRACE_SECONDS`)
before it signals the code server. A run still going then is tagged `INTERRUPTED_TAG` before its
worker is stopped; it still ends FAILURE in Dagster's terms (its worker reports it, or the run
reaper fails it at the next start), which is what makes the daemon's run retries launch it again
at the next start. `doctor` and the weekly review do not count such a run as a failed one
(`assets/common/interrupted.py`).

Dagster is imported only when a stop finds a run worker busy: the supervisor stays free of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assets.common.interrupted import INTERRUPTED_TAG
from assets.common.interrupted import interrupted_by_stop as _interrupted

if TYPE_CHECKING:
    from dagster import DagsterInstance, DagsterRun

_IN_PROGRESS = ("STARTING", "STARTED", "CANCELING")


def interrupted_by_stop(run: DagsterRun) -> bool:
    """Whether a stop of the service interrupted this very run (not a run it was copied from)."""
    return _interrupted(run.run_id, run.tags)


def _runs_of(instance: DagsterInstance, workers: set[int]) -> list[tuple[str, str]]:
    """(run id, job) of each run in progress whose worker is one of `workers`, or that has not
    recorded a worker yet (it is still starting: one of `workers` may be its)."""
    from pipeline.service.runs import unfinished_runs

    return [
        (s.run_id, s.job_name)
        for s in unfinished_runs(instance)
        if s.status in _IN_PROGRESS and (s.pid in workers or s.pid is None)
    ]


@dataclass(frozen=True)
class RunsInFlight:
    """The code server's `ChildSpec.work`: its busy processes are run workers of the Dagster
    instance in `home`."""

    home: Path

    def describe(self, workers: set[int]) -> list[str]:
        """`run <id> (<job>)` for each run the `workers` are doing."""
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(self.home)) as instance:
            return [f"run {run_id} ({job})" for run_id, job in _runs_of(instance, workers)]

    def interrupted(self, workers: set[int], waited: float) -> list[str]:
        """Tag each run the `workers` still do as interrupted by a stop; return their ids."""
        from dagster import DagsterInstance

        marked = []
        with DagsterInstance.from_config(str(self.home)) as instance:
            for run_id, _job in _runs_of(instance, workers):
                run = instance.get_run_by_id(run_id)
                if run is None or run.is_finished:
                    continue
                instance.add_run_tags(run_id, {INTERRUPTED_TAG: run_id})
                instance.report_engine_event(
                    f"homeclerk: the service was stopped and this run did not finish within "
                    f"{waited:.0f} s; its worker is stopped. Not a failure of the run: it is "
                    "retried at the next start.",
                    run,
                )
                marked.append(run_id)
        return marked
