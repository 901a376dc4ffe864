"""The Dagster assets over a real DuckDB warehouse: files written, checks evaluated."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from dagster import materialize

from assets.books.definitions import BOOKS_ASSETS
from assets.books.resources import BooksResource
from assets.common.resources import Clock, Warehouse
from assets.portfolio.history import append_snapshot
from assets.transactions.resources import ParsingConfig

from .helpers import HOLDINGS, SAVINGS, TZ, alert, snapshot, store_alerts

# The books' "today" comes from the run's clock, never the wall clock.
TODAY = dt.date(2026, 11, 19)


def _clock(day: dt.date, hour: int = 12) -> Clock:
    return Clock(frozen_at=dt.datetime.combine(day, dt.time(hour), TZ).isoformat())


def _warehouse(path: Path) -> None:
    d1 = TODAY - dt.timedelta(days=2)
    alerts = [
        alert(1, d1, "250.00", balance="9750.00"),
        alert(2, d1, "80.00", tail="0042", bank="ICICI", balance="500.00"),
    ]
    store_alerts(path, alerts)
    append_snapshot(path, snapshot(dt.datetime.combine(d1, dt.time(15, 30), TZ), *HOLDINGS))


def _books(tmp_path: Path, clock: Clock) -> tuple[Path, dict[str, object]]:
    books_dir, wh_path = tmp_path / "books", tmp_path / "warehouse.duckdb"
    _warehouse(wh_path)
    books_dir.mkdir()
    (books_dir / "main.beancount").write_text(
        'option "operating_currency" "INR"\ninclude "generated/index.beancount"\n'
        f"2020-01-01 open {SAVINGS} INR\n2020-01-01 open Equity:Opening-Balances\n"
        f'2020-01-01 * "Opening"\n  {SAVINGS}  10000.00 INR\n  Equity:Opening-Balances\n'
    )
    resources = {
        "clock": clock,
        "parsing": ParsingConfig(timezone="Asia/Kolkata"),
        "warehouse": Warehouse(path=str(wh_path)),
        "books_config": BooksResource(
            books_dir=str(books_dir),
            account_mapping=[{"bank": "HDFC", "tail": "1276", "account": SAVINGS}],
            timezone="Asia/Kolkata",
            broker_value_tolerance=0.005,
        ),
    }
    return books_dir, resources


def test_assets_write_books_and_report_checks(tmp_path: Path) -> None:
    books_dir, resources = _books(tmp_path, _clock(TODAY))
    result = materialize(BOOKS_ASSETS, resources=resources, raise_on_error=False)
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks["ledger_loads_clean"].passed
    assert not checks["unmapped_accounts"].passed
    toml = checks["unmapped_accounts"].metadata["toml"].value
    assert "[[books.accounts]]  # account, 1 alert(s)" in toml
    assert 'bank = "ICICI"\ntail = "0042"\naccount = "Assets:Bank:Icici:Savings"' in toml
    # Appended to a file that already has a [books] table (an inline mapping), it still loads.
    entries = toml.removeprefix("```toml\n").removesuffix("\n```")
    owner = '[books]\naccount_mapping = [{ bank = "HDFC", tail = "1276", account = "A:B" }]\n'
    appended = tomllib.loads(owner + entries)
    assert appended["books"]["accounts"][0]["tail"] == "0042"
    # The owner holds no investments in the ledger, but the broker does: units differ.
    assert not checks["holdings_match_broker"].passed
    assert "| INFY | 0 | 10 |" in checks["holdings_match_broker"].metadata["differences"].value
    assert list((books_dir / "generated" / "prices").glob("*.beancount"))
    assert "SWIGGY" in next((books_dir / "generated" / "bank").glob("*.beancount")).read_text()


def test_the_books_today_is_the_clocks(tmp_path: Path) -> None:
    # Alerts on TODAY - 2 state a balance. A balance assertion needs the day complete: it
    # appears (dated the next morning) only when the clock says that day is over.
    alerts_day = TODAY - dt.timedelta(days=2)
    assertion = f"{alerts_day + dt.timedelta(days=1)} balance {SAVINGS}"
    for clock_day, expected in ((alerts_day, False), (alerts_day + dt.timedelta(days=1), True)):
        folder = tmp_path / str(clock_day)
        books_dir, resources = _books(folder, _clock(clock_day, hour=23))
        assert materialize(BOOKS_ASSETS, resources=resources, raise_on_error=False)
        text = "".join(p.read_text() for p in (books_dir / "generated" / "bank").glob("*"))
        assert "SWIGGY" in text
        assert (assertion in text) is expected, (clock_day, text)


def _checks(result) -> dict[str, object]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_a_failing_ledger_names_its_first_error_in_the_check_description(
    tmp_path: Path,
) -> None:
    # `doctor` and the UI's check list show the description: it names the failed assertion.
    books_dir, resources = _books(tmp_path, _clock(TODAY))
    main = books_dir / "main.beancount"
    main.write_text(main.read_text().replace("10000.00 INR", "9000.00 INR"))
    result = materialize(BOOKS_ASSETS, resources=resources, raise_on_error=False)
    check = _checks(result)["ledger_loads_clean"]
    assert not check.passed
    assert check.description.startswith("1 error(s) in the ledger, first: ")
    assert "Balance failed for 'Assets:Bank:HDFC:Savings'" in check.description
    assert "generated/bank/" in check.description


def test_a_newly_mapped_account_with_balances_opens_and_the_ledger_loads(tmp_path: Path) -> None:
    # The ICICI account's alert states 500.00: mapped (as the unmapped fix prints it), the
    # books open it with that balance instead of failing its first assertion.
    books_dir, resources = _books(tmp_path, _clock(TODAY))
    config = resources["books_config"]
    resources["books_config"] = BooksResource(
        books_dir=config.books_dir,
        account_mapping=[
            *config.account_mapping,
            {"bank": "ICICI", "tail": "0042", "account": "Assets:Bank:Icici:Savings"},
        ],
        timezone=config.timezone,
        broker_value_tolerance=config.broker_value_tolerance,
    )
    result = materialize(BOOKS_ASSETS, resources=resources, raise_on_error=False)
    checks = _checks(result)
    assert checks["unmapped_accounts"].passed
    assert checks["ledger_loads_clean"].passed, checks["ledger_loads_clean"].description
    text = "".join(p.read_text() for p in (books_dir / "generated" / "bank").glob("*"))
    # 500.00 after the day's 80.00 debit: 580.00 before it.
    assert re.search(
        r'\* "Opening balance, [^"]*"\n  opening_from_sms: "GUID-0002"\n'
        r"  Assets:Bank:Icici:Savings +580\.00 INR\n  Equity:Opening-Balances +-580\.00 INR",
        text,
    ), text
