import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from assets.expenses.feed import BalanceRow, build_expenses_feed
from assets.transactions.stored import StoredTransaction

IST = ZoneInfo("Asia/Kolkata")
# Thursday 2026-11-19, 10:00 IST.
NOW = dt.datetime(2026, 11, 19, 10, 0, tzinfo=IST)


def txn(day: dt.date, amount: str, direction: str = "debit", category: str = "Food", n: int = 0):
    received = dt.datetime.combine(day, dt.time(9, n % 60), tzinfo=IST)
    return StoredTransaction(
        message_guid=f"g-{day}-{amount}-{n}",
        received_at=received,
        txn_date=day,
        amount=Decimal(amount),
        direction=direction,
        counterparty="SWIGGY",
        category=category,
        bank="HDFC",
        account_tail="1276",
        instrument="account",
        channel="upi",
        balance=None,
        reference=None,
    )


NONE_STATED = {"debit": 0.0, "credit": 0.0, "refunds": 0.0, "spend": 0.0, "count": 0}


def build(rows, balances=(), total=None):
    return build_expenses_feed(
        rows,
        list(balances),
        now=NOW,
        tz=IST,
        newest_message_at=max((r.received_at for r in rows), default=None),
        total_transactions=len(rows) if total is None else total,
    )


def test_periods_split_today_week_month() -> None:
    today = NOW.date()
    rows = [
        txn(today, "100.50"),
        txn(today, "1000", "credit"),
        txn(dt.date(2026, 11, 16), "200"),  # Monday: this week
        txn(dt.date(2026, 11, 15), "300"),  # Sunday before: this month only
        txn(dt.date(2026, 10, 31), "400"),  # last month: only the 30-day breakdown
    ]
    feed = build(rows)
    assert feed["status"] == "ok"
    assert feed["periods"]["today"] == {
        "from": "2026-11-19",
        "to": "2026-11-19",
        "debit": 100.5,
        "credit": 1000.0,
        "refunds": 0.0,
        "spend": 100.5,
        "count": 2,
        "transfers": {"debit": 0.0, "credit": 0.0, "count": 0},
        "stated_by_bank": NONE_STATED,
    }
    assert feed["periods"]["this_week"]["from"] == "2026-11-16"
    assert feed["periods"]["this_week"]["debit"] == 300.5
    assert feed["periods"]["this_month"]["debit"] == 600.5
    breakdown = feed["categories_30d"]["categories"]
    assert sum(c["debit"] for c in breakdown) == 1000.5
    assert feed["recent"][0]["date"] == "2026-11-19"


def test_breakdown_sorted_by_spend_and_uncategorized_kept() -> None:
    today = NOW.date()
    rows = [
        txn(today, "50", category="Uncategorized", n=1),
        txn(today, "500", category="Groceries", n=2),
        txn(today, "70", category="Uncategorized", n=3),
    ]
    names = [c["category"] for c in build(rows)["categories_30d"]["categories"]]
    assert names == ["Groceries", "Uncategorized"]


def test_empty_warehouse_is_no_data_not_a_frugal_week() -> None:
    feed = build([], total=0)
    assert feed["status"] == "no_data"
    assert "doctor" in feed["message"]
    assert feed["as_of"] is None


def test_balances_are_masked_and_card_limits_kept_apart() -> None:
    at = dt.datetime(2026, 11, 18, 20, 0, tzinfo=dt.UTC)
    balances = [
        BalanceRow("HDFC", "1276", "account", Decimal("84210.55"), at),
        BalanceRow("ICICI", "3750", "credit_card", Decimal("120000"), at),
    ]
    feed = build([txn(NOW.date(), "1")], balances)
    assert feed["balances"] == [
        {
            "bank": "HDFC",
            "account": "XX1276",
            "ledger_account": None,
            "instrument": "account",
            "amount": 84210.55,
            "as_of": "2026-11-19T01:30:00+05:30",
        }
    ]
    assert [c["account"] for c in feed["card_limits"]] == ["XX3750"]


