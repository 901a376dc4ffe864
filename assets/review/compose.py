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
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.budgets import Budget
from assets.expenses.budgets import budget_progress
from assets.expenses.feed import BalanceRow, newest_per_account
from assets.portfolio.model import Holding
from assets.transactions.balance_chain import LEFT, Gap
from assets.transactions.categories import UNCATEGORIZED, is_transfer
from assets.transactions.stored import StoredTransaction

from .fava import FavaLinks
from .figures import Bill, Payment, bills_due, month_to_date, recurring
from .power import PowerWeek, power_section
from .week import Week

SCHEMA = "homeclerk.review/1"
AVERAGE_WEEKS = 4
# How much history a week's review reads (recurring charges, last month's same days).
HISTORY_WEEKS = 26
TREND_WEEKS = 12  # the net worth trend: this week and the 11 before
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


class NetWorthPoint(NamedTuple):
    """Net worth's parts at a week's end; None where the source has nothing by then."""

    day: dt.date
    bank: Decimal | None  # the accounts' newest stated balances (wallets too)
    portfolio: Decimal | None  # the broker holdings' value at the last snapshot
    cards: Decimal | None  # what the cards owe, as the books say

    @property
    def total(self) -> Decimal | None:
        """bank + portfolio − cards; None while no account stated a balance."""
        if self.bank is None:
            return None
        return self.bank + (self.portfolio or Decimal(0)) - (self.cards or Decimal(0))


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
    # owner's entry or the statement's line that explains it, or None while it is open, and
    # what explains it: "entry" or "statement").
    gaps: Sequence[tuple[Gap, dt.date | None, str | None]] = ()
    # The week's SMS transactions inside an imported statement's period that no statement line
    # confirms (a misread, or an alert sent twice).
    not_on_statement: Sequence[StoredTransaction] = ()
    # (bank, tail) → the ledger account `[books] account_mapping` names: the feed's own map, so
    # a debit card's balance is its account's and each account is one row.
    account_names: Mapping[tuple[str, str], str] = {}
    # Ledger account → rupees owed at the week's end, as the books say (owed.py); None when the
    # books could not be read (never built, or no ledger file).
    owed: Mapping[str, Decimal] | None = None
    # Card statements the issuers' alerts announced (figures.py), received before the week ended.
    bills: Sequence[Bill] = ()
    card_payments: Sequence[Payment] = ()  # money into the cards: what settles a bill
    # Net worth at the ends of the TREND_WEEKS weeks up to this one, oldest first.
    net_worth: Sequence[NetWorthPoint] = ()
    fava: FavaLinks | None = None  # None: no links
    # `[[budgets]]`: shown for the month of the week's Sunday, up to that day.
    budgets: Sequence[Budget] = ()


def build_review(inputs: ReviewInputs) -> dict[str, Any]:
    """The review of `inputs.week` as a JSON-able dict (deterministic: same inputs, same dict)."""
    week, tz = inputs.week, inputs.tz
    in_week = [t for t in inputs.transactions if week.start <= t.local_date(tz) <= week.end]
    quiet = quiet_spans(week, inputs.sms_days, inputs.history_began)
    no_data = _no_data_note(week, inputs.sms_days, inputs.history_began, quiet)
    links = _Links(inputs.fava, inputs.account_names)
    review = {
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
        "month": month_section(inputs.transactions, week, tz, no_data),
        "net_worth": net_worth_section(inputs.net_worth, week),
        "spending": spending_section(in_week, inputs.transactions, week, tz, no_data),
        "subscriptions": subscriptions_section(inputs.transactions, week, tz, no_data),
        "bills": bills_section(inputs.bills, inputs.card_payments, week),
        "income": income_section(in_week, no_data),
        "transfers": transfers_section(in_week, no_data),
        "uncategorized": uncategorized_section(in_week, tz, no_data),
        "balances": balances_section(inputs.balances, week, tz, inputs.account_names, inputs.owed),
        "gaps": gaps_section(inputs.gaps, tz, inputs.not_on_statement),
        "budgets": budgets_section(inputs.budgets, inputs.transactions, week, tz, no_data),
        "portfolio": portfolio_section(inputs.portfolio, week, tz),
        "power": power_section(inputs.power, week, tz),
        "books": books_section(inputs.books),
        "health": health_section(inputs.health, tz),
    }
    links.add(review, tz)
    return review


def month_section(
    history: Sequence[StoredTransaction], week: Week, tz: ZoneInfo, no_data: str | None
) -> dict[str, Any]:
    """Month to date at the week's end against the same days of last month, and the month's
    savings rate (income less spending, over income)."""
    title = f"Month to date ({week.end:%B})"
    if no_data:
        return {"title": title, "note": no_data}
    out = {"title": title, **month_to_date(history, week.end, tz)}
    if out["savings_rate"] is None:
        out["note"] = "no income this month yet: no savings rate"
    return out


