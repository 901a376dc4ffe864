"""Fava's Import page on the generated books: a statement dropped into the inbox is listed, and
its extracted entries are shown, those an SMS entry already holds marked as duplicates."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize
from playwright.sync_api import expect, sync_playwright

from assets.books.definitions import BOOKS_ASSETS
from assets.books.resources import BooksResource
from assets.common.resources import Clock, Warehouse
from assets.transactions.resources import ParsingConfig
from tests.books.helpers import mapping, store_alerts, write_main
from tests.books.test_reconcile import NOVEMBER, _history, _write
from tests.support import CHROMIUM_ARGS, chromium_path, free_port, http_ok, wait_for

pytestmark = pytest.mark.ui
NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)


def test_the_import_page_lists_a_dropped_statement_and_its_entries(tmp_path: Path) -> None:
    store_alerts(tmp_path / "w.duckdb", _history())
    books = tmp_path / "books"
    write_main(books, extra='option "documents" "documents"\n')
    resources = {
        "clock": Clock(frozen_at=NOW.isoformat()),
        "parsing": ParsingConfig(timezone="Asia/Kolkata"),
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
        "books_config": BooksResource(
            books_dir=str(books),
            account_mapping=mapping().as_config(),
            timezone="Asia/Kolkata",
            statements_inbox=str(tmp_path / "inbox"),
        ),
    }
    # The books run writes Fava's import config and options (and makes the inbox).
    assert materialize(BOOKS_ASSETS[:1], resources=resources, instance=DagsterInstance.ephemeral())
    assert (tmp_path / "inbox").is_dir()
    _write(tmp_path / "inbox" / "hdfc-nov.csv", NOVEMBER)  # 5 lines, 4 of them SMS-known

    port = free_port()
    fava = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.service.fava_server",
            str(books / "main.beancount"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fava.poll() is None and http_ok(base + "/"), 30, "Fava to answer")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/")
            slug = page.url.removeprefix(base + "/").split("/", 1)[0]
            page.goto(f"{base}/{slug}/import/")
            expect(page.get_by_text("hdfc-nov.csv")).to_be_visible(timeout=15_000)
            page.get_by_title("Extract with importer homeclerk.statement.hdfc").click()
            # The HDFC lines as entries; the four an alert already put in the books are marked
            # duplicates, the lost cash withdrawal is the one to import.
            expect(page.get_by_text("Entry 1 of 5 (1 to import):")).to_be_visible(timeout=15_000)
            browser.close()
    finally:
        fava.terminate()
        fava.wait(timeout=10)
