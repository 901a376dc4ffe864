"""Fava's Categorize page as the owner uses it, in Chromium: pick an account for a payee, the rule
lands in homeclerk.toml with the owner's comments intact, the page's refresh run (launched
through the real Dagster UI, dequeued by its daemon) re-files the rows, and Fava's journal for
the account shows the payee."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance
from playwright.sync_api import sync_playwright

from pipeline.settings import CONFIG_ENV, load_settings
from tests.books.test_fava_categorize import FAMILY, NOTES, PAGE, TAIL, build_folder, serve_fava
from tests.support import CHROMIUM_ARGS, chromium_path, free_port, http_ok, wait_for

pytestmark = pytest.mark.ui


def _dagster_ui(folder: Path, config: Path, port: int) -> Iterator[None]:
    """`homeclerk ui` (the Dagster UI and its daemon) on `port`, the settings' ui_port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env[CONFIG_ENV] = str(config)
    log = (folder / "dagster-ui.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "ui", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/server_info"
        wait_for(lambda: proc.poll() is None and http_ok(url), 240, "homeclerk ui")
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_a_pick_in_fava_writes_the_rule_and_the_refreshed_journal_shows_it(
    tmp_path: Path,
) -> None:
    settings, config = build_folder(tmp_path)
    ui_port = free_port()
    # The page asks the UI on the settings' port; `[service]` appended as an owner would.
    config.write_text(config.read_text() + f"\n[service]\nui_port = {ui_port}\n")
    settings = load_settings(config)
    before = config.read_text()
    ui = _dagster_ui(tmp_path, config, ui_port)
    next(ui)
    try:
        with serve_fava(settings, config) as fava, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(fava.base + PAGE)
            row = page.locator('tr[data-payee="Joseph Thomas"]')
            row.locator("select").select_option(FAMILY)
            row.get_by_role("button", name="File").click()
            page.wait_for_url("**categorized_filed=Joseph+Thomas**", timeout=30_000)
            # Fava's own account filter is not set by the notice's query.
            assert "account=" not in page.url.replace("categorized_account=", "")
            status = page.get_by_role("status")
            assert "is filed under Expenses:Family" in " ".join(status.inner_text().split())
            page.screenshot(path=str(tmp_path / "categorize.png"))

            # The rule is first in [[categories.rules]]; the owner's notes are where they were.
            text = config.read_text()
            assert text.startswith(NOTES) and text.endswith(before[-60:])
            assert TAIL in text
            assert load_settings(config).category_rules[0] == {
                "pattern": "^(?:Joseph Thomas|JOSEPH THOMAS)$",
                "category": "Family",
                "direction": "debit",
            }
            assert len(text) > len(before)

            run_id = page.locator("#homeclerk-run").inner_text().strip()
            with DagsterInstance.from_config(str(settings.dagster_home)) as instance:

                def finished() -> str | None:
                    run = instance.get_run_by_id(run_id)
                    done = ("SUCCESS", "FAILURE", "CANCELED")
                    return run.status.value if run and run.status.value in done else None

                assert wait_for(finished, 300, "the refresh run") == "SUCCESS"
                run = instance.get_run_by_id(run_id)
                assert run is not None and run.job_name == "recategorize_job"
                assert run.tags.get("homeclerk/source") == "fava-categorize"

            # Fava reloads the regenerated books: the account's journal shows the payee.
            page.goto(fava.base + f"account/{FAMILY}/")
            page.get_by_text("Joseph Thomas").first.wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / "journal.png"))
            # And the page no longer lists the payee.
            page.goto(fava.base + PAGE)
            page.get_by_text("Categorize spending").first.wait_for(timeout=30_000)
            assert page.locator('tr[data-payee="Joseph Thomas"]').count() == 0
            browser.close()
    finally:
        next(ui, None)