def net_worth_section(points: Sequence[NetWorthPoint], week: Week) -> dict[str, Any]:
    """Net worth at the week's end (bank + portfolio − cards) and its TREND_WEEKS-week trend."""
    title = f"Net worth at {_day(week.end)}"
    now = points[-1] if points else None
    if now is None or now.total is None:
        return {"title": title, "note": "no account stated a balance by the end of this week"}

    # A point lacking a part the week's end has (before the broker history began) is shown
    # with what it has, said so, and never taken for a change in wealth.
    def comparable(p: NetWorthPoint) -> bool:
        return p.total is not None and (p.portfolio is None, p.cards is None) == (
            now.portfolio is None,
            now.cards is None,
        )

    known = [p for p in points if comparable(p)]
    partial = [p for p in points if p.total is not None and not comparable(p)]
    out: dict[str, Any] = {
        "title": title,
        "total": _money(now.total),
        "bank": _money(now.bank or Decimal(0)),
        "portfolio": None if now.portfolio is None else _money(now.portfolio),
        "cards": None if now.cards is None else _money(now.cards),
        "trend": [
            {
                "date": p.day.isoformat(),
                "total": None if p.total is None else _money(p.total),
                "complete": comparable(p),
            }
            for p in points
        ],
        "change": _money(now.total - (known[0].total or Decimal(0))) if len(known) > 1 else None,
        "change_from": known[0].day.isoformat() if len(known) > 1 else None,
    }
    if partial:
        out["trend_note"] = (
            f"up to {_day(partial[-1].day)} the trend lacks a part this week has (the portfolio "
            "or what the cards owe was not known then): no change is measured across it"
        )
    missing = [
        what
        for what, value in (("the portfolio", now.portfolio), ("what the cards owe", now.cards))
        if value is None
    ]
    if missing:
        out["note"] = f"without {' and '.join(missing)}: not known by the end of this week"
    return out


def subscriptions_section(
    history: Sequence[StoredTransaction], week: Week, tz: ZoneInfo, no_data: str | None
) -> dict[str, Any]:
    """Recurring charges found in the history, with their next expected date and what changed."""
    title = "Subscriptions and recurring charges"
    if no_data:
        return {"title": title, "note": no_data}
    found = recurring(history, week.start, week.end, tz)
    if not found:
        return {"title": title, "note": "no charge repeats weekly or monthly in the history"}
    return {"title": title, "subscriptions": found}


def bills_section(bills: Sequence[Bill], payments: Sequence[Payment], week: Week) -> dict[str, Any]:
    """Card bills the issuers' statement alerts announced, due from this week on, with the days
    left at the week's end and whether payments into the card since settle them."""
    title = "Card bills due"
    due = bills_due(bills, week.start, week.end, payments)
    if not due:
        return {"title": title, "note": "no card statement announced a bill due from this week"}
    return {"title": title, "bills": due}


class _Links:
    """Fava links on the review's lines (`link`: None when there is no Fava or no account)."""

    def __init__(self, fava: FavaLinks | None, names: Mapping[tuple[str, str], str]) -> None:
        self.fava = fava
        self.by_label = {_label(bank, tail): a for (bank, tail), a in names.items()}

    def _account(self, ledger: str | None, day: str | None = None) -> str | None:
        if self.fava is None or not ledger:
            return None
        return self.fava.account(ledger, dt.date.fromisoformat(day) if day else None)

    def _journal(self, text: str | None) -> str | None:
        return self.fava.journal(text) if self.fava and text else None

    def add(self, review: dict[str, Any], tz: ZoneInfo) -> None:
        """Set `link` on each line that has a place in the books."""
        spending = review["spending"]
        for t in [*spending.get("largest", ()), *review["uncategorized"].get("transactions", ())]:
            t["link"] = self._account(self.by_label.get(t["account"]), t["date"])
        for m in spending.get("merchants", ()):
            m["link"] = self._journal(m["merchant"])
        balances = review["balances"]
        for a in [*balances.get("accounts", ()), *balances.get("cards", ())]:
            a["link"] = self._account(a["ledger_account"])
        for b in review["bills"].get("bills", ()):
            b["link"] = self._account(self.by_label.get(b["card"]))
        for sub in review["subscriptions"].get("subscriptions", ()):
            sub["link"] = self._journal(sub["payee"])


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
    merchants = _sum_by(spend, _payee)
    counts = _sum_by(spend, _payee, count=True)
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


