"""The weekly review as plain data: every section from stored history, nothing from "now".

Each section is a dict with a `title` and either its content or a `note` saying why there is
none ("no bank SMS from 12 to 14 Nov: the source was quiet"), so an empty week never reads as
a frugal one. The renderers (render.py) turn this into Markdown, HTML and the JSON summary.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.budgets import Budget
from assets.expenses.budgets import budget_progress
from assets.expenses.feed import BalanceRow
from assets.portfolio.model import Holding
from assets.transactions.balance_chain import LEFT, Gap
from assets.transactions.categories import UNCATEGORIZED, is_transfer
from assets.transactions.stored import StoredTransaction

from .power import PowerWeek, power_section
from .week import Week

SCHEMA = "homeclerk.review/1"
AVERAGE_WEEKS = 4
TOP_MERCHANTS = 5
LARGEST = 5
TOP_MOVERS = 5
QUIET_DAYS = 2  # this many days in a row without any bank SMS is worth saying


class Snapshot(NamedTuple):
    """The broker's holdings at one fetch."""

    fetched_at: dt.datetime
    holdings: tuple[Holding, ...]


class PortfolioHistory(NamedTuple):
    """The stored snapshots around a week: the last before it began, the last before it ended,
    and when the stored history begins (None: nothing was ever fetched)."""

    began: dt.date | None
    at_start: Snapshot | None
    at_end: Snapshot | None


class CheckOutcome(NamedTuple):
    """One asset-check evaluation: the books' checks as the instance recorded them."""

    name: str
    passed: bool
    description: str


class FailedRun(NamedTuple):
    """A run that failed during the week, as the review lists it."""

    job: str
    run_id: str
    at: dt.datetime


class PipelineHealth(NamedTuple):
    """What the Dagster instance and the warehouse say about the pipeline during the week."""

    failed_runs: tuple[FailedRun, ...] = ()
    skipped_ticks: int | None = None  # None: not known (no instance to ask)
    unrecognized_messages: int = 0
    # Feed freshness checks that failed during the week: (feed check, how many times).
    stale_feeds: tuple[tuple[str, int], ...] = ()


class ReviewInputs(NamedTuple):
    """Everything a review reads, already fetched from the warehouse and the instance."""

    week: Week
    tz: ZoneInfo
    # Transactions dated from AVERAGE_WEEKS weeks before the week to its Sunday.
    transactions: Sequence[StoredTransaction]
    # Local dates (in tz) on which any bank SMS arrived during the week.
    sms_days: frozenset[dt.date]
    # The first day of stored SMS history (None: nothing stored at all).
    history_began: dt.date | None
    balances: Sequence[BalanceRow]  # newest per account as of the week's end
    portfolio: PortfolioHistory
    books: Sequence[CheckOutcome] | None  # None: the books were never checked
    health: PipelineHealth
    # The week's power samples; None when the warehouse has no `power_samples` table.
    power: PowerWeek | None = None
    # Balance-chain gaps whose closing alert arrived during the week: (gap, the day of the
    # owner's entry that explains it, or None while it is open).
    gaps: Sequence[tuple[Gap, dt.date | None]] = ()
    # `[[budgets]]`: shown for the month of the week's Sunday, up to that day.
    budgets: Sequence[Budget] = ()


def build_review(inputs: ReviewInputs) -> dict[str, Any]:
    """The review of `inputs.week` as a JSON-able dict (deterministic: same inputs, same dict)."""
    week, tz = inputs.week, inputs.tz
    in_week = [t for t in inputs.transactions if week.start <= t.local_date(tz) <= week.end]
    quiet = quiet_spans(week, inputs.sms_days, inputs.history_began)
    no_data = _no_data_note(week, inputs.sms_days, inputs.history_began, quiet)
    return {
        "schema": SCHEMA,
        "week": week.iso,
        "partition": week.key,
        "from": week.start.isoformat(),
        "to": week.end.isoformat(),
        "timezone": str(tz),
        "currency": "INR",
        "coverage": {
            "days_with_sms": len(inputs.sms_days),
            "quiet": [_span_json(a, b) for a, b in quiet],
            "note": no_data,
        },
        "spending": spending_section(in_week, inputs.transactions, week, tz, no_data),
        "income": income_section(in_week, no_data),
        "transfers": transfers_section(in_week, no_data),
        "uncategorized": uncategorized_section(in_week, tz, no_data),
        "balances": balances_section(inputs.balances, week, tz),
        "gaps": gaps_section(inputs.gaps, tz),
        "budgets": budgets_section(inputs.budgets, inputs.transactions, week, tz, no_data),
        "portfolio": portfolio_section(inputs.portfolio, week, tz),
        "power": power_section(inputs.power, week, tz),
        "books": books_section(inputs.books),
        "health": health_section(inputs.health, tz),
    }


