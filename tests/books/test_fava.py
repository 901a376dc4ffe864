"""Fava serves demo-like books with no errors; the journal shows a generated payee."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support import CHROMIUM_ARGS, chromium_path, free_port, http_ok, wait_for

from .helpers import build_demo_books

DEADLINE_S = 30


def _get(url: str) -> tuple[int, str, str]:
    """(status, final URL after redirects, body)."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.geturl(), response.read().decode()


class Fava:
    def __init__(self, base: str, slug: str) -> None:
        self.base, self.slug = base, slug

    def api(self, endpoint: str) -> object:
        status, _url, body = _get(f"{self.base}/{self.slug}/api/{endpoint}")
        assert status == 200
        return json.loads(body)["data"]


@pytest.fixture
def fava(tmp_path: Path) -> Iterator[Fava]:
    build_demo_books(tmp_path, dt.date.today())
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.service.fava_server",
            str(tmp_path / "main.beancount"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is None and http_ok(base + "/"), DEADLINE_S, "Fava to answer")
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        _status, url, _body = _get(base + "/")
        # "/" redirects to "/<ledger slug>/income_statement/".
        slug = url.removeprefix(base + "/").split("/", 1)[0]
        yield Fava(base, slug)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_fava_serves_the_books_with_no_errors(fava: Fava) -> None:
    assert fava.api("changed") in (True, False)
    assert fava.api("errors") == []


@pytest.mark.ui
def test_journal_page_shows_a_generated_payee(fava: Fava) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{fava.base}/{fava.slug}/journal/")
            page.get_by_text("BIGBASKET").first.wait_for(timeout=15_000)
            assert page.get_by_text("Karan Malhotra").count() >= 1
        finally:
            browser.close()
