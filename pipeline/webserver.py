"""The Dagster UI as `homeclerk serve` runs it: dagster-webserver's own app behind the Host check.

`dagster-webserver` answers any `Host` (its GraphQL API can launch runs), which DNS rebinding lets
any web page reach. It is a Starlette app served by uvicorn: this module builds the app the way
`dagster_webserver/cli.py` does and serves it wrapped in `HostCheckASGI`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .hostcheck import HostCheckASGI, allowed_hosts


def serve(workspace: Path, host: str, port: int, extra_hosts: tuple[str, ...] = ()) -> None:
    """Serve the Dagster UI for `workspace` on host:port until SIGTERM/SIGINT (uvicorn's own)."""
    import uvicorn
    from dagster import DagsterInstance
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster_webserver.app import create_app_from_workspace_process_context
    from dagster_webserver.cli import (
        DEFAULT_DB_STATEMENT_TIMEOUT,
        DEFAULT_POOL_MAX_OVERFLOW,
        DEFAULT_POOL_RECYCLE,
        _lifespan,
    )
    from dagster_webserver.version import __version__

    from .single_instance import ensure_port_free

    ensure_port_free(port, "the Dagster UI", host)
    with DagsterInstance.get() as instance:
        instance.optimize_for_webserver(
            DEFAULT_DB_STATEMENT_TIMEOUT, DEFAULT_POOL_RECYCLE, DEFAULT_POOL_MAX_OVERFLOW
        )
        with WorkspaceProcessContext(
            instance,
            version=__version__,
            read_only=False,
            workspace_load_target=WorkspaceFileTarget(paths=[str(workspace)]),
        ) as context:
            app = create_app_from_workspace_process_context(context, "", lifespan=_lifespan)
            print(f"Dagster UI on http://{host}:{port}", flush=True)
            uvicorn.run(
                HostCheckASGI(app, allowed_hosts(port, extra_hosts)),
                host=host,
                port=port,
                log_level="warning",
            )


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.webserver -w workspace.yaml -p PORT [--allow-host NAME …]`."""
    parser = argparse.ArgumentParser(description="The Dagster UI with a Host header check.")
    parser.add_argument("-w", "--workspace", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=3000)
    parser.add_argument("--allow-host", action="append", default=[])
    args = parser.parse_args(argv)
    serve(args.workspace, args.host, args.port, tuple(args.allow_host))


if __name__ == "__main__":
    main()
