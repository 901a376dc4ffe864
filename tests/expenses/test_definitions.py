"""The expenses feed's Dagster asset and check over a real DuckDB warehouse, with the clock
pinned: what "today" is and whether the source is quiet depend on the run's clock only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import AssetSelection, DagsterInstance, materialize

from assets.books.resources import BooksResource
from assets.common.resources import Clock, Feeds, Warehouse
from assets.common.warehouse import connect
from assets.expenses.definitions import expenses_feed, expenses_feed_fresh
from assets.sms.tables import ensure_tables
from assets.transactions.tables import ensure_transactions_table
from tests.support import pinned_feed_server

IST = ZoneInfo("Asia/Kolkata")
FIRST = dt.date(2026, 3, 1)
LAST = dt.date(2026, 3, 20)  # one debit of (day of month × 10) rupees a day, 10:00 IST


def _warehouse(path: Path) -> None:
    with connect(path) as con:
        ensure_tables(con)
        ensure_transactions_table(con)
        for n in range((LAST - FIRST).days + 1):
            day = FIRST + dt.timedelta(days=n)
            at = dt.datetime.combine(day, dt.time(10, 0), IST)
            guid = f"GUID-{n}"
            con.execute(
                "INSERT INTO sms_messages (rowid, guid, sender, received_at, body,"
                " from_attributed_body) VALUES (?, ?, 'VM-HDFCBK', ?, 'body', FALSE)",
                [n + 1, guid, at],
            )
            con.execute(
                "INSERT INTO transactions VALUES (?, ?, 'VM-HDFCBK', ?, 'transaction', NULL, ?, "
                "'debit', 'SWIGGY', '1276', NULL, NULL, 'upi', ?, TRUE, 'HDFC', 'account', "
                "'Food', 'purchase', 'INR', 'Swiggy', NULL, NULL)",
                [guid, n + 1, at, day.day * 10, day],
            )


def _resources(tmp_path: Path, now: dt.datetime) -> dict[str, object]:
    return {
        "clock": Clock(frozen_at=now.isoformat()),
        "warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
        "feeds": Feeds(folder=str(tmp_path / "feeds")),
        "books_config": BooksResource(books_dir=str(tmp_path / "books"), account_mapping=[]),
    }


def _run(tmp_path: Path, now: dt.datetime, checks_only: bool = False):  # type: ignore[no-untyped-def]
    return materialize(
        [expenses_feed, expenses_feed_fresh],
        resources=_resources(tmp_path, now),
        instance=DagsterInstance.ephemeral(),
        selection=AssetSelection.checks(expenses_feed_fresh) if checks_only else None,
        raise_on_error=False,
    )


def _feed(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "feeds" / "expenses.json").read_text())


def test_the_feed_counts_today_at_the_clock(tmp_path: Path) -> None:
    _warehouse(tmp_path / "warehouse.duckdb")
    now = dt.datetime.combine(LAST, dt.time(18, 0), IST)
    result = _run(tmp_path, now)
    assert result.success
    feed = _feed(tmp_path)
    assert feed["status"] == "ok" and feed["message"] is None
    assert feed["generated_at"] == now.astimezone(dt.UTC).isoformat(timespec="seconds")
    assert feed["periods"]["today"]["from"] == "2026-03-20"
    assert feed["periods"]["today"]["debit"] == 200.0
    assert feed["periods"]["this_month"]["debit"] == sum(d * 10 for d in range(1, 21))
    (check,) = result.get_asset_check_evaluations()
    assert check.passed


def test_a_quiet_source_makes_the_feed_stale_not_ok_with_zeros(tmp_path: Path) -> None:
    _warehouse(tmp_path / "warehouse.duckdb")
    # 12 days after the last alert, in a new month: "this month" has no spending at all.
    now = dt.datetime(2026, 4, 1, 10, 0, tzinfo=IST)
    result = _run(tmp_path, now)
    feed = _feed(tmp_path)
    assert feed["periods"]["this_month"]["debit"] == 0.0
    assert feed["status"] == "stale"
    assert "No bank SMS has arrived for 12.0 days" in feed["message"]
    assert "2026-03-20 10:00" in feed["message"] and "homeclerk doctor" in feed["message"]
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    assert "feed status stale: No bank SMS has arrived" in (check.description or "")


def test_freshness_is_judged_at_the_clock(tmp_path: Path) -> None:
    _warehouse(tmp_path / "warehouse.duckdb")
    written = dt.datetime.combine(LAST, dt.time(18, 0), IST)
    assert _run(tmp_path, written).success
    verdicts = {
        hours: _run(
            tmp_path, written + dt.timedelta(hours=hours), checks_only=True
        ).get_asset_check_evaluations()[0]
        for hours in (25, 27)
    }
    assert verdicts[25].passed
    assert not verdicts[27].passed
    assert "old: is the daemon running?" in (verdicts[27].description or "")
    assert verdicts[27].metadata["age_hours"].value == 27.0


def test_the_feed_server_says_stale_once_the_quiet_threshold_passes(tmp_path: Path) -> None:
    # Written "ok" and never again (the service stopped): one SMS a day, so the quiet rule
    # allows 10 days of silence after the newest (LAST 10:00 IST).
    _warehouse(tmp_path / "warehouse.duckdb")
    assert _run(tmp_path, dt.datetime.combine(LAST, dt.time(18, 0), IST)).success
    feed = _feed(tmp_path)
    deadline = dt.datetime.combine(LAST + dt.timedelta(days=10), dt.time(10, 0), IST)
    assert feed["status"] == "ok"
    assert feed["stale_after"] == deadline.astimezone(dt.UTC).isoformat()
    on_disk = (tmp_path / "feeds" / "expenses.json").read_bytes()
    with pinned_feed_server(tmp_path / "feeds", deadline) as server:
        assert server.get("expenses.json") == (200, on_disk)
        server.now = deadline + dt.timedelta(minutes=1)
        served = json.loads(server.get("expenses.json")[1])
    assert served["status"] == "stale"
    assert served["message"].startswith("No bank SMS since 2026-03-20 10:00: more than 10.0 days")
    assert served["periods"] == feed["periods"]
    assert (tmp_path / "feeds" / "expenses.json").read_bytes() == on_disk
    # The freshness check judges the file by the same rule (its own 26 h limit aside).
    (check,) = _run(
        tmp_path, deadline + dt.timedelta(minutes=1), checks_only=True
    ).get_asset_check_evaluations()
    assert not check.passed
    assert f"feed status stale: {served['message']}" in (check.description or "")


def test_the_feed_lists_each_open_gap_and_drops_one_the_owner_s_entry_explains(
    tmp_path: Path,
) -> None:
    from tests.books.helpers import SAVINGS, alert, mapping, store_alerts, write_main

    # 2,340 left XX1276 between the alerts of 3 and 5 March; 15 arrived between 5 and 6 March.
    store_alerts(
        tmp_path / "warehouse.duckdb",
        [
            alert(1, dt.date(2026, 3, 3), "100.00", balance="9900.00", hour=14),
            alert(2, dt.date(2026, 3, 5), "60.00", balance="7500.00", hour=9),
            alert(3, dt.date(2026, 3, 6), "10.00", balance="7505.00", hour=9),
        ],
    )
    resources = _resources(tmp_path, dt.datetime(2026, 3, 20, 18, tzinfo=IST))
    resources["books_config"] = BooksResource(
        books_dir=str(tmp_path / "books"),
        account_mapping=mapping().as_config(),
        timezone="Asia/Kolkata",
    )

    def feed_gaps() -> list[dict]:
        result = materialize(
            [expenses_feed], resources=resources, instance=DagsterInstance.ephemeral()
        )
        assert result.success
        return _feed(tmp_path)["gaps"]

    newest, older = feed_gaps()
    assert older == {
        "bank": "HDFC",
        "account": "XX1276",
        "ledger_account": SAVINGS,
        "figure": "balance",
        "amount": 2340.0,
        "direction": "left",
        "from": {"at": "2026-03-03T14:01:00+05:30", "id": "GUID-0001", "balance": 9900.0},
        "to": {"at": "2026-03-05T09:02:00+05:30", "id": "GUID-0002", "balance": 7500.0},
        "held": [],
    }
    assert (newest["amount"], newest["direction"]) == (15.0, "arrived")
    write_main(
        tmp_path / "books",
        f'2026-03-04 * "Cash"\n  {SAVINGS}  -2340.00 INR\n  Expenses:Cash\n',
    )
    assert [g["to"]["id"] for g in feed_gaps()] == ["GUID-0003"]
