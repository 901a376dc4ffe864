"""The Dagster UI as a person uses it: open the asset graph, press Materialize all, get a feed."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunsFilter
from playwright.sync_api import Page, sync_playwright

from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import IST, generate_demo_messages
from tests.support import CHROMIUM_ARGS, chromium_path, free_port, http_ok, wait_for

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("ui")
    # The UI's runs read the real clock (a user's click pins nothing), so the data ends now:
    # the source is not quiet and the feed is "ok" on whatever date the suite runs.
    now = dt.datetime.now(IST)
    messages = generate_demo_messages(now.date(), seed=5, days=20, until=now)
    write_chat_db(folder / "chat.db", messages, seed=5)
    config = write_demo_config(folder, broker_base_url="http://127.0.0.1:9/none")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["HOMECLERK_CONFIG"] = str(config)
    log = (folder / "dagster-dev.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "ui", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is None and http_ok(f"{url}/server_info"), 180, "homeclerk ui")
        yield url, folder
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1400, "height": 900})
        browser.close()


def test_asset_graph_shows_the_sms_path_and_materializes(
    dagster_ui: tuple[str, Path], page: Page
) -> None:
    url, folder = dagster_ui
    page.goto(
        f"{url}/assets/expenses_feed?view=lineage&lineageScope=upstream&lineageDepth=5",
        wait_until="domcontentloaded",
    )
    for name in ("sms_messages", "transactions", "expenses_feed"):
        page.get_by_text(name, exact=True).first.wait_for(timeout=90_000)
    page.screenshot(path=str(folder / "asset-graph.png"))

    page.get_by_role("button", name="Materialize all").first.click()
    # The sensor starts runs of bank_sms_job by itself; the button launches Dagster's implicit
    # asset job, so that run is the proof the click worked. The daemon dequeues it.
    with DagsterInstance.from_config(str(folder / "data" / "dagster")) as instance:

        def ui_run_status() -> str | None:
            runs = instance.get_runs(RunsFilter(job_name="__ASSET_JOB"))
            done = [r for r in runs if r.status.value in ("SUCCESS", "FAILURE", "CANCELED")]
            return done[0].status.value if done else None

        assert wait_for(ui_run_status, 240, "the run launched from the UI") == "SUCCESS"
    feed = json.loads((folder / "data" / "feeds" / "expenses.json").read_text())
    assert feed["status"] == "ok"

    page.goto(f"{url}/runs", wait_until="domcontentloaded")
    page.get_by_text("Success").first.wait_for(timeout=60_000)