def quiet_spans(
    week: Week, sms_days: Iterable[dt.date], history_began: dt.date | None
) -> list[tuple[dt.date, dt.date]]:
    """Runs of QUIET_DAYS or more days of the week (after the history began) with no bank SMS."""
    seen = set(sms_days)
    spans: list[tuple[dt.date, dt.date]] = []
    run: list[dt.date] = []
    for day in [*week.days(), None]:
        if day is not None and day not in seen and history_began and day >= history_began:
            run.append(day)
            continue
        if len(run) >= QUIET_DAYS:
            spans.append((run[0], run[-1]))
        run = []
    return spans


def _no_data_note(
    week: Week,
    sms_days: frozenset[dt.date],
    history_began: dt.date | None,
    quiet: list[tuple[dt.date, dt.date]],
) -> str | None:
    """Why the money sections are empty, or None when the week has bank SMS."""
    if sms_days:
        return None
    if history_began is None:
        return "no bank SMS stored at all yet: run the pipeline (homeclerk demo, or the UI)"
    if history_began > week.end:
        return f"before the stored history: bank SMS begin on {_day(history_began)}"
    first, last = quiet[0] if quiet else (week.start, week.end)
    return f"no bank SMS from {_span(first, last)}: the source was quiet"


def spending_section(
    in_week: Sequence[StoredTransaction],
    history: Sequence[StoredTransaction],
    week: Week,
    tz: ZoneInfo,
    no_data: str | None,
) -> dict[str, Any]:
    """Debits by category against the previous AVERAGE_WEEKS weeks' average, top merchants,
    the largest debits and the daily totals (transfers left out)."""
    title = "Spending"
    if no_data:
        return {"title": title, "note": no_data}
    spend = [t for t in in_week if t.direction == "debit" and not is_transfer(t.category)]
    before_from = week.start - dt.timedelta(weeks=AVERAGE_WEEKS)
    earlier = [
        t
        for t in history
        if t.direction == "debit"
        and not is_transfer(t.category)
        and before_from <= t.local_date(tz) < week.start
    ]
    by_cat = _sum_by(spend, lambda t: t.category or UNCATEGORIZED)
    avg_cat = {k: v / AVERAGE_WEEKS for k, v in _sum_by(earlier, _cat).items()}
    categories = [
        {"category": c, "amount": _money(by_cat.get(c, Decimal(0))), "average": _money(a)}
        for c, a in [(c, avg_cat.get(c, Decimal(0))) for c in set(by_cat) | set(avg_cat)]
    ]
    categories.sort(key=lambda r: (-r["amount"], -r["average"], r["category"]))
    merchants = _sum_by(spend, lambda t: t.counterparty or "(no counterparty)")
    counts = _sum_by(spend, lambda t: t.counterparty or "(no counterparty)", count=True)
    daily = _sum_by(spend, lambda t: t.local_date(tz))
    largest = sorted(spend, key=lambda t: (-t.amount, t.received_at, t.message_guid))[:LARGEST]
    return {
        "title": title,
        "total": _money(sum((t.amount for t in spend), Decimal(0))),
        "average_total": _money(sum(avg_cat.values(), Decimal(0))),
        "average_note": None
        if earlier
        else f"no spending stored in the {AVERAGE_WEEKS} weeks before: no average yet",
        "count": len(spend),
        "categories": categories,
        "daily": [
            {"date": d.isoformat(), "amount": _money(daily.get(d, Decimal(0)))} for d in week.days()
        ],
        "merchants": [
            {"merchant": m, "amount": _money(v), "count": int(counts[m])}
            for m, v in sorted(merchants.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MERCHANTS]
        ],
        "largest": [_txn_json(t, tz) for t in largest],
    }


