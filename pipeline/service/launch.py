"""Asking the Dagster UI for a run: its GraphQL API on 127.0.0.1, as the UI's own button does.

Used by the chat.db watcher (`bank_sms_job` on news) and by Fava's categorize page (the books
refreshed after a rule is written). Plain stdlib: both run outside the Dagster processes, and a
run launched here is queued, dequeued and monitored like any other (pool, retries, the UI).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

REPOSITORY_NAME = "__repository__"  # what Dagster names a module's single Definitions
# The code location's name, the same under `serve` (a gRPC code server) and `ui` (a module):
# Dagster keys each schedule's and sensor's state (stopped by hand, cursor, ticks) by location
# name + repository + name, so another name would leave the state behind at every switch.
LOCATION_NAME = "homeclerk"

LAUNCH_RUN = """
mutation HomeclerkLaunch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}
"""


class LaunchError(Exception):
    """The UI did not start the run; `kind` groups repeats of one cause for the log."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def launch_job(
    ui_port: int,
    location: str,
    job_name: str,
    tags: Mapping[str, str],
    *,
    timeout: float = 10.0,
) -> str:
    """Launch `job_name` of `location` through the UI's GraphQL API; returns the run id.

    Raises LaunchError when the UI is not reachable or answers with an error.
    """
    variables = {
        "executionParams": {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": REPOSITORY_NAME,
                "jobName": job_name,
            },
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
        }
    }
    answer = graphql(ui_port, LAUNCH_RUN, variables, timeout)
    result = (answer.get("data") or {}).get("launchRun") or {}
    if result.get("__typename") == "LaunchRunSuccess":
        return str(result["run"]["runId"])
    kind = str(result.get("__typename") or "graphql")
    message = result.get("message") or json.dumps(answer.get("errors") or answer)[:300]
    raise LaunchError(kind, f"the Dagster UI did not launch {job_name}: {kind}: {message}")


def graphql(ui_port: int, query: str, variables: dict[str, Any], timeout: float) -> Any:
    """POST one query to the Dagster UI's GraphQL API; raises LaunchError when it cannot."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    # urllib sends `Host: 127.0.0.1:<port>`, the name the UI's Host check accepts, and no
    # Origin: the UI's cross-site check lets it through as a client that is no browser.
    request = urllib.request.Request(
        f"http://127.0.0.1:{ui_port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise LaunchError("http", f"the Dagster UI answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LaunchError(
            "unreachable", f"the Dagster UI on 127.0.0.1:{ui_port} is not reachable ({reason})"
        ) from None
    except ValueError:
        raise LaunchError("answer", "the Dagster UI answered something that is not JSON") from None
