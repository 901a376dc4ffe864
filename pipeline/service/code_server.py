"""The service's code server: `dagster api grpc`, with the run reaper in the same process.

The reaper (fail runs whose worker died, so the daemon retries them) needs a Dagster instance,
and importing Dagster costs ~64 MB resident: here it shares the code server's, which has Dagster
loaded anyway and is the parent of every run worker, instead of keeping Dagster in the
supervisor. Usage: `python -m pipeline.service.code_server <dagster api grpc arguments>`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Start the reaper thread, then run `dagster api grpc` with `argv` in this process."""
    from dagster import DagsterInstance
    from dagster._cli.api import grpc_command

    from pipeline.service.processes import run_workers_below
    from pipeline.service.runs import RunReaper

    started = dt.datetime.now(dt.UTC)
    with (
        DagsterInstance.get() as instance,
        RunReaper(
            instance,
            launcher_since=started,
            has_workers=lambda: bool(run_workers_below(os.getpid())),
        ),
    ):
        grpc_command.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="dagster api grpc",
            standalone_mode=True,
        )


if __name__ == "__main__":
    main()