def income_section(in_week: Sequence[StoredTransaction], no_data: str | None) -> dict[str, Any]:
    """Credits that are not transfers or refunds, by category."""
    if no_data:
        return {"title": "Income", "note": no_data}
    credits = [
        t
        for t in in_week
        if t.direction == "credit" and not is_transfer(t.category) and t.kind != "refund"
    ]
    if not credits:
        return {"title": "Income", "note": "no money came in this week (bank SMS did arrive)"}
    by_cat = _sum_by(credits, _cat)
    return {
        "title": "Income",
        "total": _money(sum((t.amount for t in credits), Decimal(0))),
        "categories": [
            {"category": c, "amount": _money(v)}
            for c, v in sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def transfers_section(in_week: Sequence[StoredTransaction], no_data: str | None) -> dict[str, Any]:
    """Money moved between the owner's own accounts: apart, never counted as spending."""
    if no_data:
        return {"title": "Transfers", "note": no_data}
    moved = [t for t in in_week if is_transfer(t.category)]
    if not moved:
        return {"title": "Transfers", "note": "no transfers between your accounts this week"}
    out = sum((t.amount for t in moved if t.direction == "debit"), Decimal(0))
    back = sum((t.amount for t in moved if t.direction == "credit"), Decimal(0))
    return {"title": "Transfers", "out": _money(out), "in": _money(back), "count": len(moved)}


def uncategorized_section(
    in_week: Sequence[StoredTransaction], tz: ZoneInfo, no_data: str | None
) -> dict[str, Any]:
    """Uncategorized transactions, each with the `[[categories.rules]]` lines that would
    categorize it (one suggestion per counterparty and direction)."""
    if no_data:
        return {"title": "Uncategorized", "note": no_data}
    loose = sorted(
        # The parser stores "Uncategorized" when no rule matched; older rows may hold NULL.
        (t for t in in_week if _cat(t) == UNCATEGORIZED),
        key=lambda t: (t.received_at, t.message_guid),
    )
    if not loose:
        return {"title": "Uncategorized", "note": "every transaction has a category"}
    return {
        "title": "Uncategorized",
        "transactions": [{**_txn_json(t, tz), "rule": suggest_rule(t)} for t in loose],
    }


def suggest_rule(txn: StoredTransaction) -> str:
    """The `[[categories.rules]]` table that would categorize `txn` (category left to fill)."""
    lines = ["[[categories.rules]]"]
    if txn.counterparty:
        lines.append(f"pattern = {_toml_str(re.escape(txn.counterparty))}")
    else:
        lines += ['pattern = ""', f"channel = {_toml_str(txn.channel)}"]
    lines.append('category = "Category:Name"  # the category to file it under')
    lines.append(f"direction = {_toml_str(txn.direction)}")
    return "\n".join(lines)


def balances_section(balances: Sequence[BalanceRow], week: Week, tz: ZoneInfo) -> dict[str, Any]:
    """The newest balance (or card limit) each account's alerts stated by the week's end."""
    title = f"Balances at {_day(week.end)}"
    if not balances:
        return {"title": title, "note": "no alert stated a balance by the end of this week"}
    return {
        "title": title,
        "accounts": [
            {
                "account": f"{b.bank} XX{b.account_tail}" if b.account_tail else b.bank,
                "instrument": b.instrument,
                "balance": _money(b.balance),
                "as_of": b.received_at.astimezone(tz).date().isoformat(),
            }
            for b in sorted(balances, key=lambda b: (b.bank, b.account_tail or "", b.instrument))
        ],
    }


def budgets_section(
    budgets: Sequence[Budget],
    history: Sequence[StoredTransaction],
    week: Week,
    tz: ZoneInfo,
    no_data: str | None,
) -> dict[str, Any]:
    """Each budget for the month of the week's Sunday, spent up to that day and where the month
    ends at that pace (the expenses feed's rows, as of the week's end)."""
    title = f"Budgets ({week.end:%B %Y}, to {_day(week.end)})"
    if not budgets:
        return {
            "title": title,
            "note": "no budgets set: add [[budgets]] to homeclerk.toml "
            '(e.g. { account = "Expenses:Food", monthly = 5000 })',
        }
    if no_data:
        return {"title": title, "note": no_data}
    # The history starts AVERAGE_WEEKS weeks before the week: the month's start is in it.
    rows = budget_progress(budgets, history, today=week.end, tz=tz)
    return {"title": title, "month": f"{week.end:%Y-%m}", "budgets": rows}


def gaps_section(gaps: Sequence[tuple[Gap, dt.date | None]], tz: ZoneInfo) -> dict[str, Any]:
    """Each break in a balance chain the week's alerts revealed, in words, oldest first: money
    that left or arrived with no alert (never filled in; the owner's entry may explain one)."""
    title = "Gaps in the balance chain"
    if not gaps:
        return {
            "title": title,
            "note": "every balance an alert stated this week agrees with the alerts before it",
        }
    ordered = sorted(gaps, key=lambda pair: (pair[0].end.received_at, pair[0].end.message_guid))
    return {
        "title": title,
        "gaps": [
            {
                "text": gap_sentence(gap, tz),
                "account": gap.label,
                "amount": _money(gap.amount),
                "direction": gap.direction,
                "from": gap.start.received_at.astimezone(tz).isoformat(timespec="minutes"),
                "to": gap.end.received_at.astimezone(tz).isoformat(timespec="minutes"),
                "explained_by_entry_of": explained.isoformat() if explained else None,
            }
            for gap, explained in ordered
        ],
        "open": sum(1 for _, explained in ordered if explained is None),
    }


def gap_sentence(gap: Gap, tz: ZoneInfo) -> str:
    """`₹2,340 left HDFC XX1276 between 3 Nov 14:02 and 5 Nov 09:10 with no alert`."""
    way = "left" if gap.direction == LEFT else "arrived in"
    figure = " (its available limit says so)" if gap.figure == "available_limit" else ""
    return (
        f"{_rupees(gap.amount)} {way} {gap.label} between {_moment(gap.start.received_at, tz)} "
        f"and {_moment(gap.end.received_at, tz)} with no alert{figure}"
    )


def portfolio_section(history: PortfolioHistory, week: Week, tz: ZoneInfo) -> dict[str, Any]:
    """Value at the week's start and end, the P&L between them and the top movers."""
    title = "Portfolio"
    if history.began is None:
        return {"title": title, "note": "no broker history stored: configure [broker]"}
    if history.began > week.end:
        return {
            "title": title,
            "note": f"before the stored broker history: it begins on {_day(history.began)}",
        }
    end = history.at_end
    start = history.at_start
    if end is None:  # defensive: began <= week.end means a snapshot exists by the end
        return {"title": title, "note": "no broker snapshot by the end of this week"}
    end_value = _value(end.holdings)
    out: dict[str, Any] = {
        "title": title,
        "end_value": _money(end_value),
        "end_at": end.fetched_at.astimezone(tz).date().isoformat(),
    }
    if start is None:
        out["note"] = (
            f"the broker history begins on {_day(history.began)}, inside this week: "
            "no value at the week's start"
        )
        return out
    start_value = _value(start.holdings)
    out["start_value"] = _money(start_value)
    out["start_at"] = start.fetched_at.astimezone(tz).date().isoformat()
    out["pnl"] = _money(end_value - start_value)
    before = {(h.symbol, h.exchange): h for h in start.holdings}
    movers = []
    for h in end.holdings:
        was = before.get((h.symbol, h.exchange))
        if was is None or not was.last_price:
            continue
        change = (h.last_price - was.last_price) / was.last_price * 100
        movers.append(
            {
                "symbol": h.symbol,
                "change_pct": float(round(change, 2)),
                "value_change": _money(h.quantity * h.last_price - was.quantity * was.last_price),
            }
        )
    movers.sort(key=lambda m: (-abs(m["change_pct"]), m["symbol"]))
    out["movers"] = movers[:TOP_MOVERS]
    return out


def books_section(checks: Sequence[CheckOutcome] | None) -> dict[str, Any]:
    """The books' checks (ledger errors, balance assertions, ledger/broker) as last recorded."""
    if checks is None:
        return {"title": "Books", "note": "the books were not checked by the end of this week"}
    return {
        "title": "Books",
        "checks": [
            {"check": c.name, "passed": c.passed, "description": c.description}
            for c in sorted(checks, key=lambda c: c.name)
        ],
    }


def health_section(health: PipelineHealth, tz: ZoneInfo) -> dict[str, Any]:
    """Failed runs, stale feeds, skipped ticks and unrecognized bank SMS during the week."""
    return {
        "title": "Pipeline health",
        "failed_runs": [
            {"job": r.job, "run_id": r.run_id[:8], "at": _minute(r.at, tz)}
            for r in sorted(health.failed_runs, key=lambda r: (r.at, r.run_id))
        ],
        "skipped_ticks": health.skipped_ticks,
        "unrecognized_messages": health.unrecognized_messages,
        "stale_feeds": [{"check": c, "failures": n} for c, n in sorted(health.stale_feeds)],
    }


def summary(review: dict[str, Any]) -> dict[str, Any]:
    """The small JSON a dashboard reads (`feeds/review.json`)."""
    spending = review["spending"]
    portfolio = review["portfolio"]
    return {
        "schema": SCHEMA,
        "week": review["week"],
        "from": review["from"],
        "to": review["to"],
        "note": review["coverage"]["note"],
        "spending": spending.get("total"),
        "spending_average": spending.get("average_total"),
        "income": review["income"].get("total"),
        "uncategorized": len(review["uncategorized"].get("transactions", ())),
        "portfolio_pnl": portfolio.get("pnl"),
        "failed_runs": len(review["health"]["failed_runs"]),
        "files": {"markdown": f"{review['week']}.md", "html": f"{review['week']}.html"},
    }


# --- helpers -------------------------------------------------------------------------------


def _cat(t: StoredTransaction) -> str:
    return t.category or UNCATEGORIZED


def _sum_by(rows: Iterable[StoredTransaction], key: Any, count: bool = False) -> dict[Any, Decimal]:
    sums: dict[Any, Decimal] = defaultdict(Decimal)
    for t in rows:
        sums[key(t)] += Decimal(1) if count else t.amount
    return dict(sums)


def _value(holdings: Iterable[Holding]) -> Decimal:
    return sum((h.quantity * h.last_price for h in holdings), Decimal(0))


def _money(value: Decimal) -> float:
    # Floats in the dict keep the JSON plain; two decimals make them exact enough to compare.
    return float(Decimal(value).quantize(Decimal("0.01")))


def _txn_json(t: StoredTransaction, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "date": t.local_date(tz).isoformat(),
        "amount": _money(t.amount),
        "direction": t.direction,
        "counterparty": t.counterparty,
        "category": t.category,
        "account": f"{t.bank} XX{t.account_tail}" if t.account_tail else t.bank,
    }


def _toml_str(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(text, ensure_ascii=False)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last.day} {last:%b}"
    return f"{first.day} {first:%b} to {last.day} {last:%b}"


def _span_json(first: dt.date, last: dt.date) -> dict[str, str]:
    return {"from": first.isoformat(), "to": last.isoformat(), "text": _span(first, last)}


def _moment(at: dt.datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.day} {local:%b %H:%M}"


def _rupees(value: Decimal) -> str:
    # Whole rupees as people write them; paise only when there are some.
    return f"₹{value:,.0f}" if value == value.to_integral_value() else f"₹{value:,.2f}"


def _minute(at: dt.datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
