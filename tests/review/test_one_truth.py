"""One truth: the demo's last weekly review against its expenses feed and its books.

The demo is built for a fixed past end date (a Saturday), so its feed's "this week" is the
review's last week and its newest balances are the week's closing ones; nothing here depends on
today's date.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import realization

from assets.books.checks import load_books
from assets.review.week import week_containing
from pipeline.demo.run import run_demo
from pipeline.settings import CONFIG_ENV

END = dt.date(2025, 12, 20)
SEED = 5
WEEK = week_containing(END)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("one-truth") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        # The demo sets these for its own run; they must not leak into other tests.
        for name in (CONFIG_ENV, "DAGSTER_HOME", "KITE_API_KEY", "KITE_API_SECRET"):
            mp.delenv(name, raising=False)
        mp.setenv("HOME", str(folder.parent))
        report = run_demo(folder, seed=SEED, end=END, out=io.StringIO())
    assert report.messages > 0
    return folder


def _tables(demo: Path, title_start: str) -> list[list[list[str]]]:
    """The Markdown tables of the last week's review section whose title starts so: each a list
    of rows (cells as written), header and rule left out. What the owner reads."""
    md = (demo / "data" / "reviews" / f"{WEEK.iso}.md").read_text("utf-8")
    section = md.split(f"## {title_start}", 1)[1].split("\n## ", 1)[0]
    tables: list[list[list[str]]] = []
    rows: list[list[str]] = []
    for line in [*section.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
        elif rows:
            tables.append(rows[2:])
            rows = []
    return tables


def _amount(cell: str) -> Decimal:
    return Decimal(cell.replace("₹", "").replace(",", ""))


def _feed(demo: Path) -> dict:
    return json.loads((demo / "data" / "feeds" / "expenses.json").read_text("utf-8"))


def _books_owed(demo: Path) -> dict[str, Decimal]:
    """What each card owes as Beancount itself totals the ledger (every entry is before the
    week's end: the demo stops on its Saturday)."""
    loaded = load_books(demo / "ledger" / "main.beancount")
    assert not [e for e in loaded.entries if getattr(e, "date", END) > WEEK.end]
    real = realization.realize(loaded.entries)
    owed = {}
    for account in realization.iter_children(real):
        if account.account.startswith("Liabilities:CreditCard:"):
            position = account.balance.get_currency_units("INR")
            owed[account.account] = -position.number
    return owed


def test_balances_are_the_feed_s_one_row_per_account_and_cards_owe_what_the_books_say(
    demo: Path,
) -> None:
    feed = _feed(demo)
    accounts, cards = _tables(demo, "Balances at")
    # One row per account, the feed's figure (the debit card's alerts under its account).
    assert {r[0]: _amount(r[1]) for r in accounts} == {
        f"{b['bank']} {b['account']}": Decimal(str(b["amount"])) for b in feed["balances"]
    }
    assert not any("XX2949" in r[0] for r in accounts)  # the HDFC debit card
    # A card: what is owed from the books and, apart, the limit the feed lists as a limit.
    owed = _books_owed(demo)
    limits = {f"{c['bank']} {c['account']}": c for c in feed["card_limits"]}
    assert {r[0] for r in cards} == set(limits)
    for card, outstanding, limit, _ in cards:
        assert _amount(limit) == Decimal(str(limits[card]["amount"]))
        assert _amount(outstanding) == owed[limits[card]["ledger_account"]].quantize(
            Decimal("0.01")
        )
    # Never a limit as a balance: the unused HDFC card's full limit is not among the balances.
    assert _amount(next(r[2] for r in cards if r[0] == "HDFC XX9541")) == Decimal(200000)
    assert Decimal(200000) not in {_amount(r[1]) for r in accounts}


def test_payees_are_the_feed_s_readable_payees(demo: Path) -> None:
    feed = _feed(demo)
    merchants, largest = _tables(demo, "Spending")[1:]
    recent = {(t["date"], Decimal(str(t["amount"]))): t for t in feed["recent"]}
    shared = [r for r in largest if (r[0], _amount(r[1])) in recent]
    assert shared, "the feed's recent transactions overlap the week's largest debits"
    for date, amount, payee, _ in shared:
        assert payee == recent[(date, _amount(amount))]["payee"]
    readable = {t["payee"] for t in feed["recent"]}
    raw = {t["counterparty"] for t in feed["recent"] if t["payee"] != t["counterparty"]}
    assert raw, "the demo has alerts whose raw text differs from the readable payee"
    names = {r[0] for r in merchants}
    assert not names & raw
    assert names & readable


def test_the_week_s_spending_is_the_feed_s_this_week(demo: Path) -> None:
    feed = _feed(demo)
    week = feed["periods"]["this_week"]
    assert week["from"] == WEEK.start.isoformat()
    summary = json.loads((demo / "data" / "feeds" / "review.json").read_text("utf-8"))
    assert summary["week"] == WEEK.iso
    assert Decimal(str(summary["spending"])) == Decimal(str(week["spend"]))


def test_the_summary_feed_carries_the_new_figures_and_net_worth_is_the_feeds_and_the_books(
    demo: Path,
) -> None:
    summary = json.loads((demo / "data" / "feeds" / "review.json").read_text("utf-8"))
    feed = _feed(demo)
    portfolio = json.loads((demo / "data" / "feeds" / "portfolio.json").read_text("utf-8"))
    bank = sum(Decimal(str(b["amount"])) for b in feed["balances"])
    cards = sum(_books_owed(demo).values(), Decimal(0))
    worth = bank + Decimal(str(portfolio["totals"]["value"])) - cards
    assert Decimal(str(summary["net_worth"])) == worth.quantize(Decimal("0.01"))
    assert isinstance(summary["savings_rate"], float)
    # The demo pays rent to Meera Iyer every month, by her readable name.
    assert "Meera Iyer" in {s["payee"] for s in summary["subscriptions"]}
    (bill,) = [b for b in summary["bills_due"] if b["card"] == "HDFC XX9541"]
    assert bill["due"] == "2025-12-18" and bill["paid"]  # the demo pays the card in full


@pytest.mark.ui
def test_on_a_phone_no_table_is_wider_than_the_screen(demo: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.support import CHROMIUM_ARGS, chromium_path

    html = demo / "data" / "reviews" / f"{WEEK.iso}.html"
    assert len(html.read_bytes()) <= 200_000  # the target
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        page.goto(html.as_uri())
        tables = page.locator("table")
        assert tables.count() >= 7
        for n in range(tables.count()):
            box = tables.nth(n).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, n
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        links = page.locator("a[href^='http://127.0.0.1:']")
        assert links.count() > 10  # each line links into Fava's journal
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        browser.close()
    # Kept where a person can look at it after the run.
    (demo.parent / "phone.png").write_bytes((tmp_path / "phone.png").read_bytes())
