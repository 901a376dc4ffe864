"""A year of weekly reviews backfilled from the Dagster UI as a person does it: open the asset,
Materialize, pick the weeks, Launch backfill, and see them succeed as one run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from dagster import DagsterInstance
from playwright.sync_api import sync_playwright

from pipeline.settings import Settings, load_settings
from tests.review.helpers import build_warehouse
from tests.support import CHROMIUM_ARGS, chromium_path, free_port, http_ok, wait_for

pytestmark = pytest.mark.ui

# 2025-W01 starts on Mon 30 Dec 2024; 2025-W52 on Mon 22 Dec 2025: 52 partitions.
# 52 weeks from the first week with data (2025-W42: the partitions start there).
RANGE = "[2025-10-13...2026-10-05]"


@pytest.fixture(scope="module")
def review_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    folder = tmp_path_factory.mktemp("review-ui")
    (folder / "homeclerk.toml").write_text('[paths]\ndata_dir = "data"\n')
    settings = load_settings(folder / "homeclerk.toml")
    build_warehouse(settings.warehouse)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["HOMECLERK_CONFIG"] = str(settings.config_file)
    port = free_port()
    log = (folder / "ui.log").open("w")
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
        yield url, settings
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_a_52_week_backfill_from_the_ui_runs_as_one_run(
    review_ui: tuple[str, Settings],
) -> None:
    url, settings = review_ui
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/assets/weekly_review", wait_until="domcontentloaded")
        materialize = page.get_by_role("button", name="Materialize").first
        materialize.wait_for(timeout=90_000)
        materialize.click()
        # Upstream assets were never materialized in this instance: the UI asks first.
        confirm = page.get_by_role("button", name="Confirm")
        confirm.wait_for(timeout=30_000)
        confirm.click()
        page.get_by_text("Show all partitions").click()
        weeks = page.locator("[role=dialog] input, div.bp5-dialog input").first
        weeks.click()
        weeks.fill(RANGE)
        weeks.press("Enter")
        page.get_by_text("52 partitions", exact=True).wait_for(timeout=30_000)
        page.get_by_text("Backfills all partitions in a single run.").wait_for()
        page.get_by_role("button", name="Launch backfill").click()

        with DagsterInstance.from_config(str(settings.dagster_home)) as instance:

            def finished() -> str | None:
                backfills = instance.get_backfills()
                status = backfills[0].status.value if backfills else "REQUESTED"
                return None if status == "REQUESTED" else status

            assert wait_for(finished, 300, "the backfill launched from the UI") == (
                "COMPLETED_SUCCESS"
            )
            # Other sensors (the power sampler) may launch runs of their own meanwhile.
            backfill_id = instance.get_backfills()[0].backfill_id
            runs = [r for r in instance.get_runs() if r.tags.get("dagster/backfill") == backfill_id]
            assert len(runs) == 1 and runs[0].status.value == "SUCCESS"

        page.goto(f"{url}/runs", wait_until="domcontentloaded")
        page.get_by_text("Success").first.wait_for(timeout=60_000)
        browser.close()
    reviews = settings.data_dir / "reviews"
    assert len(list(reviews.glob("202?-W*.html"))) == 52
    assert len(list(reviews.glob("202?-W*.md"))) == 52
