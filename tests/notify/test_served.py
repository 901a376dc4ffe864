"""End to end under `homeclerk serve`: a run fails, and the owner's topic hears of it within
the issue's 60 s, through the daemon's own sensor tick (real processes, a real local topic)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance

from tests.notify.receivers import http_receiver
from tests.service.test_serve import UP_S, Served, served  # noqa: F401 (the fixture)
from tests.support import wait_for

pytestmark = pytest.mark.slow

NOTIFIED_WITHIN_S = 60


def _ticked(home: Path, name: str) -> bool:
    with DagsterInstance.from_config(str(home)) as instance:
        state = next(
            (s for s in instance.all_instigator_state() if s.instigator_name == name), None
        )
        return bool(
            state and instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1)
        )


def test_a_failed_run_reaches_the_topic_within_60_s(served: Served) -> None:  # noqa: F811
    with http_receiver("owner") as topic:
        config = served.folder / "homeclerk.toml"
        config.write_text(config.read_text() + f'\n[notify]\nntfy_url = "{topic.url}"\n')
        served.start()
        wait_for(served.up, UP_S, "the UI, Fava and the feed server to answer")
        # The failure sensor starts watching at its first tick: a failure before it is history.
        home = served.folder / "data" / "dagster"
        wait_for(lambda: _ticked(home, "notify_run_failure"), 120, "notify_run_failure's tick")
        # power_feed cannot replace its file with a folder in the way: the run fails.
        feed = served.folder / "data" / "feeds" / "power.json"
        feed.unlink(missing_ok=True)
        (feed / "in-the-way").mkdir(parents=True)
        result = served.cli("materialize", "power_feed", timeout=300)
        assert result.returncode != 0, result.stdout + result.stderr

        def told() -> bool:
            return any(p.headers.get("Title") == "Run failed: power_feed" for p in topic.posts)

        # Within the target, counted from the failure (the command's end is after it).
        wait_for(told, NOTIFIED_WITHIN_S, "the failed run's message on the topic")
        shutil.rmtree(feed)
    [post] = [p for p in topic.posts if p.headers["Title"].startswith("Run failed:")]
    assert "step power_feed: " in post.body, post.body
    assert post.headers["Click"].startswith(f"http://127.0.0.1:{served.ports['ui']}/runs/")