def test_future_dated_alert_does_not_count_as_today() -> None:
    rows = [txn(NOW.date() + dt.timedelta(days=3), "999")]
    feed = build(rows)
    assert feed["periods"]["this_month"]["debit"] == 0.0
    assert len(feed["recent"]) == 1


def test_transfers_between_own_accounts_are_not_spending() -> None:
    today = NOW.date()
    rows = [
        txn(today, "5000", category="Transfers:CreditCardPayment", n=1),
        txn(today, "5000", "credit", category="Transfers:CreditCardPayment", n=2),
        txn(today, "300", category="Shopping", n=3),
    ]
    today_totals = build(rows)["periods"]["today"]
    assert today_totals["debit"] == 300.0
    assert today_totals["credit"] == 0.0
    assert today_totals["transfers"] == {"debit": 5000.0, "credit": 5000.0, "count": 2}


def test_singular_transfer_root_is_not_spending_either() -> None:
    # The ledger clears `Transfer:Self` as a transfer; the feed must not count it as spending.
    today = NOW.date()
    rows = [txn(today, "700", category="Transfer:Self", n=1), txn(today, "40", n=2)]
    today_totals = build(rows)["periods"]["today"]
    assert today_totals["debit"] == 40.0
    assert today_totals["transfers"] == {"debit": 700.0, "credit": 0.0, "count": 1}


def test_debit_card_and_account_alerts_give_one_balance() -> None:
    early = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
    late = dt.datetime(2026, 11, 18, 18, 0, tzinfo=dt.UTC)
    balances = [
        BalanceRow("HDFC", "1276", "account", Decimal("900"), early),
        BalanceRow("HDFC", "2949", "debit_card", Decimal("700"), late),
    ]
    names = {("HDFC", "1276"): "Assets:Bank:HDFC", ("HDFC", "2949"): "Assets:Bank:HDFC"}
    merged = build_expenses_feed(
        [txn(NOW.date(), "1")],
        balances,
        now=NOW,
        tz=IST,
        newest_message_at=late,
        total_transactions=1,
        account_names=names,
    )["balances"]
    assert [(b["account"], b["amount"], b["ledger_account"]) for b in merged] == [
        ("XX1276", 700.0, "Assets:Bank:HDFC")
    ]
    unmapped = build([txn(NOW.date(), "1")], balances)["balances"]
    assert len(unmapped) == 2


def test_a_refund_lowers_its_categorys_spend_and_is_not_income() -> None:
    today = NOW.date()
    rows = [
        txn(today, "800", category="Shopping", n=1)._replace(kind="purchase"),
        txn(today, "300", "credit", category="Shopping", n=2)._replace(kind="refund"),
        txn(today, "50", "credit", category="Cashback", n=3)._replace(kind="cashback"),
    ]
    feed = build(rows)
    today_totals = feed["periods"]["today"]
    assert (today_totals["debit"], today_totals["refunds"], today_totals["spend"]) == (
        800.0,
        300.0,
        500.0,
    )
    assert today_totals["credit"] == 50.0  # cashback is income; the refund is not
    shopping = next(c for c in feed["categories_30d"]["categories"] if c["category"] == "Shopping")
    assert (shopping["debit"], shopping["refunds"], shopping["spend"], shopping["credit"]) == (
        800.0,
        300.0,
        500.0,
        0.0,
    )