def balances_section(
    balances: Sequence[BalanceRow],
    week: Week,
    tz: ZoneInfo,
    account_names: Mapping[tuple[str, str], str] = {},
    owed: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """Each account's newest balance by the week's end, one row per account (the feed's rule:
    a debit card under its account); each credit card's outstanding (the books' figure) with,
    apart, the available limit its alerts stated. A limit is never shown as a balance."""
    title = f"Balances at {_day(week.end)}"
    merged = newest_per_account(balances, account_names)
    cards = [b for b in merged if b.instrument == "credit_card"]
    accounts = [b for b in merged if b.instrument != "credit_card"]
    card_rows = _card_rows(cards, account_names, owed, tz)
    if not accounts and not card_rows:
        return {"title": title, "note": "no alert stated a balance by the end of this week"}
    out: dict[str, Any] = {
        "title": title,
        "accounts": [
            {
                "account": _label(b.bank, b.account_tail),
                "ledger_account": account_names.get((b.bank, b.account_tail or "")),
                "instrument": b.instrument,
                "balance": _money(b.balance),
                "as_of": b.received_at.astimezone(tz).date().isoformat(),
            }
            for b in accounts
        ],
        "cards": card_rows,
    }
    if card_rows and owed is None:
        out["cards_note"] = "the books were not readable: what the cards owe is not known"
    return out


def _card_rows(
    limits: Sequence[BalanceRow],
    account_names: Mapping[tuple[str, str], str],
    owed: Mapping[str, Decimal] | None,
    tz: ZoneInfo,
) -> list[dict[str, Any]]:
    """One row per card: the books' outstanding and the alerts' available limit, each None
    when its source has nothing (an unmapped card has no books figure)."""
    rows: dict[str, dict[str, Any]] = {}
    for b in limits:
        ledger = account_names.get((b.bank, b.account_tail or ""))
        rows[ledger or _label(b.bank, b.account_tail)] = {
            "account": _label(b.bank, b.account_tail),
            "ledger_account": ledger,
            "outstanding": _money(owed[ledger]) if owed and ledger in owed else None,
            "available_limit": _money(b.balance),
            "limit_as_of": b.received_at.astimezone(tz).date().isoformat(),
        }
    # A card the books know that no alert stated a limit for yet.
    tails = {a: (bank, tail) for (bank, tail), a in sorted(account_names.items())}
    for ledger, amount in sorted((owed or {}).items()):
        if ledger not in rows:
            bank, tail = tails.get(ledger, (ledger, ""))
            rows[ledger] = {
                "account": _label(bank, tail),
                "ledger_account": ledger,
                "outstanding": _money(amount),
                "available_limit": None,
                "limit_as_of": None,
            }
    return sorted(rows.values(), key=lambda r: r["account"])


def _label(bank: str, tail: str | None) -> str:
    return f"{bank} XX{tail}" if tail else bank


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


def gaps_section(
    gaps: Sequence[tuple[Gap, dt.date | None, str | None]],
    tz: ZoneInfo,
    not_on_statement: Sequence[StoredTransaction] = (),
) -> dict[str, Any]:
    """Each break in a balance chain the week's alerts revealed, in words, oldest first: money
    that left or arrived with no alert (never filled in; the owner's entry or a statement line
    may explain one); and the week's alerts a statement of their period does not show."""
    title = "Gaps in the balance chain"
    flagged = [
        {
            "text": f"{_rupees(t.amount)} {t.direction} on {t.local_date(tz).isoformat()} "
            f"({t.payee or t.counterparty or 'no payee'}, {t.bank} XX{t.account_tail or '?'}) "
            "is not on the bank's statement: a misread or an alert sent twice?",
            "id": t.message_guid,
            "date": t.local_date(tz).isoformat(),
            "amount": _money(t.amount),
            "direction": t.direction,
        }
        for t in sorted(not_on_statement, key=lambda t: (t.local_date(tz), t.message_guid))
    ]
    if not gaps:
        section: dict[str, Any] = {
            "title": title,
            "note": "every balance an alert stated this week agrees with the alerts before it",
        }
        if flagged:
            section["not_on_statement"] = flagged
        return section
    ordered = sorted(gaps, key=lambda item: (item[0].end.received_at, item[0].end.message_guid))
    return {
        "title": title,
        "not_on_statement": flagged,
        "gaps": [
            {
                "text": gap_sentence(gap, tz),
                "account": gap.label,
                "amount": _money(gap.amount),
                "direction": gap.direction,
                "from": gap.start.received_at.astimezone(tz).isoformat(timespec="minutes"),
                "to": gap.end.received_at.astimezone(tz).isoformat(timespec="minutes"),
                "explained_by_entry_of": explained.isoformat() if explained else None,
                "explained_by": by,
            }
            for gap, explained, by in ordered
        ],
        "open": sum(1 for _, explained, _by in ordered if explained is None),
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
        "net_worth": review["net_worth"].get("total"),
        "savings_rate": review["month"].get("savings_rate"),
        "month_to_date": {k: review["month"][k] for k in ("from", "to", "spending", "change")}
        if "spending" in review["month"]
        else None,
        "subscriptions": [
            {k: s[k] for k in ("payee", "cadence", "amount", "next_expected", "change")}
            for s in review["subscriptions"].get("subscriptions", ())
        ],
        "bills_due": [
            {k: b[k] for k in ("card", "total_due", "minimum_due", "due", "days_left", "paid")}
            for b in review["bills"].get("bills", ())
        ],
        "failed_runs": len(review["health"]["failed_runs"]),
        "files": {"markdown": f"{review['week']}.md", "html": f"{review['week']}.html"},
    }


# --- helpers -------------------------------------------------------------------------------


def _cat(t: StoredTransaction) -> str:
    return t.category or UNCATEGORIZED


def _payee(t: StoredTransaction) -> str:
    # The readable payee the feed and the books show (`BigBasket`), the alert's text otherwise.
    return t.payee or t.counterparty or "(no counterparty)"


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
        "payee": t.payee or t.counterparty,
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
