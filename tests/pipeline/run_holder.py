"""A process that starts a `bank_sms_job` run in homeclerk's instance and then just waits.

It records its PID the way Dagster's run workers do (an engine event with `pid` metadata), so the
tests can kill it (SIGKILL) or release it (a line on stdin: the run then succeeds) for real.
Usage: python -m tests.pipeline.run_holder HOMECLERK_TOML
"""

from __future__ import annotations

import os
import sys

from dagster import DagsterEvent, DagsterEventType, DagsterInstance
from dagster._core.events import EngineEventData

from pipeline.definitions import build_definitions
from pipeline.service.instance import prepare_instance
from pipeline.settings import load_settings


def main(config: str) -> None:
    settings = load_settings(config)
    job = build_definitions(settings).resolve_job_def("bank_sms_job")
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        from dagster._core.execution.api import create_execution_plan

        run = instance.create_run_for_job(job, execution_plan=create_execution_plan(job))
        instance.report_dagster_event(
            DagsterEvent(DagsterEventType.RUN_START.value, job_name=job.name), run.run_id
        )
        instance.report_engine_event(
            f"holding (pid: {os.getpid()})", run, EngineEventData.in_process(os.getpid())
        )
        print(run.run_id, flush=True)
        sys.stdin.readline()  # the test says when to let go (or kills this process)
        instance.report_dagster_event(
            DagsterEvent(DagsterEventType.RUN_SUCCESS.value, job_name=job.name), run.run_id
        )
        print("released", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