def test_foreign_currency_spends_are_listed_apart_never_in_rupee_totals() -> None:
    today = NOW.date()
    rows = [
        txn(today, "100", n=1),
        txn(today, "12.99", n=2)._replace(currency="USD"),
        txn(today, "7.01", n=3)._replace(currency="USD"),
        txn(today, "45.50", n=4)._replace(currency="EUR"),
    ]
    feed = build(rows)
    assert feed["periods"]["today"]["debit"] == 100.0
    assert feed["periods"]["this_month"]["count"] == 1
    assert sum(c["debit"] for c in feed["categories_30d"]["categories"]) == 100.0
    assert feed["foreign_currency_30d"]["currencies"] == [
        {
            "currency": "EUR",
            "debit": 45.5,
            "credit": 0.0,
            "refunds": 0.0,
            "spend": 45.5,
            "count": 1,
            "in_rupee_totals": NONE_STATED,
        },
        {
            "currency": "USD",
            "debit": 20.0,
            "credit": 0.0,
            "refunds": 0.0,
            "spend": 20.0,
            "count": 2,
            "in_rupee_totals": NONE_STATED,
        },
    ]
    usd = next(r for r in feed["recent"] if r["amount"] == 12.99)
    assert usd["currency"] == "USD" and usd["inr_amount"] is None


def test_a_foreign_spend_counts_in_rupees_at_the_figure_its_bank_stated() -> None:
    today = NOW.date()
    monday = dt.date(2026, 11, 16)
    usd = dict(currency="USD", category="Entertainment")
    rows = [
        txn(today, "100", n=1),
        # The card bill will show the bank's rupee figure: that is what the month spent.
        txn(today, "12.99", n=2)._replace(**usd, inr_amount=Decimal("1083.45")),
        txn(monday, "20.00", n=3)._replace(**usd, inr_amount=Decimal("1668.00")),
        # Returned on Monday: counted back at its own stated figure.
        txn(monday, "5.00", "credit", n=4)._replace(
            **usd, kind="refund", inr_amount=Decimal("417.00")
        ),
        # No figure stated: listed in USD only, never guessed into rupees.
        txn(today, "7.01", n=5)._replace(**usd),
    ]
    feed = build(rows)
    today_totals = feed["periods"]["today"]
    assert (today_totals["debit"], today_totals["spend"], today_totals["count"]) == (
        1183.45,
        1183.45,
        2,
    )
    assert today_totals["stated_by_bank"] == {**NONE_STATED, "debit": 1083.45, "spend": 1083.45,
                                             "count": 1}  # fmt: skip
    week = feed["periods"]["this_week"]
    assert (week["debit"], week["refunds"], week["spend"]) == (2851.45, 417.0, 2434.45)
    assert week["stated_by_bank"]["spend"] == 2334.45 and week["stated_by_bank"]["count"] == 3
    categories = {c["category"]: c for c in feed["categories_30d"]["categories"]}
    assert categories["Entertainment"]["spend"] == 2334.45
    (listed,) = feed["foreign_currency_30d"]["currencies"]
    assert (listed["currency"], listed["debit"], listed["refunds"], listed["count"]) == (
        "USD",
        40.0,
        5.0,
        4,
    )
    assert listed["in_rupee_totals"]["spend"] == 2334.45
    assert listed["in_rupee_totals"]["count"] == 3
    # Each recent item keeps its own amount and currency, and carries the stated figure.
    recent = {r["id"]: r for r in feed["recent"]}
    spend = recent[rows[1].message_guid]
    assert (spend["amount"], spend["currency"], spend["inr_amount"]) == (12.99, "USD", 1083.45)
    assert recent[rows[4].message_guid]["inr_amount"] is None
    assert recent[rows[0].message_guid]["inr_amount"] is None


def test_recent_items_carry_payee_raw_counterparty_kind_and_currency() -> None:
    row = txn(NOW.date(), "250")._replace(
        counterparty="swiggy.stores@axb", payee="Swiggy", kind="purchase"
    )
    (item,) = build([row])["recent"]
    assert {k: item[k] for k in ("payee", "counterparty", "kind", "currency")} == {
        "payee": "Swiggy",
        "counterparty": "swiggy.stores@axb",
        "kind": "purchase",
        "currency": "INR",
    }
