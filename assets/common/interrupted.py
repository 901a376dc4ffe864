"""Runs a stop of the service interrupted: retried at the next start, so no failed run.

`homeclerk serve` tags such a run with `INTERRUPTED_TAG` before it stops its worker. Dagster
still records it as failed (that is what makes its run retries launch it again); `doctor` and
the weekly review do not count it among the failed runs. The tag's value is the run's own id:
Dagster copies a run's tags to its retry, and a retry that fails for a reason of its own counts.
"""

from __future__ import annotations

from collections.abc import Mapping

INTERRUPTED_TAG = "homeclerk/interrupted_by_stop"


def interrupted_by_stop(run_id: str, tags: Mapping[str, str]) -> bool:
    """Whether a stop of the service interrupted run `run_id` itself (not a run it was copied
    from), from the run's tags."""
    return tags.get(INTERRUPTED_TAG) == run_id
