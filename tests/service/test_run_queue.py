"""The instance homeclerk writes puts a run that could not reach its code server back in the
queue (`homeclerk serve` restarts the code server when homeclerk.toml changes, just as the
Categorize page or `homeclerk categorize` asks for a run after writing a rule)."""

from __future__ import annotations

from pathlib import Path

from tests.support import homeclerk_instance


def test_a_run_the_code_server_missed_is_queued_again_not_failed(tmp_path: Path) -> None:
    with homeclerk_instance(tmp_path / "home") as instance:
        queue = instance.get_concurrency_config().run_queue_config
    assert queue is not None
    assert queue.max_user_code_failure_retries == 3
    assert queue.user_code_failure_retry_delay == 10
    # The pool and the run limit stay as they were.
    assert queue.max_concurrent_runs == 2
