"""A weekly review's HTML as a reader sees it: headless Chromium, no network, phone and print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from assets.common.warehouse import connect
from assets.review.compose import PipelineHealth, ReviewInputs
from assets.review.produce import write_review
from assets.review.reader import read_transactions_for, read_week
from assets.review.render import SECTION_ORDER
from assets.review.week import parse_iso_week
from tests.review.helpers import IST, build_warehouse
from tests.support import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def html_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review-html")
    build_warehouse(folder / "warehouse.duckdb")
    week = parse_iso_week("2025-W44")
    with connect(folder / "warehouse.duckdb", read_only=True) as con:
        data = read_week(con, week, IST, read_transactions_for(con, [week]))
    health = PipelineHealth((), 0, data.pop("unrecognized"))
    return write_review(ReviewInputs(**data, books=None, health=health), folder).html_path


@pytest.fixture
def phone() -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.requests = requests  # type: ignore[attr-defined]
        yield page
        browser.close()


def test_the_review_shows_its_charts_and_sections_on_a_phone_without_network(
    html_file: Path, phone: Page
) -> None:
    phone.goto(html_file.as_uri())
    assert phone.title() == "Week 2025-W44: 2025-10-27 to 2025-11-02"
    for key in SECTION_ORDER:
        assert phone.locator(f"section#{key} h2").is_visible()
    charts = phone.locator("svg.chart")
    assert charts.count() == 2
    for n in range(2):
        box = charts.nth(n).bounding_box()
        assert box and 0 < box["width"] <= 390 and box["height"] > 30  # fits a phone's width
    bars = phone.locator("section#spending svg.chart").first.locator("rect")
    assert bars.count() == 2  # one per category: Food:Delivery, Uncategorized
    assert phone.locator("section#power").inner_text().endswith("power: not configured")
    # Nothing but the file itself was requested (no fonts, scripts or images from anywhere).
    assert phone.requests == [html_file.as_uri()]  # type: ignore[attr-defined]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    pdf = phone.pdf() if hasattr(phone, "pdf") else b""
    assert pdf[:4] == b"%PDF"
